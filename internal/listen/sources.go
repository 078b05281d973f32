package listen

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// SourceNote tells the listening pages what one source reads for a
// workspace, and what it cannot see.
type SourceNote struct {
	Name      string `json:"name"`
	Sees      string `json:"sees"`
	CannotSee string `json:"cannot_see"`
	// Working is false when the source is known not to work for the
	// workspace (CannotSee says why).
	Working bool `json:"working"`
}

// SourceNotes describes a workspace's sources (see Notes).
type SourceNotes func(ctx context.Context, workspaceID int64) ([]SourceNote, error)

// SetSources gives the service what describes the sources; without it
// Sources returns none.
func (s *Service) SetSources(notes SourceNotes) { s.sources = notes }

// Sources says which sources read posts for the actor's workspace and what
// each can and cannot see.
func (s *Service) Sources(ctx context.Context, actor herald.Actor) ([]SourceNote, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	if s.sources == nil {
		return nil, nil
	}
	ns, err := s.sources(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("listen: sources: %w", err)
	}
	return ns, nil
}

// Notes describes the sources herald serve runs: the operator's Bluesky
// firehose and Jetstream (hosts, "" when not set), the Mastodon-API hashtag
// streams of the workspace's connected accounts and its X searches.
func Notes(firehose, jetstream string, tags *MastodonTags, xs *XSearch) SourceNotes {
	return func(ctx context.Context, workspaceID int64) ([]SourceNote, error) {
		var out []SourceNote
		bluesky := "Handles only as announced while the stream runs, no follower counts or display names, edits and deletions; posts written before Herald started reading."
		if firehose != "" {
			out = append(out, SourceNote{Name: "Bluesky firehose (" + hostOf(firehose) + ")", Working: true,
				Sees:      "Every public Bluesky post the host carries (a relay: the whole network; a PDS: its own accounts), as it is written.",
				CannotSee: bluesky})
		}
		if jetstream != "" {
			out = append(out, SourceNote{Name: "Bluesky Jetstream (" + hostOf(jetstream) + ")", Working: true,
				Sees:      "The public Bluesky posts of the relay the Jetstream follows, as they are written.",
				CannotSee: bluesky + " Jetstream's records are not signed."})
		}
		if tags != nil {
			ns, err := tags.notes(ctx, workspaceID)
			if err != nil {
				return nil, err
			}
			out = append(out, ns...)
		}
		if xs != nil {
			if c, ok := xs.Capabilities(workspaceID); ok {
				n := SourceNote{Name: "X recent search", Working: !c.RecentSearch.Known || c.RecentSearch.Supported,
					Sees: c.RecentSearch.Note, CannotSee: "Posts older than 7 days, protected accounts' posts, reposts."}
				if !n.Working {
					n.Sees, n.CannotSee = "Nothing.", c.RecentSearch.Note
				}
				if c.Query.Known && !c.Query.Supported && c.Query.Note != "" {
					n.CannotSee += " " + c.Query.Note
				}
				out = append(out, n)
			}
		}
		return out, nil
	}
}

// hostOf is an address's host, or the address.
func hostOf(addr string) string {
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		return u.Host
	}
	return addr
}

// notes describes the hashtag streams the workspace's topics and connected
// Mastodon-API accounts call for: one line per server.
func (d *MastodonTags) notes(ctx context.Context, workspaceID int64) ([]SourceNote, error) {
	ts, err := d.Store.ListListenTopics(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("listen: topics: %w", err)
	}
	var tags []string
	for _, t := range ts {
		if t.Paused {
			continue
		}
		for _, h := range t.Rules.Hashtags {
			h = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "#"))
			if h != "" && !slices.Contains(tags, h) {
				tags = append(tags, h)
			}
		}
	}
	accts, err := d.Store.ListAccounts(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("listen: accounts: %w", err)
	}
	var out []SourceNote
	seen := map[string]bool{}
	for _, a := range accts {
		if a.Platform != herald.PlatformMastodon || a.Credentials.Empty() || seen[a.InstanceURL] {
			continue
		}
		seen[a.InstanceURL] = true
		n := SourceNote{Name: "Mastodon hashtag streams on " + hostOf(a.InstanceURL), Working: len(tags) > 0,
			CannotSee: "Posts this server has not received (accounts nobody there follows), posts without one of the hashtags, followers-only and direct posts, edits and deletions."}
		if _, err := d.Open(a.Credentials, a.CredentialsAAD()); err != nil {
			n.Working, n.Sees = false, "Nothing: the account's credentials do not open; reconnect it."
		}
		switch {
		case n.Sees != "":
		case len(tags) == 0:
			n.Sees = "Nothing yet: no active topic has a hashtag to follow."
		default:
			n.Sees = "Public posts with " + hashList(tags) + " that this server knows of, as they arrive (streaming, else polling every minute), through " + a.Handle + "."
		}
		out = append(out, n)
	}
	return out, nil
}

// hashList writes tags as "#a, #b and #c" (the first ten).
func hashList(tags []string) string {
	var hs []string
	for i, t := range tags {
		if i == 10 {
			hs = append(hs, fmt.Sprintf("%d more", len(tags)-10))
			break
		}
		hs = append(hs, "#"+t)
	}
	if len(hs) == 1 {
		return hs[0]
	}
	return strings.Join(hs[:len(hs)-1], ", ") + " and " + hs[len(hs)-1]
}
