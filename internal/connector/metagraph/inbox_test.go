package metagraph

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

func TestInboxCursor(t *testing.T) {
	keys := []string{"c", "t"}
	cases := []struct {
		in   string
		want []InboxMark
	}{
		{"", []InboxMark{{}, {}}},
		{"1700000000|a,b", []InboxMark{{At: 1700000000, Seen: []string{"a", "b"}}, {}}}, // a single-source cursor
		{"1700000000|", []InboxMark{{At: 1700000000}, {}}},
		{"garbage", []InboxMark{{}, {}}},
		{"c=1700000000|a;t=1700000100|x,y", []InboxMark{{At: 1700000000, Seen: []string{"a"}}, {At: 1700000100, Seen: []string{"x", "y"}}}},
		{"c=;t=1700000100|x", []InboxMark{{}, {At: 1700000100, Seen: []string{"x"}}}},
	}
	for _, c := range cases {
		got := ParseInboxCursor(c.in, keys...)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseInboxCursor(%q) = %+v, want %+v", c.in, got, c.want)
		}
		if back := ParseInboxCursor(FormatInboxCursor(keys, got), keys...); !reflect.DeepEqual(back, got) {
			t.Errorf("%q does not survive a round trip: %+v", c.in, back)
		}
	}
	if s := FormatInboxCursor(keys, []InboxMark{{At: 5, Seen: []string{"a"}}}); s != "c=5|a;t=" {
		t.Errorf("FormatInboxCursor = %q", s)
	}
}

func TestInboxMarkAdvance(t *testing.T) {
	at := func(s int64) time.Time { return time.Unix(s, 0) }
	m := InboxMark{At: 100, Seen: []string{"a"}}
	if !m.Passed("a", at(100)) || m.Passed("b", at(100)) || !m.Passed("z", at(99)) || m.Passed("z", at(101)) {
		t.Error("Passed is wrong about the mark's second")
	}
	if got := m.Advance(nil); !reflect.DeepEqual(got, m) {
		t.Errorf("no items moved the mark to %+v", got)
	}
	same := m.Advance([]connector.Mention{{RemoteID: "b", CreatedAt: at(100)}})
	if same.At != 100 || strings.Join(same.Seen, ",") != "a,b" {
		t.Errorf("an item in the mark's second gave %+v", same)
	}
	later := m.Advance([]connector.Mention{{RemoteID: "b", CreatedAt: at(100)}, {RemoteID: "c", CreatedAt: at(120)}, {RemoteID: "d", CreatedAt: at(120)}})
	if later.At != 120 || strings.Join(later.Seen, ",") != "c,d" {
		t.Errorf("later items gave %+v", later)
	}
}

func TestMergeInbox(t *testing.T) {
	at := func(s int64) time.Time { return time.Unix(s, 0) }
	first := []connector.Mention{{RemoteID: "r1", CreatedAt: at(10)}, {RemoteID: "both", CreatedAt: at(30), Text: "reply"}}
	more := []connector.Mention{{RemoteID: "m1", CreatedAt: at(20)}, {RemoteID: "both", CreatedAt: at(30), Text: "mention"}, {RemoteID: "m0", CreatedAt: at(5)}}
	got := MergeInbox(first, more)
	var ids []string
	for _, m := range got {
		ids = append(ids, m.RemoteID+":"+m.Text)
	}
	if s := strings.Join(ids, " "); s != "m0: r1: m1: both:reply" {
		t.Errorf("merged %s", s)
	}
}

func TestPermissionMissing(t *testing.T) {
	wrap := func(code int) error {
		return fmt.Errorf("call: %w", &connector.Error{Class: connector.AuthRevoked, Err: &CodeError{Code: code}})
	}
	for code, want := range map[int]bool{10: true, 200: true, 299: true, 190: false, 100: false, 4: false} {
		if got := PermissionMissing(wrap(code)); got != want {
			t.Errorf("code %d: %v, want %v", code, got, want)
		}
	}
	if PermissionMissing(errors.New("no code")) || PermissionMissing(nil) {
		t.Error("an error without Meta's code counts as a missing permission")
	}
}

func TestEachPage(t *testing.T) {
	pages := map[string]CursorPage[int]{}
	mk := func(after string, next string, items ...int) {
		p := CursorPage[int]{Data: items}
		p.Paging.Cursors.After = next
		pages[after] = p
	}
	mk("", "a", 1, 2)
	mk("a", "b", 3, 4)
	mk("b", "b", 5) // a repeated cursor ends the walk
	var asked []string
	fetch := func(after string) (CursorPage[int], error) {
		asked = append(asked, after)
		return pages[after], nil
	}
	var got []int
	capped, err := EachPage(10, fetch, func(n int) bool { got = append(got, n); return true })
	if err != nil || capped || fmt.Sprint(got) != "[1 2 3 4 5]" || strings.Join(asked, ",") != ",a,b" {
		t.Errorf("walk: %v %v %v asked %q", got, capped, err, asked)
	}
	asked, got = nil, nil
	capped, _ = EachPage(2, fetch, func(n int) bool { got = append(got, n); return true })
	if !capped || fmt.Sprint(got) != "[1 2 3 4]" {
		t.Errorf("two pages at most: %v capped %v", got, capped)
	}
	asked, got = nil, nil
	capped, _ = EachPage(10, fetch, func(n int) bool { got = append(got, n); return n < 3 })
	if capped || fmt.Sprint(got) != "[1 2 3]" || len(asked) != 2 {
		t.Errorf("stopping at 3: %v, asked %q", got, asked)
	}
	boom := errors.New("boom")
	if _, err := EachPage(10, func(string) (CursorPage[int], error) { return CursorPage[int]{}, boom }, func(int) bool { return true }); !errors.Is(err, boom) {
		t.Errorf("the fetch error is lost: %v", err)
	}
}
