package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

func TestSettingsBrandVoice(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	owner := herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner}
	sponsored, err := e.labels.Create(context.Background(), owner, herald.Label{Name: "Sponsored"})
	if err != nil {
		t.Fatal(err)
	}
	// Rules saved in the older form show as blocks.
	if _, err := e.ws.Update(context.Background(), owner, workspace.Patch{BrandRules: &herald.BrandRules{BannedWords: []string{"spam"}}}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	base := settingsURL(w.ID, "brand-voice")

	a := b.get(base)
	want(t, a, http.StatusOK, `id="voice-form"`, `id="tab-brand-voice"`, `aria-current="page"`, `value="spam"`,
		`<option value="block" selected`, `value="label:`+itoa(sponsored.ID)+`">Label: Sponsored`, "for <strong>English text</strong>", `id="voice-sample"`)

	form := url.Values{
		"voice":              {"Warm, brief."},
		"banned_phrase":      {"spam", "cheap", "", ""},
		"banned_replacement": {"", "affordable", "", ""},
		"banned_severity":    {"block", "warning", "warning", "warning"},
		"tag":                {"#ad", ""},
		"tag_scope":          {"label:" + itoa(sponsored.ID), ""},
		"tag_severity":       {"block", "block"},
		"max_emoji":          {"3"}, "max_emoji_severity": {"warning"},
		"max_hashtags": {""}, "max_hashtags_severity": {"warning"},
		"link": {"forbidden"}, "link_severity": {"warning"},
		"shout_percent": {"50"}, "shout_word_length": {"4"}, "shout_severity": {"block"},
		"readability": {"60"}, "readability_severity": {"warning"},
	}

	// Bad input: each problem next to its field, nothing lost, nothing saved.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = append([]string(nil), v...)
	}
	bad["banned_phrase"] = []string{"spam", "cheap", "", "Cheap"}
	bad["banned_replacement"] = []string{"", "affordable", "", ""}
	bad["max_emoji"] = []string{"many"}
	a = b.post(base, bad)
	want(t, a, http.StatusUnprocessableEntity, `id="max_emoji-problem"`, `&#34;many&#34; is not a whole number`, `value="many"`, `value="affordable"`)
	a = b.post(base, func() url.Values { bad["max_emoji"] = []string{"3"}; return bad }())
	want(t, a, http.StatusUnprocessableEntity, `id="banned-phrase-3-problem"`, "is listed twice", `value="Cheap"`)
	if r, _ := e.ws.BrandVoice(context.Background(), owner); len(r.Banned) != 1 || r.Banned[0].Phrase != "spam" {
		t.Fatalf("refused form saved rules: %+v", r)
	}

	a = b.follow(b.post(base, form), http.StatusOK)
	want(t, a, http.StatusOK, "Saved the brand voice rules.", "Warm, brief.", `value="affordable"`, `value="3"`,
		`<option value="forbidden" selected`, `<option value="label:`+itoa(sponsored.ID)+`" selected`)
	r, err := e.ws.BrandVoice(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Banned) != 2 || r.Banned[1].Replacement != "affordable" || len(r.RequiredTags) != 1 || r.RequiredTags[0].LabelID != sponsored.ID ||
		r.MaxEmoji == nil || r.MaxEmoji.Max != 3 || r.MaxHashtags != nil || r.Link.Mode != herald.LinkForbidden ||
		r.Shouting.MaxPercent != 50 || r.Readability.MinScore != 60 || r.Voice != "Warm, brief." {
		t.Fatalf("saved %+v", r)
	}

	// Try it, with the rules as typed (not saved): the htmx answer is the result alone.
	trying := url.Values{"from": {"form"}, "sample": {"So CHEAP, visit example.com"}}
	for k, v := range form {
		trying[k] = v
	}
	trying["banned_phrase"] = []string{"visit"}
	trying["banned_replacement"] = []string{"see"}
	trying["banned_severity"] = []string{"block"}
	a = b.post(base+"/try", trying, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="try-result"`, "contains “visit”", "rule: banned words", "Blocks", "the link example.com")
	wantNot(t, a, "“CHEAP”", "<html")
	a = b.post(base+"/try", url.Values{"sample": {"Plain words."}}, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="try-clean"`, "Nothing found")
	// Without script, the whole page comes back with the result.
	a = b.post(base+"/try", url.Values{"sample": {"so cheap"}})
	want(t, a, http.StatusOK, `id="voice-form"`, "contains “cheap”", "write “affordable” instead", ">so cheap</textarea>")

	// An editor reads the rules and tries them, but cannot change them.
	ed := e.browser()
	ed.signIn("ed@example.com")
	a = ed.get(base)
	want(t, a, http.StatusOK, `id="tab-brand-voice"`, "“cheap” → “affordable” (warn)", "#ad on posts labelled Sponsored (block)",
		"At most 3 emoji in one post (warn).", "cannot change these", `id="voice-try-form"`)
	wantNot(t, a, `id="voice-form"`)
	want(t, ed.post(base, form), http.StatusForbidden, "cannot do workspace.update")
	a = ed.post(base+"/try", trying, "HX-Request", "true")
	want(t, a, http.StatusOK, "contains “CHEAP”") // the saved rules, not the ones sent
	wantNot(t, a, "“visit”")
}
