package listen

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	mastodonconn "github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/mastodon"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// MastodonTags finds the Mastodon-API hashtag streams listening reads: for
// every hashtag of a workspace's active topics, the hashtag stream of each
// instance where the workspace has a connected account (read with that
// account's token; one stream per instance and tag, whichever workspaces
// want it). What a workspace's topics match is decided by the ingest, as
// for every source.
type MastodonTags struct {
	Store  herald.Store
	Open   func(sealed herald.Sealed, aad []byte) ([]byte, error)
	Client *http.Client
	// Cursors gives each stream's last stored position.
	Cursors source.Cursors
	Logger  *slog.Logger
}

// Sources returns the streams wanted now.
func (d *MastodonTags) Sources(ctx context.Context) ([]Source, error) {
	ts, err := d.Store.ActiveListenTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("listen: topics: %w", err)
	}
	tags := map[int64][]string{} // workspace → hashtags
	for _, t := range ts {
		for _, h := range t.Rules.Hashtags {
			h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "#"))
			if h != "" && !slices.Contains(tags[t.WorkspaceID], h) {
				tags[t.WorkspaceID] = append(tags[t.WorkspaceID], h)
			}
		}
	}
	if len(tags) == 0 {
		return nil, nil
	}
	accts, err := d.Store.InboxAccounts(ctx, []herald.Platform{herald.PlatformMastodon})
	if err != nil {
		return nil, fmt.Errorf("listen: accounts: %w", err)
	}
	seen := map[string]bool{}
	var out []Source
	for _, a := range accts {
		want := tags[a.WorkspaceID]
		if len(want) == 0 {
			continue
		}
		plain, err := d.Open(a.Credentials, a.CredentialsAAD())
		if err != nil {
			d.Logger.WarnContext(ctx, "listening: account credentials do not open", "account_id", a.ID, "error", err)
			continue
		}
		cr, err := mastodonconn.AccountCredentials(connector.Account{Account: a, Credentials: plain})
		if err != nil {
			continue
		}
		for _, tag := range want {
			s, err := mastodon.New(d.Client, mastodon.Config{Instance: cr.Instance, Token: cr.AccessToken, Tag: tag},
				mastodon.WithLogger(d.Logger))
			if err != nil {
				d.Logger.WarnContext(ctx, "listening: hashtag stream", "account_id", a.ID, "tag", tag, "error", err)
				continue
			}
			if seen[s.Name()] {
				continue
			}
			seen[s.Name()] = true
			out = append(out, &tagStream{s: s, cursors: d.Cursors})
		}
	}
	return out, nil
}

// tagStream runs a hashtag stream from its stored cursor.
type tagStream struct {
	s       *mastodon.Source
	cursors source.Cursors
}

func (t *tagStream) Source() string { return t.s.Name() }

func (t *tagStream) Run(ctx context.Context, sink source.Sink) error {
	cursor, err := t.cursors.Cursor(ctx, t.s.Name())
	if err != nil {
		return fmt.Errorf("listen: cursor of %s: %w", t.s.Name(), err)
	}
	return t.s.Stream(ctx, cursor, sink)
}
