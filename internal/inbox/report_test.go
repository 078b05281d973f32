package inbox_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

// TestReportFigures checks the report against hand-computed figures: four
// items arrive on Monday 2026-11-02 in UTC; three are answered after 10,
// 20 and 60 minutes, two marked done after 30 and 90 minutes.
func TestReportFigures(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		base := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		items := []herald.InboxItem{}
		for i, text := range []string{"one?", "two", "three", "four"} {
			items = append(items, herald.InboxItem{WorkspaceID: w.ws, AccountID: w.account.ID, RemoteID: "rep-" + text,
				AuthorID: "au", AuthorHandle: "@au", Text: text, CreatedAt: base.Add(time.Duration(i) * time.Second),
				FetchedAt: base, InboxAnalysis: herald.InboxAnalysis{Sentiment: []string{"negative", "neutral", "neutral", ""}[i]}})
		}
		if _, err := st.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		answer := func(i int, after time.Duration) {
			t.Helper()
			if err := st.MarkInboxResponded(ctx, w.ws, items[i].ID, items[i].CreatedAt.Add(after)); err != nil {
				t.Fatal(err)
			}
		}
		answer(0, 10*time.Minute)
		answer(1, 20*time.Minute)
		answer(2, 60*time.Minute)
		for i, after := range map[int]time.Duration{0: 30 * time.Minute, 2: 90 * time.Minute} {
			if err := st.SetInboxState(ctx, w.ws, []int64{items[i].ID}, herald.InboxDone, w.owner.UserID,
				items[i].CreatedAt.Add(after)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.svc.SetTarget(ctx, w.owner, herald.InboxTarget{FirstResponseMinutes: 30, Always: true}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.Report(ctx, w.owner, base.Add(-time.Hour), base.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		tot := r.Total
		if tot.Items != 4 || tot.Answered != 3 || tot.Resolved != 2 || tot.WithinTarget != 2 {
			t.Fatalf("totals %+v", tot)
		}
		// Median of 10, 20, 60 is 20; nearest-rank p90 of three is the third.
		if tot.MedianFirst != 20*time.Minute || tot.P90First != 60*time.Minute {
			t.Fatalf("first response median %v p90 %v", tot.MedianFirst, tot.P90First)
		}
		// Median of 30 and 90 is their mean, 60; p90 is 90.
		if tot.MedianResolve != 60*time.Minute || tot.P90Resolve != 90*time.Minute {
			t.Fatalf("resolution median %v p90 %v", tot.MedianResolve, tot.P90Resolve)
		}
		if r.BusinessHours {
			t.Fatal("a target counted always is not business hours")
		}
		if len(r.ByWeek) != 1 || r.ByWeek[0].Key != "2026-11-02" || len(r.ByAccount) != 1 || r.ByAccount[0].Items != 4 {
			t.Fatalf("weeks %+v accounts %+v", r.ByWeek, r.ByAccount)
		}
		if len(r.ByMember) != 0 {
			t.Fatalf("by member %+v: no answer was sent through Herald", r.ByMember)
		}
		want := map[string]int{"mention": 4, "neutral": 2, "negative": 1, "not analysed": 1}
		for _, c := range append(r.ByKind, r.BySentiment...) {
			if want[c.Key] != c.Items {
				t.Errorf("%s: %d, want %d", c.Key, c.Items, want[c.Key])
			}
		}
		var buf bytes.Buffer
		if err := r.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "total,all,All items,4,3,20.0,60.0,2,2,60.0,90.0\n") {
			t.Fatalf("csv:\n%s", buf.String())
		}

		// An empty period is an empty report; a reversed or huge one is refused.
		empty, err := w.svc.Report(ctx, w.owner, base.Add(48*time.Hour), base.Add(72*time.Hour))
		if err != nil || empty.Total.Items != 0 || empty.Total.MedianFirst != 0 {
			t.Fatalf("empty period %+v, %v", empty.Total, err)
		}
		_, err = w.svc.Report(ctx, w.owner, base, base)
		wantCode(t, err, herald.CodeInvalid, "empty range")
		_, err = w.svc.Report(ctx, w.owner, base.Add(-400*24*time.Hour), base)
		wantCode(t, err, herald.CodeInvalid, "over a year")
		_, err = w.svc.Report(ctx, w.client, base, base.Add(time.Hour))
		if err != nil {
			t.Fatalf("a client reads analytics: %v", err)
		}
	})
}
