package review_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/review"
	"github.com/heraldsocial/herald/internal/teststore"
)

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// recorder is a notifier that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	got []herald.Notification
}

func (r *recorder) Notify(_ context.Context, n herald.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type world struct {
	st       herald.Store
	clock    *clock
	posts    *post.Service
	svc      *review.Service
	notes    *recorder
	ws       herald.Workspace
	acct     herald.Account
	campaign herald.Campaign
	actors   map[herald.Role]herald.Actor
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func forEachStore(t *testing.T, fn func(t *testing.T, w *world)) {
	t.Helper()
	teststore.Each(t, func(t *testing.T, st herald.Store) { fn(t, newWorld(t, st, "Acme")) })
}

func newWorld(t *testing.T, st herald.Store, name string) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{st: st, clock: &clock{t: start}, notes: &recorder{}, actors: map[herald.Role]herald.Actor{}}
	w.ws = herald.Workspace{Name: name, TimeZone: "Europe/Paris", CreatedAt: start, UpdatedAt: start}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	for _, r := range herald.Roles {
		u := herald.User{Email: string(r) + "@" + strings.ToLower(name) + ".example", Name: "The " + string(r),
			PasswordHash: "x", CreatedAt: start, UpdatedAt: start}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r}))
		w.actors[r] = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: r}
	}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: name, Status: herald.AccountConnected, CreatedAt: start, UpdatedAt: start}
	must(t, st.CreateAccount(ctx, &w.acct))
	w.campaign = herald.Campaign{WorkspaceID: w.ws.ID, Name: "Spring", CreatedAt: start, UpdatedAt: start}
	must(t, st.CreateCampaign(ctx, &w.campaign))
	logger := slog.New(slog.DiscardHandler)
	w.posts = post.New(st, w.clock, logger)
	w.svc = review.New(st, w.posts, w.clock, logger, review.WithNotifier(w.notes))
	return w
}

// post writes a post by the contributor at the given time on the
// workspace's account, in campaign when campaign is set, and submits it
// when submit is true.
func (w *world) post(t *testing.T, text string, at time.Time, campaign bool, submit bool) herald.Post {
	t.Helper()
	in := herald.Post{Text: text, Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}
	if campaign {
		in.CampaignID = &w.campaign.ID
	}
	action := post.ActionDraft
	if submit {
		action = post.ActionSubmit
	}
	p, err := w.posts.Create(t.Context(), w.actors[herald.RoleContributor], in, action)
	must(t, err)
	return p
}

func (w *world) link(t *testing.T, in review.NewLink) (string, herald.ReviewLink) {
	t.Helper()
	token, l, err := w.svc.Create(t.Context(), w.actors[herald.RoleManager], in)
	must(t, err)
	return token, l
}

func wantCode(t *testing.T, err error, code herald.Code, field string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if field == "" {
		return
	}
	var he *herald.Error
	errors.As(err, &he)
	for _, d := range he.Details {
		if d.Field == field {
			return
		}
	}
	t.Fatalf("error %v names no field %q (details %+v)", err, field, he.Details)
}

func TestLinkValidate(t *testing.T) {
	from, to := start, start.Add(48*time.Hour)
	camp := int64(3)
	for _, c := range []struct {
		name  string
		link  herald.ReviewLink
		field string
	}{
		{"no name", herald.ReviewLink{CampaignID: &camp, ExpiresAt: start.Add(time.Hour)}, "name"},
		{"control character", herald.ReviewLink{Name: "A\x00", CampaignID: &camp, ExpiresAt: start.Add(time.Hour)}, "name"},
		{"no scope", herald.ReviewLink{Name: "Acme", ExpiresAt: start.Add(time.Hour)}, "scope"},
		{"both scopes", herald.ReviewLink{Name: "Acme", CampaignID: &camp, From: &from, To: &to, ExpiresAt: start.Add(time.Hour)}, "scope"},
		{"no end", herald.ReviewLink{Name: "Acme", From: &from, ExpiresAt: start.Add(time.Hour)}, "to"},
		{"end before start", herald.ReviewLink{Name: "Acme", From: &to, To: &from, ExpiresAt: start.Add(time.Hour)}, "to"},
		{"expired", herald.ReviewLink{Name: "Acme", CampaignID: &camp, ExpiresAt: start}, "expires_at"},
		{"too long", herald.ReviewLink{Name: "Acme", CampaignID: &camp, ExpiresAt: start.Add(91 * 24 * time.Hour)}, "expires_at"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, c.link.Validate(start), herald.CodeInvalid, c.field)
		})
	}
	ok := herald.ReviewLink{Name: " Acme ", From: &from, To: &to, ExpiresAt: start.Add(herald.ReviewLinkMaxTTL)}
	must(t, ok.Validate(start))
	if ok.Name != "Acme" {
		t.Fatalf("name %q not trimmed", ok.Name)
	}
	if got := ok.Status(start.Add(herald.ReviewLinkMaxTTL)); got != herald.ReviewLinkExpired {
		t.Fatalf("status at expiry = %s", got)
	}
}

func TestCreateListRevoke(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		for _, r := range []herald.Role{herald.RoleEditor, herald.RoleContributor, herald.RoleClient, herald.RoleAnalyst} {
			_, _, err := w.svc.Create(ctx, w.actors[r], review.NewLink{Name: "x", CampaignID: w.campaign.ID})
			wantCode(t, err, herald.CodeForbidden, "")
		}
		_, _, err := w.svc.Create(ctx, w.actors[herald.RoleManager], review.NewLink{Name: "x", CampaignID: 999})
		wantCode(t, err, herald.CodeInvalid, "campaign_id")
		_, _, err = w.svc.Create(ctx, w.actors[herald.RoleManager], review.NewLink{Name: "x", FromDate: "2026-03-40", ToDate: "2026-03-10"})
		wantCode(t, err, herald.CodeInvalid, "from")
		_, _, err = w.svc.Create(ctx, w.actors[herald.RoleManager], review.NewLink{Name: "x", CampaignID: w.campaign.ID, Password: "short"})
		wantCode(t, err, herald.CodeInvalid, "password")

		token, l := w.link(t, review.NewLink{Name: "Acme marketing team", FromDate: "2026-03-02", ToDate: "2026-03-08"})
		if !strings.HasPrefix(token, review.TokenPrefix) || len(token) < 40 {
			t.Fatalf("token %q", token)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		if !l.From.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, paris)) || !l.To.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, paris)) {
			t.Fatalf("range [%v, %v), want the 2nd to the 8th of March in Paris, both included", l.From, l.To)
		}
		if !l.ExpiresAt.Equal(start.Add(herald.ReviewLinkDefaultTTL)) {
			t.Fatalf("expires %v, want 14 days from now", l.ExpiresAt)
		}
		list, err := w.svc.List(ctx, w.actors[herald.RoleAdmin])
		must(t, err)
		if len(list) != 1 || list[0].ID != l.ID {
			t.Fatalf("list = %+v", list)
		}
		other := newWorld(t, w.st, "Other")
		_, err = w.svc.Revoke(ctx, other.actors[herald.RoleOwner], l.ID)
		wantCode(t, err, herald.CodeNotFound, "")
		got, err := w.svc.Revoke(ctx, w.actors[herald.RoleManager], l.ID)
		must(t, err)
		if got.Status(w.clock.Now()) != herald.ReviewLinkRevoked {
			t.Fatalf("status after revoke = %s", got.Status(w.clock.Now()))
		}
		_, err = w.svc.Open(ctx, token)
		var gone *review.GoneError
		if !errors.As(err, &gone) || gone.Status != herald.ReviewLinkRevoked || gone.Contact != "The manager" {
			t.Fatalf("Open(revoked) = %v, want gone, revoked, made by the manager", err)
		}
	})
}

func TestOpen(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		token, l := w.link(t, review.NewLink{Name: "Acme marketing team", CampaignID: w.campaign.ID,
			ExpiresAt: new(start.Add(24 * time.Hour)), Password: "correct horse battery"})
		v, err := w.svc.Open(ctx, token)
		must(t, err)
		if v.Actor.ReviewLinkID != l.ID || v.Actor.Name != "Acme marketing team" || v.Actor.Role != herald.RoleClient || v.Actor.UserID != 0 {
			t.Fatalf("actor = %+v", v.Actor)
		}
		for _, bad := range []string{"", "hrev_", token + "x", strings.TrimPrefix(token, review.TokenPrefix)} {
			_, err := w.svc.Open(ctx, bad)
			wantCode(t, err, herald.CodeNotFound, "")
		}
		wantCode(t, w.svc.CheckPassword(ctx, v, "wrong password", "192.0.2.1:5555"), herald.CodeUnauthorized, "password")
		must(t, w.svc.CheckPassword(ctx, v, "correct horse battery", "192.0.2.1:5555"))
		// Five wrong guesses from one address block it; another address still may.
		for range 5 {
			wantCode(t, w.svc.CheckPassword(ctx, v, "nope", "192.0.2.2:1"), herald.CodeUnauthorized, "")
		}
		wantCode(t, w.svc.CheckPassword(ctx, v, "correct horse battery", "192.0.2.2:1"), herald.CodeRateLimited, "")
		must(t, w.svc.CheckPassword(ctx, v, "correct horse battery", "192.0.2.3:1"))

		w.clock.add(24 * time.Hour)
		_, err = w.svc.Open(ctx, token)
		var gone *review.GoneError
		if !errors.As(err, &gone) || gone.Status != herald.ReviewLinkExpired || !gone.At.Equal(l.ExpiresAt) {
			t.Fatalf("Open(expired) = %v", err)
		}
	})
}

func TestScopeAndDecisions(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		day := start.Add(24 * time.Hour)
		inReview := w.post(t, "Spring is here #spring", day, true, true)
		toChange := w.post(t, "Spring sale soon", day.Add(time.Hour), true, true)
		draft := w.post(t, "Still a draft", day.Add(2*time.Hour), true, false)
		outside := w.post(t, "Not in the campaign", day, false, true)
		token, l := w.link(t, review.NewLink{Name: "Acme marketing team", CampaignID: w.campaign.ID})
		v, err := w.svc.Open(ctx, token)
		must(t, err)
		ps, err := w.svc.Posts(ctx, v)
		must(t, err)
		if len(ps) != 3 || ps[0].ID != inReview.ID || ps[1].ID != toChange.ID || ps[2].ID != draft.ID {
			t.Fatalf("posts in scope = %d, want the campaign's three by time", len(ps))
		}
		_, err = w.svc.Decide(ctx, v, outside.ID, herald.VerdictApprove, "")
		wantCode(t, err, herald.CodeNotFound, "")
		_, err = w.svc.Decide(ctx, v, toChange.ID, herald.VerdictRequestChanges, "  ")
		wantCode(t, err, herald.CodeInvalid, "comment")

		d, err := w.svc.Decide(ctx, v, inReview.ID, herald.VerdictApprove, "Lovely")
		must(t, err)
		if d.Outcome != herald.ReviewApplied {
			t.Fatalf("approve outcome %s (%s)", d.Outcome, d.Note)
		}
		got, err := w.posts.Get(ctx, w.actors[herald.RoleManager], inReview.ID)
		must(t, err)
		if got.Targets[0].State != herald.StateApproved {
			t.Fatalf("state after approval %s", got.Targets[0].State)
		}
		d2, err := w.svc.Decide(ctx, v, toChange.ID, herald.VerdictRequestChanges, "Say 20% off")
		must(t, err)
		got, err = w.posts.Get(ctx, w.actors[herald.RoleManager], toChange.ID)
		must(t, err)
		if d2.Outcome != herald.ReviewApplied || got.Targets[0].State != herald.StateDraft {
			t.Fatalf("request changes: outcome %s, state %s", d2.Outcome, got.Targets[0].State)
		}
		// A draft that was never submitted: kept as it is, the verdict recorded.
		d3, err := w.svc.Decide(ctx, v, draft.ID, herald.VerdictApprove, "Fine by us")
		must(t, err)
		if d3.Outcome != herald.ReviewRecorded || !strings.Contains(d3.Note, "left as it is") {
			t.Fatalf("approve a draft: %+v", d3)
		}

		// The history and the audit log name the link, not a member.
		hist, err := w.posts.Transitions(ctx, w.actors[herald.RoleManager], got.Targets[0].ID)
		must(t, err)
		last := hist[len(hist)-1]
		if last.ActorName != "Acme marketing team" || last.ActorID != nil || !strings.Contains(last.Reason, "Say 20% off") {
			t.Fatalf("last transition %+v", last)
		}
		entries, _, err := w.st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "post", ObjectID: inReview.ID})
		must(t, err)
		var actions []string
		for _, e := range entries {
			if e.ActorName == "Acme marketing team" {
				actions = append(actions, e.Action)
			}
		}
		if strings.Join(actions, ",") != "review.decide,post.approve" {
			t.Fatalf("audit entries under the link's name: %v", actions)
		}

		// The team sees the decisions on the post and on the link.
		onPost, err := w.svc.Decisions(ctx, w.actors[herald.RoleContributor], 0, toChange.ID)
		must(t, err)
		if len(onPost) != 1 || onPost[0].Comment != "Say 20% off" || onPost[0].LinkName != l.Name {
			t.Fatalf("decisions on the post %+v", onPost)
		}
		onLink, err := w.svc.Decisions(ctx, w.actors[herald.RoleManager], l.ID, 0)
		must(t, err)
		if len(onLink) != 3 {
			t.Fatalf("decisions on the link: %d", len(onLink))
		}
		_, err = w.svc.Decisions(ctx, w.actors[herald.RoleContributor], l.ID, 0)
		wantCode(t, err, herald.CodeForbidden, "")

		// The author was told, once per decision, by the link's name.
		if len(w.notes.got) != 3 {
			t.Fatalf("%d notifications", len(w.notes.got))
		}
		n := w.notes.got[1]
		if n.Kind != herald.NotifyChangesRequested || n.Actor != "Acme marketing team" || n.ActorID != 0 ||
			len(n.UserIDs) != 1 || n.UserIDs[0] != w.actors[herald.RoleContributor].UserID || n.Key == w.notes.got[0].Key ||
			!strings.Contains(n.Message, "Say 20% off") {
			t.Fatalf("notification %+v", n)
		}
		if w.notes.got[0].Kind != herald.NotifyApprovalGiven {
			t.Fatalf("first notification %s", w.notes.got[0].Kind)
		}

		// Another workspace's link never reaches these posts.
		other := newWorld(t, w.st, "Other")
		otoken, _ := other.link(t, review.NewLink{Name: "Them", FromDate: "2026-03-01", ToDate: "2026-03-31"})
		ov, err := other.svc.Open(ctx, otoken)
		must(t, err)
		_, err = other.svc.Decide(ctx, ov, inReview.ID, herald.VerdictApprove, "")
		wantCode(t, err, herald.CodeNotFound, "")
		ops, err := other.svc.Posts(ctx, ov)
		must(t, err)
		if len(ops) != 0 {
			t.Fatalf("another workspace's link shows %d posts", len(ops))
		}
	})
}

func TestDateRangeScope(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := t.Context()
		paris, _ := time.LoadLocation("Europe/Paris")
		// 23:30 in Paris on the 8th is the 8th there (22:30 UTC): inside.
		in := w.post(t, "Late on the 8th", time.Date(2026, 3, 8, 23, 30, 0, 0, paris), false, true)
		w.post(t, "Just after midnight on the 9th", time.Date(2026, 3, 9, 0, 10, 0, 0, paris), false, true)
		token, _ := w.link(t, review.NewLink{Name: "Week 10", FromDate: "2026-03-02", ToDate: "2026-03-08"})
		v, err := w.svc.Open(ctx, token)
		must(t, err)
		ps, err := w.svc.Posts(ctx, v)
		must(t, err)
		if len(ps) != 1 || ps[0].ID != in.ID {
			t.Fatalf("posts in the range: %d", len(ps))
		}
	})
}
