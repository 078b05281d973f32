package api_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// TestPublishingIsolation: an editor of workspace A gets 404 for every
// post, target, account and media asset of workspace B, whatever they try.
func TestPublishingIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		tgt := w.bPost.Targets[0].ID
		cases := []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, pubPath(w.a, "/posts/%d", w.bPost.ID), nil},
			{http.MethodPatch, pubPath(w.a, "/posts/%d", w.bPost.ID), map[string]any{"text": "pwned"}},
			{http.MethodDelete, pubPath(w.a, "/posts/%d", w.bPost.ID), nil},
			{http.MethodPost, pubPath(w.a, "/posts/%d/submit", w.bPost.ID), nil},
			{http.MethodPost, pubPath(w.a, "/posts/%d/schedule", w.bPost.ID), nil},
			{http.MethodPost, pubPath(w.a, "/posts/%d/cancel", w.bPost.ID), nil},
			{http.MethodPost, pubPath(w.a, "/posts/%d/unschedule", w.bPost.ID), nil},
			{http.MethodGet, pubPath(w.a, "/posts/%d/targets/%d/transitions", w.bPost.ID, tgt), nil},
			{http.MethodGet, pubPath(w.a, "/accounts/%d", w.bAcct.ID), nil},
			{http.MethodPatch, pubPath(w.a, "/accounts/%d", w.bAcct.ID), map[string]any{"display_name": "pwned"}},
			{http.MethodDelete, pubPath(w.a, "/accounts/%d", w.bAcct.ID), nil},
			{http.MethodGet, pubPath(w.a, "/media/%d", w.bMedia.ID), nil},
			{http.MethodGet, pubPath(w.a, "/media/%d/file", w.bMedia.ID), nil},
			{http.MethodPatch, pubPath(w.a, "/media/%d", w.bMedia.ID), map[string]any{"alt_text": "pwned"}},
			{http.MethodDelete, pubPath(w.a, "/media/%d", w.bMedia.ID), nil},
			// B's workspace itself, with A's token.
			{http.MethodGet, pubPath(w.b, "/posts/%d", w.bPost.ID), nil},
			{http.MethodGet, pubPath(w.b, "/media/%d/file", w.bMedia.ID), nil},
		}
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				res := h.do(c.method, c.path, w.editorTok, c.body)
				mustStatus(t, res, 404)
			})
		}
		// A's own post, with B's target id in the path.
		res := h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "mine",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 201)
		var mine herald.Post
		res.JSON(t, &mine)
		mustStatus(t, h.do(http.MethodGet, pubPath(w.a, "/posts/%d/targets/%d/transitions", mine.ID, tgt), w.editorTok, nil), 404)
		// Listings never show B's objects.
		for _, p := range []string{"/posts", "/accounts", "/media"} {
			res := h.do(http.MethodGet, pubPath(w.a, "%s", p), w.editorTok, nil)
			mustStatus(t, res, 200)
			if strings.Contains(string(res.Body), "beta") {
				t.Fatalf("%s shows workspace B: %s", p, res.Body)
			}
		}
		// B's post is untouched.
		p, err := h.store.GetPost(context.Background(), w.b.ID, w.bPost.ID)
		if err != nil || p.Text != "beta secret plans" || p.Targets[0].State != herald.StateDraft {
			t.Fatalf("B's post changed: %+v %v", p, err)
		}
	})
}

// TestSecretsAtRest: account credentials and passwords never reach the
// database in clear: not in the account rows, not in audit entries, not
// in the SQLite files (WAL included), not in any PostgreSQL row.
func TestSecretsAtRest(t *testing.T) {
	const token = "tok-SECRET-123-very-recognisable"
	const password = "PASSWORD-known-456 horse"
	secrets := [][]byte{[]byte(token), []byte(password),
		[]byte(hex.EncodeToString([]byte(token))), []byte(hex.EncodeToString([]byte(password)))}
	write := func(t *testing.T, h *harness) {
		t.Helper()
		ctx := context.Background()
		owner := h.newUser("secrets@example.com")
		ws := h.newWorkspace(owner, "Secrets")
		actor := herald.Actor{UserID: owner.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner}
		acct := pubConnect(t, h, actor, "s-1", []byte(`{"access_token":"`+token+`"}`))
		// A reconnect and an update write more rows and audit entries.
		pubConnect(t, h, actor, "s-1", []byte(`{"access_token":"`+token+`","v":2}`))
		name := "renamed"
		if _, err := h.svc.Accounts.Update(ctx, actor, acct.ID, account.Patch{DisplayName: &name}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.auth.CreateUser(ctx, "known@example.com", "Known", password); err != nil {
			t.Fatal(err)
		}
		creds, err := h.svc.Accounts.Credentials(ctx, ws.ID, acct.ID)
		if err != nil || !bytes.Contains(creds, []byte(token)) {
			t.Fatalf("credentials %q, %v", creds, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, openSQLiteAt(t, filepath.Join(dir, "herald.db")))
		write(t, h)
		files, err := filepath.Glob(filepath.Join(dir, "herald.db*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no database files: %v", err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(b, s) {
					t.Errorf("%s contains %q", filepath.Base(f), s)
				}
			}
		}
	})
	if os.Getenv("HERALD_TEST_POSTGRES_URL") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		db := pgtest.Open(t)
		write(t, newHarness(t, db))
		ctx := context.Background()
		rows, err := db.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(tables) < 5 {
			t.Fatalf("tables %v: %v", tables, err)
		}
		for _, table := range tables {
			rows, err := db.Pool().Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
			if err != nil {
				t.Fatal(err)
			}
			texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range texts {
				for _, s := range secrets {
					if strings.Contains(row, string(s)) {
						t.Errorf("table %s has a row containing %q", table, s)
					}
				}
			}
		}
	})
}

// openSQLiteAt opens and migrates a SQLite store at path.
func openSQLiteAt(t *testing.T, path string) herald.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
