package postgres

import (
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxSearch is the condition (with ? for its argument) of an inbox
// search: the GIN-indexed tsvector column (migration 00036) for words and
// "phrases", every one required; a substring match of the text, handle
// and name for a handle ("@name").
func inboxSearch(q string) (string, any) {
	terms, handle := herald.InboxSearchTerms(q)
	if handle {
		return `(text ILIKE ? ESCAPE '\' OR author_handle ILIKE ? ESCAPE '\' OR author_name ILIKE ? ESCAPE '\')`,
			herald.LikePattern(strings.TrimSpace(q))
	}
	if len(terms) == 0 {
		return "", nil
	}
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = `"` + strings.ReplaceAll(t, `"`, " ") + `"`
	}
	return `search @@ websearch_to_tsquery('simple', ?)`, strings.Join(quoted, " ")
}
