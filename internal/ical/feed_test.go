package ical_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	goical "github.com/arran4/golang-ical"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
	"github.com/heraldsocial/herald/internal/teststore"
)

type clock struct{ t time.Time }

func (c clock) Now() time.Time { return c.t }

func stores(t *testing.T, fn func(t *testing.T, s herald.Store)) { teststore.Each(t, fn) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// nyWorld is a New York workspace with an owner and one account.
type nyWorld struct {
	s     herald.Store
	ws    herald.Workspace
	owner herald.Actor
	acct  herald.Account
	loc   *time.Location
}

func newNYWorld(t *testing.T, s herald.Store) *nyWorld {
	t.Helper()
	ctx := t.Context()
	w := &nyWorld{s: s, ws: herald.Workspace{Name: "Acme, Inc.", TimeZone: "America/New_York"}}
	must(t, s.CreateWorkspace(ctx, &w.ws))
	u := herald.User{Email: fmt.Sprintf("o%d@example.com", w.ws.ID), Name: "Owner"}
	must(t, s.CreateUser(ctx, &u))
	must(t, s.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: herald.RoleOwner}))
	w.owner = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformMastodon, RemoteID: "r1", Handle: "@acme@example.social",
		Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte{1}}}
	must(t, s.CreateAccount(ctx, &w.acct))
	var err error
	w.loc, err = time.LoadLocation("America/New_York")
	must(t, err)
	return w
}

// post makes a post on the account in state st at the local wall time
// given (2006-01-02 15:04 in New York), the later instant when offset
// says so.
func (w *nyWorld) post(t *testing.T, st herald.TargetState, text string, at time.Time) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.UserID, Text: text,
		Targets: []herald.Target{{AccountID: w.acct.ID, State: st, ScheduledAt: &at}}}
	must(t, w.s.CreatePost(t.Context(), &p))
	return p
}

func parse(t *testing.T, doc []byte) *goical.Calendar {
	t.Helper()
	for i, l := range strings.Split(strings.TrimSuffix(string(doc), "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets (RFC 5545 folds at 75): %q", i, len(l), l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare line break", i)
		}
	}
	cal, err := goical.ParseCalendar(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, doc)
	}
	return cal
}

func eventByUIDPrefix(t *testing.T, cal *goical.Calendar, summaryPart string) *goical.VEvent {
	t.Helper()
	for _, e := range cal.Events() {
		if p := e.GetProperty(goical.ComponentPropertySummary); p != nil && strings.Contains(p.Value, summaryPart) {
			return e
		}
	}
	t.Fatalf("no event whose summary has %q", summaryPart)
	return nil
}

func TestFeedAcrossDaylightSaving(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newNYWorld(t, s)
		ctx := t.Context()
		cases := []struct {
			text  string
			at    time.Time // the instant
			local string    // its wall time in New York
		}{
			{"before spring", time.Date(2026, 3, 7, 14, 0, 0, 0, time.UTC), "2026-03-07 09:00 EST"},
			{"after spring", time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC), "2026-03-09 09:00 EDT"},
			{"first 01:30", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), "2026-11-01 01:30 EDT"},
			{"second 01:30", time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), "2026-11-01 01:30 EST"},
			{"after autumn", time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC), "2026-11-02 09:00 EST"},
		}
		for _, c := range cases {
			w.post(t, herald.StateScheduled, c.text, c.at)
		}
		for _, now := range []time.Time{time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)} {
			svc := ical.New(s, clock{now}, slog.New(slog.DiscardHandler))
			token, _, err := svc.Create(ctx, w.owner)
			must(t, err)
			doc, err := svc.Render(ctx, token, "https://herald.example.com")
			must(t, err)
			cal := parse(t, doc)
			if !bytes.Contains(doc, []byte("BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n")) {
				t.Fatal("the feed has no VTIMEZONE for the workspace's zone")
			}
			for _, c := range cases {
				if c.at.Before(now.Add(-ical.WindowBack)) || !c.at.Before(now.Add(ical.WindowAhead)) {
					continue
				}
				e := eventByUIDPrefix(t, cal, c.text)
				start, err := e.GetStartAt()
				must(t, err)
				if !start.Equal(c.at) {
					t.Errorf("%s: DTSTART reads as %s, want %s", c.text, start.UTC(), c.at)
				}
				if got := start.In(w.loc).Format("2006-01-02 15:04 MST"); got != c.local {
					t.Errorf("%s: local time %s, want %s", c.text, got, c.local)
				}
				end, err := e.GetEndAt()
				must(t, err)
				if end.Sub(start) != 15*time.Minute {
					t.Errorf("%s: lasts %s", c.text, end.Sub(start))
				}
			}
		}
	})
}

func TestFeedContentAndRevocation(t *testing.T) {
	stores(t, func(t *testing.T, s herald.Store) {
		w := newNYWorld(t, s)
		ctx := t.Context()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		svc := ical.New(s, clock{now}, slog.New(slog.DiscardHandler))
		sched := w.post(t, herald.StateScheduled, "Launch day; big news, really\nSecond line", now.Add(48*time.Hour))
		w.post(t, herald.StateInReview, "Waiting for a yes", now.Add(72*time.Hour))
		w.post(t, herald.StateDraft, "Only a draft", now.Add(96*time.Hour))
		w.post(t, herald.StateScheduled, "Too far ahead", now.Add(200*24*time.Hour))
		c := herald.Campaign{WorkspaceID: w.ws.ID, Name: "Spring sale", StartDate: "2026-05-10", EndDate: "2026-05-12"}
		must(t, s.CreateCampaign(ctx, &c))
		old := herald.Campaign{WorkspaceID: w.ws.ID, Name: "Last year", StartDate: "2025-05-10", EndDate: "2025-05-12"}
		must(t, s.CreateCampaign(ctx, &old))

		token, feed, err := svc.Create(ctx, w.owner)
		must(t, err)
		if !strings.HasPrefix(token, ical.TokenPrefix) || len(token) < 40 {
			t.Fatalf("token %q is not a long random secret", token)
		}
		if bytes.Contains(feed.TokenHash, []byte(token)) {
			t.Fatal("the token is stored as it is")
		}
		doc, err := svc.Render(ctx, token, "https://herald.example.com/")
		must(t, err)
		cal := parse(t, doc)
		if n := len(cal.Events()); n != 3 {
			t.Fatalf("%d events, want 3 (the scheduled post, the one in review, the campaign):\n%s", n, doc)
		}
		e := eventByUIDPrefix(t, cal, "Launch day")
		if got := e.GetProperty(goical.ComponentPropertySummary).Value; got != "@acme@example.social: Launch day; big news, really" {
			t.Errorf("summary %q", got)
		}
		if got := e.GetProperty(goical.ComponentPropertyUrl).Value; got != fmt.Sprintf("https://herald.example.com/w/%d/posts/%d", w.ws.ID, sched.ID) {
			t.Errorf("url %q", got)
		}
		desc := e.GetProperty(goical.ComponentPropertyDescription).Value
		if !strings.Contains(desc, "@acme@example.social (mastodon)") || !strings.Contains(desc, "Second line") {
			t.Errorf("description %q lacks the account or the text", desc)
		}
		uid := e.GetProperty(goical.ComponentPropertyUniqueId).Value
		if !strings.HasPrefix(uid, fmt.Sprintf("target-%d@", sched.Targets[0].ID)) {
			t.Errorf("uid %q is not the target's", uid)
		}
		if _, err := e.GetDtStampTime(); err != nil {
			t.Errorf("DTSTAMP: %v", err)
		}
		review := eventByUIDPrefix(t, cal, "Waiting for a yes")
		if s := review.GetProperty(goical.ComponentPropertySummary).Value; !strings.HasPrefix(s, "[in review] ") {
			t.Errorf("a post in review is not marked so: %q", s)
		}
		if st := review.GetProperty(goical.ComponentPropertyStatus).Value; st != "TENTATIVE" {
			t.Errorf("status %q, want TENTATIVE", st)
		}
		camp := eventByUIDPrefix(t, cal, "Spring sale")
		first, err := camp.GetAllDayStartAt()
		must(t, err)
		last, err := camp.GetAllDayEndAt()
		must(t, err)
		if first.Format(time.DateOnly) != "2026-05-10" || last.Format(time.DateOnly) != "2026-05-13" {
			t.Errorf("campaign runs %s to %s (exclusive), want 2026-05-10 to 2026-05-13", first, last)
		}
		// The same document twice: UIDs are stable.
		again, err := svc.Render(ctx, token, "https://herald.example.com")
		must(t, err)
		if !bytes.Equal(doc, again) {
			t.Error("two renderings at the same time differ")
		}

		// A new address revokes the old one.
		token2, _, err := svc.Create(ctx, w.owner)
		must(t, err)
		if _, err := svc.Render(ctx, token, ""); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("the replaced token: %v, want not found", err)
		}
		_, err = svc.Render(ctx, token2, "")
		must(t, err)
		must(t, svc.Revoke(ctx, w.owner))
		if _, err := svc.Render(ctx, token2, ""); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("a revoked token: %v, want not found", err)
		}
		if err := svc.Revoke(ctx, w.owner); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("revoking twice: %v, want not found", err)
		}
		for _, bad := range []string{"", "hcal_nothing", "hrld_" + token2[5:]} {
			if _, err := svc.Render(ctx, bad, ""); herald.ErrorCode(err) != herald.CodeNotFound {
				t.Errorf("token %q: %v, want not found", bad, err)
			}
		}
		// A person who leaves the workspace loses the feed.
		token3, _, err := svc.Create(ctx, w.owner)
		must(t, err)
		other := herald.User{Email: fmt.Sprintf("x%d@example.com", w.ws.ID), Name: "Other"}
		must(t, s.CreateUser(ctx, &other))
		must(t, s.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: other.ID, Role: herald.RoleOwner}))
		must(t, s.RemoveMember(ctx, w.ws.ID, w.owner.UserID))
		if _, err := svc.Render(ctx, token3, ""); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("the feed of a former member: %v, want not found", err)
		}
	})
}
