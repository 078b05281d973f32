package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// at returns a fixed instant with microseconds, in UTC, moved by d.
func at(d time.Duration) time.Time {
	return time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC).Add(d)
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// unique returns a short random string for names that must not clash.
func unique() string { return strings.ToLower(rand.Text()[:10]) }

// hash returns the SHA-256 of s, as tokens and invitations store it.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// wantIs fails unless err matches the sentinel (errors.Is).
func wantIs(t *testing.T, err error, sentinel *herald.Error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, sentinel.Code)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: got error %v (code %s), want %s", what, err, herald.ErrorCode(err), sentinel.Code)
	}
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	wantIs(t, err, herald.ErrNotFound, what)
}

func wantConflict(t *testing.T, err error, what string) {
	t.Helper()
	wantIs(t, err, herald.ErrConflict, what)
}

// wantBadCursor fails unless err carries CodeBadRequest.
func wantBadCursor(t *testing.T, err error, what string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != herald.CodeBadRequest {
		t.Fatalf("%s: got error %v (code %q), want code %s", what, err, got, herald.CodeBadRequest)
	}
}

// garbageCursors are strings no store may accept as a cursor.
func garbageCursors() []string {
	return []string{"not a cursor!", "%%%", "{}", "-1"}
}

// same compares got and want through their JSON form, which covers every
// field with a JSON name and renders times as instants with their zone.
// Fields hidden from JSON (hashes, secrets) are checked separately.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	noErr(t, err, what+": marshal got")
	w, err := json.Marshal(want)
	noErr(t, err, what+": marshal want")
	if string(g) != string(w) {
		t.Fatalf("%s differs:\n got: %s\nwant: %s", what, g, w)
	}
}

// sameJSONValue compares two JSON documents as values.
func sameJSONValue(t *testing.T, what string, got, want json.RawMessage) {
	t.Helper()
	if len(want) == 0 || len(got) == 0 {
		if len(want) != len(got) {
			t.Fatalf("%s: got %q, want %q", what, got, want)
		}
		return
	}
	var g, w any
	noErr(t, json.Unmarshal(got, &g), what+": got is not JSON")
	noErr(t, json.Unmarshal(want, &w), what+": want is not JSON")
	same(t, what, g, w)
}

// wantUTC fails unless tm is in time.UTC.
func wantUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC {
		t.Fatalf("%s: location is %v, want UTC", what, tm.Location())
	}
}

// wantTime fails unless got is the same instant as want, in UTC.
func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	wantUTC(t, what, got)
}

// normPost makes a post comparable: label ids sorted, empty slices and
// maps nil.
func normPost(p herald.Post) herald.Post {
	p.LabelIDs = slices.Clone(p.LabelIDs)
	slices.Sort(p.LabelIDs)
	if len(p.LabelIDs) == 0 {
		p.LabelIDs = nil
	}
	if len(p.Targets) == 0 {
		p.Targets = nil
	}
	ts := make([]herald.Target, len(p.Targets))
	for i, tg := range p.Targets {
		ts[i] = normTarget(tg)
	}
	if p.Targets != nil {
		p.Targets = ts
	}
	return p
}

func normTarget(tg herald.Target) herald.Target {
	v := tg.Variant
	if len(v.MediaIDs) == 0 {
		v.MediaIDs = nil
	}
	if len(v.Thread) == 0 {
		v.Thread = nil
	}
	if len(v.Options) == 0 {
		v.Options = nil
	}
	th := make([]herald.ThreadPart, len(v.Thread))
	for i, part := range v.Thread {
		if len(part.MediaIDs) == 0 {
			part.MediaIDs = nil
		}
		th[i] = part
	}
	if v.Thread != nil {
		v.Thread = th
	}
	tg.Variant = v
	return tg
}

func samePost(t *testing.T, what string, got, want herald.Post) {
	t.Helper()
	same(t, what, normPost(got), normPost(want))
}

func postIDs(ps []herald.Post) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func wantIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got ids %v, want %v", what, got, want)
	}
}

// walk pages through a listing with the given limit and returns every item
// in order, failing on a page longer than the limit or a cursor loop.
func walk[T any](t *testing.T, what string, limit int, list func(page herald.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	cursor := ""
	for range 100 {
		items, next, err := list(herald.Page{Cursor: cursor, Limit: limit})
		noErr(t, err, what)
		if len(items) > limit {
			t.Fatalf("%s: page of %d items, limit %d", what, len(items), limit)
		}
		if len(items) == 0 && cursor != "" {
			t.Fatalf("%s: empty page after cursor %q: the previous page should have ended with next == \"\"", what, cursor)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if next == cursor {
			t.Fatalf("%s: cursor %q repeats", what, next)
		}
		cursor = next
	}
	t.Fatalf("%s: more than 100 pages", what)
	return nil
}

func mustWorkspace(t *testing.T, s herald.Tx) herald.Workspace {
	t.Helper()
	w := herald.Workspace{
		Name:       "Workspace " + unique(),
		TimeZone:   "Europe/Paris",
		BrandRules: herald.BrandRules{Voice: "warm", BannedWords: []string{"cheap"}, RequiredHashtags: []string{"#herald"}, RequireApproval: true},
		CreatedAt:  at(0),
		UpdatedAt:  at(0),
	}
	noErr(t, s.CreateWorkspace(t.Context(), &w), "CreateWorkspace")
	if w.ID == 0 {
		t.Fatal("CreateWorkspace did not set the ID")
	}
	return w
}

func mustUser(t *testing.T, s herald.Tx) herald.User {
	t.Helper()
	u := herald.User{
		Email:        "user-" + unique() + "@example.com",
		Name:         "User " + unique(),
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt:    at(0),
		UpdatedAt:    at(0),
	}
	noErr(t, s.CreateUser(t.Context(), &u), "CreateUser")
	if u.ID == 0 {
		t.Fatal("CreateUser did not set the ID")
	}
	return u
}

func mustMember(t *testing.T, s herald.Tx, workspaceID, userID int64, role herald.Role) herald.Membership {
	t.Helper()
	m := herald.Membership{WorkspaceID: workspaceID, UserID: userID, Role: role, CreatedAt: at(0)}
	noErr(t, s.AddMember(t.Context(), &m), "AddMember")
	return m
}

func mustAccount(t *testing.T, s herald.Tx, workspaceID int64) herald.Account {
	t.Helper()
	a := herald.Account{
		WorkspaceID: workspaceID,
		Platform:    herald.PlatformMastodon,
		RemoteID:    "remote-" + unique(),
		Handle:      "@" + unique() + "@example.social",
		DisplayName: "Account",
		InstanceURL: "https://example.social",
		Credentials: herald.Sealed{KeyID: "k1", Ciphertext: []byte{0, 1, 2, 3, 255}},
		Status:      herald.AccountConnected,
		CreatedAt:   at(0),
		UpdatedAt:   at(0),
	}
	noErr(t, s.CreateAccount(t.Context(), &a), "CreateAccount")
	if a.ID == 0 {
		t.Fatal("CreateAccount did not set the ID")
	}
	return a
}

func mustLabel(t *testing.T, s herald.Tx, workspaceID int64, name string) herald.Label {
	t.Helper()
	l := herald.Label{WorkspaceID: workspaceID, Name: name, Color: "#1d4ed8", CreatedAt: at(0)}
	noErr(t, s.CreateLabel(t.Context(), &l), "CreateLabel")
	if l.ID == 0 {
		t.Fatal("CreateLabel did not set the ID")
	}
	return l
}

func mustCampaign(t *testing.T, s herald.Tx, workspaceID int64, name string) herald.Campaign {
	t.Helper()
	c := herald.Campaign{WorkspaceID: workspaceID, Name: name, Goal: "reach", StartDate: "2026-03-01",
		EndDate: "2026-03-31", CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateCampaign(t.Context(), &c), "CreateCampaign")
	if c.ID == 0 {
		t.Fatal("CreateCampaign did not set the ID")
	}
	return c
}

func mustMedia(t *testing.T, s herald.Tx, workspaceID, uploaderID int64, filename, alt string) herald.MediaAsset {
	t.Helper()
	m := herald.MediaAsset{WorkspaceID: workspaceID, UploaderID: uploaderID, Filename: filename,
		ContentType: "image/png", Size: 1234, Width: 640, Height: 480, AltText: alt,
		SHA256: hashHex(filename + unique()), StorageKey: "ab/" + unique() + ".png",
		CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateMedia(t.Context(), &m), "CreateMedia")
	if m.ID == 0 {
		t.Fatal("CreateMedia did not set the ID")
	}
	return m
}

func hashHex(s string) string {
	const digits = "0123456789abcdef"
	h := hash(s)
	b := make([]byte, 0, 64)
	for _, c := range h {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return string(b)
}

// mustPost creates a draft post with one target per account.
func mustPost(t *testing.T, s herald.Tx, workspaceID, authorID int64, accountIDs ...int64) herald.Post {
	t.Helper()
	p := herald.Post{WorkspaceID: workspaceID, AuthorID: authorID, Title: "Post " + unique(),
		Text: "Hello", CreatedAt: at(0), UpdatedAt: at(0)}
	for _, id := range accountIDs {
		p.Targets = append(p.Targets, herald.Target{AccountID: id, State: herald.StateDraft,
			Variant: herald.Variant{Text: "variant"}, CreatedAt: at(0), UpdatedAt: at(0)})
	}
	noErr(t, s.CreatePost(t.Context(), &p), "CreatePost")
	if p.ID == 0 {
		t.Fatal("CreatePost did not set the ID")
	}
	return p
}

// world is a workspace with an owner and one account, the usual setting.
type world struct {
	ws      herald.Workspace
	owner   herald.User
	account herald.Account
}

func mustWorld(t *testing.T, s herald.Tx) world {
	t.Helper()
	w := world{ws: mustWorkspace(t, s), owner: mustUser(t, s)}
	mustMember(t, s, w.ws.ID, w.owner.ID, herald.RoleOwner)
	w.account = mustAccount(t, s, w.ws.ID)
	return w
}
