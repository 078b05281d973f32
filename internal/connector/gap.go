package connector

import "strings"

// Gap is an inbox read left unfinished. Platforms that page from the
// newest backwards cannot reach an old cursor in one read after a long
// outage; the cursor then keeps what is left: the old cursor (Since), the
// platform's page reference to go on from (Resume) and the newest item
// seen (Newest), from which reading goes on once the span is read.
type Gap struct {
	Since, Resume, Newest string
}

const gapPrefix = "gap\t"

// String is the gap as a cursor (none of its parts may hold a tab).
func (g Gap) String() string { return gapPrefix + g.Since + "\t" + g.Resume + "\t" + g.Newest }

// ParseGap reads cursor: the gap it holds, or ok false for a plain cursor.
// A malformed gap is a zero Gap with ok true: reading starts again from
// the newest.
func ParseGap(cursor string) (g Gap, ok bool) {
	rest, ok := strings.CutPrefix(cursor, gapPrefix)
	if !ok {
		return Gap{}, false
	}
	parts := strings.Split(rest, "\t")
	if len(parts) != 3 {
		return Gap{}, true
	}
	return Gap{Since: parts[0], Resume: parts[1], Newest: parts[2]}, true
}
