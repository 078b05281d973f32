package links

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"mvdan.cc/xurls/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// CodeLength is the length of a short link's code.
const CodeLength = 8

// codeAttempts is how often a new code is drawn when one is taken (with
// 62^8 codes, a second draw is already unlikely).
const codeAttempts = 3

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// urlPattern finds addresses with a scheme in a text (xurls' strict
// matcher, which leaves out trailing punctuation and unbalanced
// brackets). Addresses without a scheme are not rewritten: the platform
// may not make them links either.
var urlPattern = xurls.Strict()

// newCode draws a code of CodeLength base62 characters, uniformly, from
// crypto/rand.
func newCode() (string, error) {
	var out [CodeLength]byte
	var buf [2 * CodeLength]byte
	n := 0
	for n < CodeLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", fmt.Errorf("links: draw a code: %w", err)
		}
		for _, b := range buf {
			if b >= 248 { // 248 = 4*62: keeps every character equally likely
				continue
			}
			out[n] = base62[b%62]
			if n++; n == CodeLength {
				break
			}
		}
	}
	return string(out[:]), nil
}

// validCode reports whether code could be a short link's code, so junk
// never reaches the store or the cache.
func validCode(code string) bool {
	if len(code) != CodeLength {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// RewriteInput is a target about to be published.
type RewriteInput struct {
	WorkspaceID int64
	TargetID    int64
	PostID      int64
	// CampaignID and CampaignName are the post's campaign (0 and "" for
	// none); the name's Slug is utm_campaign.
	CampaignID   int64
	CampaignName string
	// Platform is the target's platform, utm_source by default.
	Platform herald.Platform
	// Links is the post's choice (herald.Post.Links): whether to track
	// and which UTM parameters replace the defaults; nil tracks as the
	// workspace's settings say, with the defaults.
	Links *herald.LinkTracking
	// Texts are the texts of the target's parts: the main text, the
	// thread's parts, the first comment.
	Texts []string
}

// defaults are the UTM parameters of in's links.
func (in RewriteInput) defaults() herald.UTM {
	u := herald.UTM{Source: string(in.Platform), Medium: "social"}
	if in.CampaignID != 0 || in.CampaignName != "" {
		u.Campaign = Slug(in.CampaignName)
	}
	if in.PostID != 0 {
		u.Content = strconv.FormatInt(in.PostID, 10)
	}
	if in.Links != nil {
		u = withDefaults(in.Links.UTM, u)
	}
	return u
}

// span is a byte range of a text.
type span struct{ start, end int }

// spans are the addresses in text.
func spans(text string) []span {
	if !strings.Contains(text, ":") { // every address with a scheme has one
		return nil
	}
	var out []span
	for _, m := range urlPattern.FindAllStringIndex(text, -1) {
		out = append(out, span{m[0], m[1]})
	}
	return out
}

// isShort reports whether u is already one of Herald's short links.
func (s *Service) isShort(u string) bool {
	return len(u) >= len(s.prefix) && strings.EqualFold(u[:len(s.prefix)], s.prefix)
}

// Rewrite gives each address in the target's texts a short link and
// returns the texts with the addresses replaced, in the order given. The
// target's links are made with one store call, which returns the link
// already made for an address of the target, so every attempt to
// publish the target gets the same short links. Addresses that are
// already short links, and addresses Herald does not redirect to
// (CheckDestination), stay as written. Texts without an address, and
// posts whose links are not tracked, come back unchanged without any
// store call or, for the latter, with only the settings read.
func (s *Service) Rewrite(ctx context.Context, in RewriteInput) ([]string, error) {
	out := append([]string(nil), in.Texts...)
	if in.WorkspaceID == 0 || in.TargetID == 0 {
		return nil, fmt.Errorf("links: rewrite: a workspace and a target are required")
	}
	utm := in.defaults()
	found := make([][]span, len(in.Texts))
	var want []herald.Link
	index := map[string]int{} // address → its link in want
	now := s.now()
	for i, text := range in.Texts {
		for _, sp := range spans(text) {
			u := text[sp.start:sp.end]
			if _, ok := index[u]; !ok {
				if s.isShort(u) {
					continue
				}
				dest, err := tagChecked(u, utm)
				if err != nil {
					continue // stays as written
				}
				index[u] = len(want)
				want = append(want, herald.Link{WorkspaceID: in.WorkspaceID, URL: u, Destination: dest,
					TargetID: in.TargetID, PostID: in.PostID, CampaignID: in.CampaignID, CreatedAt: now})
			}
			found[i] = append(found[i], sp)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	byDefault := true
	if in.Links == nil || in.Links.Track == nil {
		set, err := s.store.GetAnalyticsSettings(ctx, in.WorkspaceID)
		if err != nil {
			return nil, fmt.Errorf("links: rewrite target %d: read the settings: %w", in.TargetID, err)
		}
		byDefault = set.TrackLinks
	}
	if !in.Links.Tracked(byDefault) {
		return out, nil
	}
	stored, err := s.putLinks(ctx, want)
	if err != nil {
		return nil, fmt.Errorf("links: rewrite target %d: %w", in.TargetID, err)
	}
	for i, text := range in.Texts {
		if len(found[i]) == 0 {
			continue
		}
		var b strings.Builder
		last := 0
		for _, sp := range found[i] {
			b.WriteString(text[last:sp.start])
			b.WriteString(s.prefix)
			b.WriteString(stored[index[text[sp.start:sp.end]]].Code)
			last = sp.end
		}
		b.WriteString(text[last:])
		out[i] = b.String()
	}
	return out, nil
}

// putLinks stores links with fresh codes, drawing again when a code is
// taken.
func (s *Service) putLinks(ctx context.Context, links []herald.Link) ([]herald.Link, error) {
	for attempt := 0; ; attempt++ {
		for i := range links {
			code, err := newCode()
			if err != nil {
				return nil, err
			}
			links[i].Code = code
		}
		stored, err := s.store.PutLinks(ctx, links)
		if errors.Is(err, herald.ErrConflict) && attempt < codeAttempts-1 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store links: %w", err)
		}
		if len(stored) != len(links) {
			return nil, fmt.Errorf("store links: %d links stored for %d given", len(stored), len(links))
		}
		return stored, nil
	}
}

// ShortLinkLength is the length in bytes (and characters: the base URL
// is ASCII) of every short link.
func (s *Service) ShortLinkLength() int { return len(s.prefix) + CodeLength }

// Shorten returns text with every address that Rewrite would replace
// replaced by a stand-in of exactly a short link's length, so that a
// platform's length check counts what will be published. Whether the
// post's links are tracked at all is the caller's to decide.
func (s *Service) Shorten(text string) string {
	sp := spans(text)
	if len(sp) == 0 {
		return text
	}
	stand := s.prefix + strings.Repeat("0", CodeLength)
	var b strings.Builder
	last := 0
	for _, x := range sp {
		u := text[x.start:x.end]
		if s.isShort(u) || CheckDestination(u) != nil {
			continue
		}
		b.WriteString(text[last:x.start])
		b.WriteString(stand)
		last = x.end
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// trackable reports whether any of texts holds an address Rewrite would
// replace (whether the post tracks its links aside).
func (s *Service) trackable(texts []string) bool {
	for _, text := range texts {
		for _, sp := range spans(text) {
			if u := text[sp.start:sp.end]; !s.isShort(u) && CheckDestination(u) == nil {
				return true
			}
		}
	}
	return false
}

// TrackLinks is Rewrite for a target the dispatcher is about to publish
// (it is publish.LinkTracker): the post's campaign and its choice about
// links are read from the store, only when a text holds an address to
// track; texts without one come back as they are without a store call.
func (s *Service) TrackLinks(ctx context.Context, t herald.Target, platform herald.Platform, texts []string) ([]string, error) {
	if !s.trackable(texts) {
		return append([]string(nil), texts...), nil
	}
	p, err := s.store.GetPost(ctx, t.WorkspaceID, t.PostID)
	if err != nil {
		return nil, fmt.Errorf("links: track the links of target %d: read post %d: %w", t.ID, t.PostID, err)
	}
	in := RewriteInput{WorkspaceID: t.WorkspaceID, TargetID: t.ID, PostID: t.PostID, Platform: platform,
		Links: p.Links, Texts: texts}
	if p.CampaignID != nil {
		in.CampaignID = *p.CampaignID
		c, err := s.store.GetCampaign(ctx, t.WorkspaceID, in.CampaignID)
		switch {
		case err == nil:
			in.CampaignName = c.Name
		case errors.Is(err, herald.ErrNotFound):
			in.CampaignID = 0 // deleted meanwhile: tracked without a campaign
		default:
			return nil, fmt.Errorf("links: track the links of target %d: read campaign %d: %w", t.ID, in.CampaignID, err)
		}
	}
	return s.Rewrite(ctx, in)
}
