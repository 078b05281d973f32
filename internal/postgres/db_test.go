package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	db, _ := pgtest.OpenUnmigrated(t)
	ctx := t.Context()

	current, err := db.MigrationsCurrent(ctx)
	if err != nil {
		t.Fatalf("MigrationsCurrent before Migrate: %v", err)
	}
	if current {
		t.Fatal("MigrationsCurrent before Migrate = true, want false")
	}
	for i := range 2 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
		current, err := db.MigrationsCurrent(ctx)
		if err != nil {
			t.Fatalf("MigrationsCurrent after Migrate #%d: %v", i+1, err)
		}
		if !current {
			t.Fatalf("MigrationsCurrent after Migrate #%d = false, want true", i+1)
		}
	}
}

func TestConcurrentMigrate(t *testing.T) {
	db, _ := pgtest.OpenUnmigrated(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	if ok, err := db.MigrationsCurrent(ctx); err != nil || !ok {
		t.Fatalf("MigrationsCurrent = %v, %v; want true, nil", ok, err)
	}
}

func TestDBBasics(t *testing.T) {
	db := pgtest.Open(t)
	if got := db.Dialect(); got != "postgres" {
		t.Fatalf("Dialect = %q, want postgres", got)
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if db.Pool() == nil {
		t.Fatal("Pool = nil")
	}
}

func TestOpenPoolSize(t *testing.T) {
	url := pgtest.URL(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	tests := []struct {
		name string
		url  string
		want int32
	}{
		{"default", url, postgres.DefaultMaxConns},
		{"from URL", url + sep + "pool_max_conns=3", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := postgres.Open(t.Context(), tc.url)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			if got := db.Pool().Config().MaxConns; got != tc.want {
				t.Fatalf("MaxConns = %d, want %d", got, tc.want)
			}
			if err := db.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
		})
	}
}

func TestOpenBadURL(t *testing.T) {
	_, err := postgres.Open(t.Context(), "postgres://u:secret@[::1:5432/db")
	if herald.ErrorCode(err) != herald.CodeInvalid {
		t.Fatalf("Open(bad URL) = %v, want code %s", err, herald.CodeInvalid)
	}
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Details) == 0 {
		t.Fatalf("Open(bad URL) = %v, want field details", err)
	}
}

// fixture is a workspace with a user and an account, for post tests.
type fixture struct {
	ws      herald.Workspace
	user    herald.User
	account herald.Account
}

func mustFixture(t *testing.T, s herald.Tx) fixture {
	t.Helper()
	ctx := t.Context()
	now := herald.SystemClock{}.Now()
	f := fixture{
		ws:   herald.Workspace{Name: "Acme", TimeZone: "Europe/Paris", CreatedAt: now, UpdatedAt: now},
		user: herald.User{Email: "Ana@Example.com", Name: "Ana", CreatedAt: now, UpdatedAt: now},
	}
	if err := s.CreateWorkspace(ctx, &f.ws); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	if err := s.CreateUser(ctx, &f.user); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	f.account = herald.Account{WorkspaceID: f.ws.ID, Platform: herald.PlatformMastodon, RemoteID: "1",
		Handle: "@acme@example.social", Status: herald.AccountConnected}
	if err := s.CreateAccount(ctx, &f.account); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return f
}

func mustPost(t *testing.T, s herald.Tx, f fixture) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Text: "hello",
		Targets: []herald.Target{{AccountID: f.account.ID, State: herald.StateScheduled}}}
	if err := s.CreatePost(t.Context(), &p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	return p
}

// race runs fn from n goroutines released at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner checks exactly one error is nil and the rest are conflicts.
func wantOneWinner(t *testing.T, what string, errs []error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, herald.ErrConflict):
			t.Fatalf("%s: loser got %v, want a conflict", what, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%s: %d winners, want exactly 1 (errors: %v)", what, wins, errs)
	}
}

func TestConcurrentUpdatePost(t *testing.T) {
	db := pgtest.Open(t)
	ctx := t.Context()
	p := mustPost(t, db, mustFixture(t, db))

	const n = 4
	errs := race(n, func(i int) error {
		mine := p
		mine.Targets = append([]herald.Target(nil), p.Targets...)
		mine.Text = "edit " + string(rune('a'+i))
		return db.UpdatePost(context.WithoutCancel(ctx), &mine, p.Version)
	})
	wantOneWinner(t, "UpdatePost", errs)

	got, err := db.GetPost(ctx, p.WorkspaceID, p.ID)
	if err != nil {
		t.Fatalf("GetPost: %v", err)
	}
	if got.Version != p.Version+1 {
		t.Fatalf("Version = %d, want %d", got.Version, p.Version+1)
	}
	for i, err := range errs {
		if err == nil && got.Text != "edit "+string(rune('a'+i)) {
			t.Fatalf("Text = %q, want the winner's edit %q", got.Text, "edit "+string(rune('a'+i)))
		}
	}
}

func TestConcurrentTransitionTarget(t *testing.T) {
	db := pgtest.Open(t)
	ctx := t.Context()
	p := mustPost(t, db, mustFixture(t, db))
	target := p.Targets[0]

	const n = 4
	errs := race(n, func(int) error {
		mine := target
		tr, err := mine.Transition(herald.StatePublishing, nil, "claim", herald.SystemClock{}.Now())
		if err != nil {
			return err
		}
		return db.TransitionTarget(context.WithoutCancel(ctx), &mine, tr)
	})
	wantOneWinner(t, "TransitionTarget", errs)

	history, err := db.ListTargetTransitions(ctx, p.WorkspaceID, target.ID)
	if err != nil {
		t.Fatalf("ListTargetTransitions: %v", err)
	}
	if len(history) != 1 {
		t.Fatalf("history has %d transitions, want 1", len(history))
	}
}

func TestInTxRollsBack(t *testing.T) {
	db := pgtest.Open(t)
	ctx := t.Context()
	f := mustFixture(t, db)
	boom := errors.New("boom")
	var inTx herald.Post
	err := db.InTx(ctx, func(tx herald.Tx) error {
		inTx = mustPost(t, tx, f)
		// A failing statement inside the transaction must not poison it:
		// store methods that need several statements run in a savepoint.
		dup := herald.Post{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Targets: []herald.Target{
			{AccountID: f.account.ID}, {AccountID: f.account.ID}}}
		if err := tx.CreatePost(ctx, &dup); !errors.Is(err, herald.ErrConflict) {
			t.Errorf("CreatePost(same account twice) = %v, want conflict", err)
		}
		if _, err := tx.GetPost(ctx, f.ws.ID, inTx.ID); err != nil {
			t.Errorf("GetPost after failed CreatePost in tx: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if _, err := db.GetPost(ctx, f.ws.ID, inTx.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("GetPost after rollback = %v, want not found", err)
	}
}

func TestErrorsNameWhatClashed(t *testing.T) {
	db := pgtest.Open(t)
	ctx := t.Context()
	f := mustFixture(t, db)
	other := herald.Workspace{Name: "Other", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &other); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	label := herald.Label{WorkspaceID: other.ID, Name: "Launch", Color: "#000000"}
	if err := db.CreateLabel(ctx, &label); err != nil {
		t.Fatalf("CreateLabel: %v", err)
	}
	campaign := herald.Campaign{WorkspaceID: other.ID, Name: "Spring"}
	if err := db.CreateCampaign(ctx, &campaign); err != nil {
		t.Fatalf("CreateCampaign: %v", err)
	}

	tests := []struct {
		name  string
		run   func() error
		code  herald.Code
		field string
	}{
		{"duplicate email, other case", func() error {
			u := herald.User{Email: "ANA@example.com", Name: "Ana again"}
			return db.CreateUser(ctx, &u)
		}, herald.CodeConflict, "email"},
		{"duplicate label name, other case", func() error {
			l := herald.Label{WorkspaceID: other.ID, Name: "launch", Color: "#ffffff"}
			return db.CreateLabel(ctx, &l)
		}, herald.CodeConflict, "name"},
		{"target on another workspace's account", func() error {
			acct := herald.Account{WorkspaceID: other.ID, Platform: herald.PlatformFake, RemoteID: "x",
				Handle: "x", Status: herald.AccountConnected}
			if err := db.CreateAccount(ctx, &acct); err != nil {
				return err
			}
			p := herald.Post{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, Targets: []herald.Target{{AccountID: acct.ID}}}
			return db.CreatePost(ctx, &p)
		}, herald.CodeConflict, "targets.account_id"},
		{"label of another workspace", func() error {
			p := herald.Post{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, LabelIDs: []int64{label.ID}}
			return db.CreatePost(ctx, &p)
		}, herald.CodeConflict, "label_ids"},
		{"campaign of another workspace", func() error {
			p := herald.Post{WorkspaceID: f.ws.ID, AuthorID: f.user.ID, CampaignID: &campaign.ID}
			return db.CreatePost(ctx, &p)
		}, herald.CodeConflict, "campaign_id"},
		{"member of a missing workspace", func() error {
			return db.AddMember(ctx, &herald.Membership{WorkspaceID: other.ID + 1000, UserID: f.user.ID, Role: herald.RoleEditor})
		}, herald.CodeConflict, "workspace_id"},
		{"campaign date out of range", func() error {
			c := herald.Campaign{WorkspaceID: f.ws.ID, Name: "Bad", StartDate: "2026-02-30"}
			return db.CreateCampaign(ctx, &c)
		}, herald.CodeInvalid, ""},
		{"update a post of another workspace", func() error {
			p := mustPost(t, db, f)
			p.WorkspaceID = other.ID
			return db.UpdatePost(ctx, &p, p.Version)
		}, herald.CodeNotFound, ""},
		{"stale post version", func() error {
			p := mustPost(t, db, f)
			return db.UpdatePost(ctx, &p, p.Version+1)
		}, herald.CodeConflict, ""},
		{"bad cursor", func() error {
			_, _, err := db.ListPosts(ctx, herald.PostFilter{WorkspaceID: f.ws.ID, Page: herald.Page{Cursor: "@@"}})
			return err
		}, herald.CodeBadRequest, "cursor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v has code %q, want %q", err, got, tc.code)
			}
			var he *herald.Error
			if !errors.As(err, &he) || he.Message == "" {
				t.Fatalf("error %v carries no message", err)
			}
			if tc.field == "" {
				return
			}
			for _, d := range he.Details {
				if d.Field == tc.field {
					return
				}
			}
			t.Fatalf("error %v has details %v, want field %q", err, he.Details, tc.field)
		})
	}
}

func TestTimesComeBackInUTC(t *testing.T) {
	db := pgtest.Open(t)
	ctx := t.Context()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	when := time.Date(2026, 5, 4, 9, 30, 0, 123456000, tokyo)
	w := herald.Workspace{Name: "Tokyo", TimeZone: "Asia/Tokyo", CreatedAt: when, UpdatedAt: when}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	got, err := db.GetWorkspace(ctx, w.ID)
	if err != nil {
		t.Fatalf("GetWorkspace: %v", err)
	}
	if got.CreatedAt.Location() != time.UTC || !got.CreatedAt.Equal(when) {
		t.Fatalf("CreatedAt = %v, want %v in UTC", got.CreatedAt, when.UTC())
	}
}
