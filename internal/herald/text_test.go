package herald_test

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestCheckTextAndLine(t *testing.T) {
	cases := []struct {
		name, s    string
		text, line bool // accepted as multi-line text, as one line
		want       string
	}{
		{"plain", "Launch day 🚀 café", true, true, ""},
		{"line breaks and tabs", "one\r\ntwo\tthree", true, false, "U+000D"},
		{"NUL", "a\x00b", false, false, "NUL (U+0000) at character 2"},
		{"bell", "ding\a", false, false, "U+0007"},
		{"escape", "\x1b[31mred", false, false, "U+001B at character 1"},
		{"DEL", "x\x7f", false, false, "U+007F"},
		{"C1 control", "x\u0085y", true, false, "U+0085"},
		{"invalid UTF-8", "ab\xffc", false, false, "not valid UTF-8 (at character 3)"},
		{"replacement character itself", "a\uFFFDb", true, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var text, line herald.Problems
			herald.CheckText(&text, "text", c.s)
			herald.CheckLine(&line, "title", c.s)
			if (len(text) == 0) != c.text || (len(line) == 0) != c.line {
				t.Fatalf("text problems %v (want ok=%v), line problems %v (want ok=%v)", text, c.text, line, c.line)
			}
			for _, pr := range append(text, line...) {
				if pr.Field != "text" && pr.Field != "title" {
					t.Fatalf("field %q", pr.Field)
				}
				if !strings.Contains(pr.Problem, c.want) {
					t.Fatalf("problem %q does not say %q", pr.Problem, c.want)
				}
			}
		})
	}
}

func TestValidateRefusesControlCharacters(t *testing.T) {
	p := herald.Post{Title: "Q3\x00", Text: "ok\nfine", Targets: []herald.Target{{AccountID: 1,
		Variant: herald.Variant{Text: "v\x00", FirstComment: "c\x01", Thread: []herald.ThreadPart{{Text: "t\x02"}},
			Options: map[string]string{"spoiler_text": "s\x03"}}}}}
	err := p.Validate()
	he, ok := err.(*herald.Error)
	if !ok || he.Code != herald.CodeInvalid {
		t.Fatalf("err = %v", err)
	}
	fields := map[string]bool{}
	for _, d := range he.Details {
		fields[d.Field] = true
	}
	for _, f := range []string{"title", "targets[0].variant.text", "targets[0].variant.first_comment",
		"targets[0].variant.thread[0].text", "targets[0].variant.options.spoiler_text"} {
		if !fields[f] {
			t.Errorf("no problem for %s in %v", f, he.Details)
		}
	}
	if fields["text"] {
		t.Errorf("a line break in the text was refused: %v", he.Details)
	}
	m := herald.MediaAsset{Filename: "a\x00.png", AltText: "alt\x00"}
	he, ok = m.Validate().(*herald.Error)
	if !ok || len(he.Details) != 2 || he.Details[0].Field != "filename" || he.Details[1].Field != "alt_text" {
		t.Fatalf("media: %v", he)
	}
}
