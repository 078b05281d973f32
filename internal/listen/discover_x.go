package listen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/listen/x"
)

// XSearch finds the X recent searches listening reads: for every workspace
// with active topics and a connected X account, the queries x.Build makes
// of its topics (split to fit X's query length), one source each with its
// own cursor ("x-search:{workspace}:{account}:{query hash}"), read with
// the token of the workspace's first connected X account that X has not
// refused. An account whose API access lacks recent search is left alone
// for Recheck. What a workspace's topics match is decided by the ingest,
// as for every source: the queries only narrow what X sends.
type XSearch struct {
	Store  herald.Store
	Open   func(sealed herald.Sealed, aad []byte) ([]byte, error)
	Client *http.Client
	// Cursors gives each search's last stored position.
	Cursors source.Cursors
	Logger  *slog.Logger
	// BaseURL is X's API address (default https://api.x.com); tests
	// point it at the fake.
	BaseURL string
	// QueryLimit is the longest query X takes (default
	// x.DefaultQueryLimit, 512, the self-serve limit; Enterprise 4,096).
	QueryLimit int
	// PollInterval is how often each search polls (default a minute).
	PollInterval time.Duration
	// Recheck is how long an account whose API access X said does not
	// include recent search is left alone (default 6 hours).
	Recheck time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	streams map[string]*xStream // the searches last returned, by name
	refused map[int64]xRefusal  // by account id
}

// xRefusal is X's refusal of an account's recent search.
type xRefusal struct {
	workspaceID int64
	at          time.Time
	caps        x.Capabilities
}

// Sources returns the searches wanted now.
func (d *XSearch) Sources(ctx context.Context) ([]Source, error) {
	ts, err := d.Store.ActiveListenTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("listen: topics: %w", err)
	}
	topics := map[int64][]herald.ListenTopic{} // workspace → topics
	for _, t := range ts {
		if Compiled(t).Validate() == nil {
			topics[t.WorkspaceID] = append(topics[t.WorkspaceID], t)
		}
	}
	if len(topics) == 0 {
		d.keep(nil)
		return nil, nil
	}
	accts, err := d.Store.InboxAccounts(ctx, []herald.Platform{herald.PlatformX})
	if err != nil {
		return nil, fmt.Errorf("listen: accounts: %w", err)
	}
	chosen := map[int64]bool{} // workspaces with an account
	var out []*xStream
	for _, a := range accts {
		if chosen[a.WorkspaceID] || len(topics[a.WorkspaceID]) == 0 || d.isRefused(a.ID) {
			continue
		}
		if _, err := d.token(a); err != nil {
			d.logger().WarnContext(ctx, "listening: X account not usable for search", "account_id", a.ID, "error", err)
			continue
		}
		chosen[a.WorkspaceID] = true
		plan := x.Build(topics[a.WorkspaceID], d.QueryLimit)
		for _, q := range plan.Queries {
			sum := sha256.Sum256([]byte(q))
			name := fmt.Sprintf("x-search:%d:%d:%s", a.WorkspaceID, a.ID, hex.EncodeToString(sum[:6]))
			if st := d.stream(name); st != nil {
				out = append(out, st)
				continue
			}
			ws, id := a.WorkspaceID, a.ID
			s, err := x.New(d.Client, x.Config{BaseURL: d.BaseURL, Name: name, Query: q, Omitted: plan.Omitted,
				PollInterval: d.PollInterval, TokenSource: func(ctx context.Context) (string, error) {
					a, err := d.Store.GetAccount(ctx, ws, id)
					if err != nil {
						return "", fmt.Errorf("listen: X account %d: %w", id, err)
					}
					return d.token(a)
				}}, x.WithLogger(d.logger()))
			if err != nil {
				d.logger().WarnContext(ctx, "listening: X search", "account_id", a.ID, "error", err)
				continue
			}
			out = append(out, &xStream{s: s, d: d, workspaceID: ws, accountID: id})
		}
	}
	d.keep(out)
	srcs := make([]Source, 0, len(out))
	for _, st := range out {
		srcs = append(srcs, st)
	}
	return srcs, nil
}

// AllSources returns a Runner.Discover that returns the sources of every
// discoverer in ds (MastodonTags.Sources, XSearch.Sources). A discoverer
// that fails does not keep the others' sources back; its error is
// returned beside them (joined), so the Runner keeps what runs.
func AllSources(ds ...func(ctx context.Context) ([]Source, error)) func(ctx context.Context) ([]Source, error) {
	return func(ctx context.Context) ([]Source, error) {
		var out []Source
		var errs []error
		for _, d := range ds {
			srcs, err := d(ctx)
			out = append(out, srcs...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		return out, errors.Join(errs...)
	}
}

// Capabilities returns what the workspace's X searches can and cannot
// see, as far as their answers showed (see x.Capabilities), and false
// when the workspace has no X search (no active topics, no connected X
// account) and X refused none of its accounts.
func (d *XSearch) Capabilities(workspaceID int64) (x.Capabilities, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var c x.Capabilities
	found := false
	for _, st := range d.streams {
		if st.workspaceID != workspaceID {
			continue
		}
		o := st.s.Observed()
		if !found || o.RecentSearch.Known && (!c.RecentSearch.Known || !o.RecentSearch.Supported) {
			c.RecentSearch = o.RecentSearch
		}
		c.Query, found = o.Query, true
	}
	if found {
		return c, true
	}
	for _, r := range d.refused {
		if r.workspaceID == workspaceID && d.now().Sub(r.at) < d.recheck() {
			return r.caps, true
		}
	}
	return x.Capabilities{}, false
}

// token opens an account's credentials and returns its access token.
func (d *XSearch) token(a herald.Account) (string, error) {
	if a.Status != herald.AccountConnected && a.Status != herald.AccountExpiring {
		return "", fmt.Errorf("listen: the X account is %s; reconnect it", a.Status)
	}
	plain, err := d.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		return "", fmt.Errorf("listen: open the X account's credentials: %w", err)
	}
	var cr xconn.Credentials
	if err := json.Unmarshal(plain, &cr); err != nil {
		return "", fmt.Errorf("listen: the X account's credentials cannot be read: %w", err)
	}
	if cr.AccessToken == "" {
		return "", errors.New("listen: the X account has no access token; reconnect it")
	}
	return cr.AccessToken, nil
}

// stream returns the search last returned under name, nil if none.
func (d *XSearch) stream(name string) *xStream {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.streams[name]
}

// keep remembers the searches returned, so the next discovery returns the
// same ones (the Runner runs those it already runs).
func (d *XSearch) keep(sts []*xStream) {
	m := make(map[string]*xStream, len(sts))
	for _, st := range sts {
		m[st.s.Name()] = st
	}
	d.mu.Lock()
	d.streams = m
	d.mu.Unlock()
}

// refuse records that X refused the account's recent search.
func (d *XSearch) refuse(st *xStream) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.refused == nil {
		d.refused = map[int64]xRefusal{}
	}
	d.refused[st.accountID] = xRefusal{workspaceID: st.workspaceID, at: d.now(), caps: st.s.Observed()}
}

// isRefused reports whether X refused the account's recent search less
// than Recheck ago.
func (d *XSearch) isRefused(accountID int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.refused[accountID]
	if ok && d.now().Sub(r.at) >= d.recheck() {
		delete(d.refused, accountID)
		return false
	}
	return ok
}

func (d *XSearch) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *XSearch) recheck() time.Duration {
	if d.Recheck > 0 {
		return d.Recheck
	}
	return 6 * time.Hour
}

func (d *XSearch) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// xStream runs one search from its stored cursor.
type xStream struct {
	s                      *x.Source
	d                      *XSearch
	workspaceID, accountID int64
}

func (t *xStream) Source() string { return t.s.Name() }

func (t *xStream) Run(ctx context.Context, sink source.Sink) error {
	if t.d.isRefused(t.accountID) {
		<-ctx.Done() // the next discovery stops it
		return nil
	}
	cursor, err := t.d.Cursors.Cursor(ctx, t.s.Name())
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listen: cursor of %s: %w", t.s.Name(), err)
	}
	err = t.s.Run(ctx, cursor, sink)
	if errors.Is(err, x.ErrNoSearchAccess) {
		t.d.refuse(t)
	}
	return err
}
