package placeholder_test

import (
	"slices"
	"testing"

	"github.com/heraldsocial/herald/internal/placeholder"
)

var set = placeholder.Set{{Name: "date"}, {Name: "weekday"}}

func TestFind(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"no placeholders", nil},
		{"{{date}} and {{ Weekday }}", []string{"date", "weekday"}},
		{"{{Product name}}!", []string{"product name"}},
		{"{{ never closed", nil},
		{"{{a\nb}} spans lines", nil},
		{"{{{{date}}", []string{"date"}},
		{"{{}}", []string{""}},
		{"{{" + string(make([]byte, 70)) + "}}", nil},
	} {
		var got []string
		for _, u := range placeholder.Find(c.text) {
			got = append(got, u.Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Find(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestUnknownAndProblem(t *testing.T) {
	got := set.Unknown("{{date}} {{price}} {{PRICE}} {{ask}}")
	if !slices.Equal(got, []string{"price", "ask"}) {
		t.Fatalf("Unknown = %q", got)
	}
	want := "{{price}}, {{ask}} are not placeholders Herald knows: use {{date}}, {{weekday}}"
	if p := set.Problem(got); p != want {
		t.Fatalf("Problem = %q, want %q", p, want)
	}
	if p := set.Problem([]string{"x"}); p != "{{x}} is not a placeholder Herald knows: use {{date}}, {{weekday}}" {
		t.Fatalf("Problem(one) = %q", p)
	}
	if set.Problem(nil) != "" || set.Unknown("{{ date }}") != nil {
		t.Fatal("known placeholders reported")
	}
}

func TestFill(t *testing.T) {
	values := map[string]string{"date": "4 December 2026", "weekday": "Friday"}
	for in, want := range map[string]string{
		"Hello {{weekday}}, {{ DATE }}.": "Hello Friday, 4 December 2026.",
		"{{other}} stays":                "{{other}} stays",
		"plain":                          "plain",
		"{{weekday}}{{weekday}}":         "FridayFriday",
		"é {{date}} ü":                   "é 4 December 2026 ü",
	} {
		if got := placeholder.Fill(in, values); got != want {
			t.Errorf("Fill(%q) = %q, want %q", in, got, want)
		}
	}
}
