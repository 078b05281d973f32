package web

import (
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/voice"
)

// placeVoice puts what the brand voice rules found in draft beside the
// text each finding is about: the post's parts ("part-N", the thread's
// parts shared by every account) or an account's own text and first
// comment ("variant-ID"). Blocks are also listed as the reasons the post
// cannot be scheduled; problems that repeat a block are left out of
// general.
func placeVoice(c *checkView, draft herald.Post, accounts []herald.Account, fs []voice.Finding, general []herald.FieldProblem) []herald.FieldProblem {
	blocks := map[herald.FieldProblem]bool{}
	for _, f := range fs {
		key, input := voicePlace(f, draft)
		if c.Voice == nil {
			c.Voice = map[string][]voiceItem{}
		}
		c.Voice[key] = append(c.Voice[key], voiceItem{F: f, Input: input})
		if f.Blocks() {
			blocks[herald.FieldProblem{Field: f.Field, Problem: f.Message}] = true
			where := fieldWords(findingField(f))
			if strings.HasPrefix(key, "variant-") {
				where += " for " + accountWords(draft, accounts, f.Target)
			}
			c.Blocked = append(c.Blocked, where+" "+f.Message)
		}
	}
	var rest []herald.FieldProblem
	for _, p := range general {
		if !blocks[p] {
			rest = append(rest, p)
		}
	}
	return rest
}

// voicePlace is where a finding is shown, and the id of the text field
// its fix edits.
func voicePlace(f voice.Finding, draft herald.Post) (key, input string) {
	if j, ok := strings.CutPrefix(f.Part, "thread["); ok {
		n, _ := strconv.Atoi(strings.TrimSuffix(j, "]"))
		return "part-" + strconv.Itoa(n+1), "text-" + strconv.Itoa(n+1)
	}
	if f.Target < 0 || f.Target >= len(draft.Targets) {
		return "part-0", "text-0"
	}
	id := itoa(draft.Targets[f.Target].AccountID)
	if f.Part == "first_comment" {
		return "variant-" + id, "v-comment-" + id
	}
	return "variant-" + id, "v-text-" + id
}

// accountWords names target i's account for the blocked reasons.
func accountWords(draft herald.Post, accounts []herald.Account, i int) string {
	if i < 0 || i >= len(draft.Targets) {
		return "an account"
	}
	for _, a := range accounts {
		if a.ID == draft.Targets[i].AccountID {
			return handleOf(a)
		}
	}
	return "account " + itoa(draft.Targets[i].AccountID)
}

// voiceAt is what the rules found at key ("part-N", "variant-ID").
func (c checkView) voiceAt(key string) []voiceItem { return c.Voice[key] }
