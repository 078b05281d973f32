package faulttest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// dstBound is how late a post may reach the platform: generous for a busy
// machine, yet far below the minute or hour a wall-clock mistake around a
// daylight-saving change would cost.
const dstBound = 10 * time.Second

func TestDaylightSavingInstants(t *testing.T) {
	t.Parallel()
	type local struct {
		hour, minute int
		want         string // the UTC instant the workspace zone gives it
	}
	scenarios := []struct {
		name  string
		zone  string
		date  time.Time // the day of the change
		times []local   // in order; at most a minute apart in real time
		gap   local     // a local time the change skips (want "") or repeats
	}{
		{"New York springs forward", "America/New_York", time.Date(2027, time.March, 14, 0, 0, 0, 0, time.UTC),
			// 01:59 EST and 03:00 EDT: 61 minutes apart on the wall, one in real time.
			[]local{{1, 59, "2027-03-14T06:59:00Z"}, {3, 0, "2027-03-14T07:00:00Z"}}, local{2, 30, ""}},
		{"New York falls back", "America/New_York", time.Date(2027, time.November, 7, 0, 0, 0, 0, time.UTC),
			// 01:30 happens twice: the first (EDT) is meant.
			[]local{{1, 30, "2027-11-07T05:30:00Z"}, {1, 31, "2027-11-07T05:31:00Z"}}, local{1, 45, "2027-11-07T05:45:00Z"}},
		{"Paris springs forward", "Europe/Paris", time.Date(2027, time.March, 28, 0, 0, 0, 0, time.UTC),
			[]local{{1, 59, "2027-03-28T00:59:00Z"}, {3, 0, "2027-03-28T01:00:00Z"}}, local{2, 15, ""}},
		{"Paris falls back", "Europe/Paris", time.Date(2027, time.October, 31, 0, 0, 0, 0, time.UTC),
			// 02:30 happens twice: the first (CEST) is meant.
			[]local{{2, 30, "2027-10-31T00:30:00Z"}, {2, 31, "2027-10-31T00:31:00Z"}}, local{2, 59, "2027-10-31T00:59:00Z"}},
	}

	f := startFake(t, fakeserver.Config{Idempotency: true, Lookup: true})
	s := newSQLiteSite(t)
	type expect struct {
		what     string
		intended time.Time // the instant the local time names
		fire     time.Time // shifted to seconds from now
	}
	var plans []planned
	var expects []expect
	start := time.Now().Add(4 * time.Second).Truncate(time.Second)
	for i, sc := range scenarios {
		ws, accts := s.workspace(t, sc.zone, 1, f.url, fmt.Sprintf("dst%d-", i))
		loc, err := ws.Location()
		if err != nil {
			t.Fatalf("%s: %v", sc.zone, err)
		}
		y, m, d := sc.date.Date()
		at, ok := post.LocalInstant(y, m, d, sc.gap.hour, sc.gap.minute, loc)
		switch {
		case sc.gap.want == "" && ok:
			t.Errorf("%s: %02d:%02d should not exist, LocalInstant gave %s", sc.name, sc.gap.hour, sc.gap.minute, at.UTC())
		case sc.gap.want != "" && (!ok || at.UTC().Format(time.RFC3339) != sc.gap.want):
			t.Errorf("%s: %02d:%02d = %s %v, want the earlier %s", sc.name, sc.gap.hour, sc.gap.minute, at.UTC(), ok, sc.gap.want)
		}
		// One shift per scenario keeps the real spacing of its instants:
		// the posts go out that far apart, not as far as the wall clock says.
		var shift time.Duration
		for j, lt := range sc.times {
			intended, ok := post.LocalInstant(y, m, d, lt.hour, lt.minute, loc)
			if !ok || intended.UTC().Format(time.RFC3339) != lt.want {
				t.Fatalf("%s: %02d:%02d in %s = %s (exists %v), want %s", sc.name, lt.hour, lt.minute, sc.zone, intended.UTC(), ok, lt.want)
			}
			if j == 0 {
				shift = start.Sub(intended)
			}
			fire := intended.Add(shift)
			what := fmt.Sprintf("%s, %02d:%02d local (%s)", sc.name, lt.hour, lt.minute, intended.In(loc).Format("15:04 MST"))
			plans = append(plans, planned{acct: accts[0], at: fire, text: what})
			expects = append(expects, expect{what: what, intended: intended, fire: fire})
		}
	}
	if t.Failed() {
		return
	}
	ts := s.schedule(t, plans)
	p := startServe(t, "herald serve", s.env...)
	p.waitReady(t)

	got := s.waitSettled(t, ts, 2*time.Minute)
	l := f.ledger(t, true)
	for i, tg := range got {
		e := expects[i]
		if !tg.ScheduledAt.Equal(e.fire) {
			t.Errorf("%s: stored instant %s, want %s", e.what, tg.ScheduledAt, e.fire)
		}
		ns, ok := l.Received[s.key(t, tg)]
		if !ok || tg.State != herald.StatePublished {
			t.Errorf("%s: target %d is %s, received %v", e.what, tg.ID, tg.State, ok)
			continue
		}
		recv := time.Unix(0, ns)
		late := recv.Sub(e.fire)
		t.Logf("%s: intended %s, fired at the shifted instant + %s", e.what, e.intended.UTC().Format(time.RFC3339), late.Round(time.Millisecond))
		if late < 0 || late > dstBound {
			t.Errorf("%s: reached the platform %s after its instant %s (received %s); want within [0, %s]",
				e.what, late, e.fire.Format(time.RFC3339Nano), recv.Format(time.RFC3339Nano), dstBound)
		}
	}
	checkExactlyOnce(t, f, s, ts)
	p.stop(t)
}
