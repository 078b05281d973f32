package sqlite

import (
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxSearch is the condition and arguments of an inbox search: the FTS5
// index (migration 00036) for words and "phrases", every one required; a
// substring match of the text, handle and name for a handle ("@name").
func inboxSearch(q string) (string, []any) {
	terms, handle := herald.InboxSearchTerms(q)
	if handle {
		// LIKE is case-insensitive for ASCII letters in SQLite.
		pat := "%" + likeEscape(strings.TrimSpace(q)) + "%"
		return `(text LIKE ? ESCAPE '\' OR author_handle LIKE ? ESCAPE '\' OR author_name LIKE ? ESCAPE '\')`,
			[]any{pat, pat, pat}
	}
	if len(terms) == 0 {
		return "", nil
	}
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return `id IN (SELECT rowid FROM inbox_items_fts WHERE inbox_items_fts MATCH ?)`,
		[]any{strings.Join(quoted, " ")}
}
