package herald

import (
	"slices"
	"testing"
)

func TestInboxSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		q      string
		terms  []string
		handle bool
	}{
		{"", nil, false},
		{"  refund  ", []string{"refund"}, false},
		{"late parcel", []string{"late", "parcel"}, false},
		{`"still waiting" refund`, []string{"still waiting", "refund"}, false},
		{`refund "no end`, []string{"refund", "no end"}, false},
		{"@alice", nil, true},
		{"@alice refund", []string{"@alice", "refund"}, false},
		{"!!!", nil, true},
		{`"" -- word`, []string{"word"}, false},
	} {
		terms, handle := InboxSearchTerms(tc.q)
		if !slices.Equal(terms, tc.terms) || handle != tc.handle {
			t.Errorf("InboxSearchTerms(%q) = %q, %v; want %q, %v", tc.q, terms, handle, tc.terms, tc.handle)
		}
	}
}
