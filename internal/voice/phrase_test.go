package voice

import "testing"

func TestFindPhrase(t *testing.T) {
	cases := []struct {
		text, word string
		want       bool
	}{
		{"Big SALE today", "sale", true},
		{"wholesale prices", "sale", false},
		{"sale!", "sale", true},
		{"sales", "sale", false},
		{"join us #Acme", "#acme", true},
		{"join us #acme2026", "#acme", false},
		{"#acme, now", "#acme", true},
		{"free money here", "free money", true},
		{"carefree money", "free money", false},
		{"Ça coûte", "coûte", true},
		{"anything", " ", false},
		{"İstanbul deals", "istanbul", true},
		{"Deal: ÇA COÛTE", "ça coûte", true},
		{"snake_case", "case", false},
	}
	if m, _ := findPhrase("Big SALE today", "sale"); m != "SALE" {
		t.Errorf("match %q, want the text as written", m)
	}
	for _, c := range cases {
		if _, got := findPhrase(c.text, c.word); got != c.want {
			t.Errorf("findPhrase(%q, %q) = %v, want %v", c.text, c.word, got, c.want)
		}
	}
}
