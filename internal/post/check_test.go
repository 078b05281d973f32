package post

import "testing"

func TestContainsWord(t *testing.T) {
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
	}
	for _, c := range cases {
		if got := containsWord(c.text, c.word); got != c.want {
			t.Errorf("containsWord(%q, %q) = %v, want %v", c.text, c.word, got, c.want)
		}
	}
}
