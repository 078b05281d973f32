package fake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

var (
	_ connector.Authorizer        = (*Connector)(nil)
	_ connector.PasswordConnector = (*Connector)(nil)
	_ connector.Validator         = (*Connector)(nil)
	_ connector.MetricsReader     = (*Connector)(nil)
	_ connector.InboxReader       = (*Connector)(nil)
	_ connector.Replier           = (*Connector)(nil)
	_ connector.Liker             = (*Connector)(nil)
)

// profile is the part of an account the connector reads.
type profile struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
}

// baseURL checks a platform address a person typed.
func baseURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("%q is not the address of a fake platform; give its base URL such as http://127.0.0.1:8181", s)}
	}
	return s, nil
}

// connected reads the profile behind cr and returns the account to store.
func (c *Connector) connected(ctx context.Context, cr Credentials) (connector.Connected, error) {
	var who profile
	if _, err := c.call(ctx, cr, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, "", nil, &who); err != nil {
		return connector.Connected{}, err
	}
	if who.ID == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "the platform did not say who the token belongs to"}
	}
	name := who.DisplayName
	if name == "" {
		name = who.Username
	}
	return connector.Connected{
		Account: herald.Account{Platform: herald.PlatformFake, RemoteID: who.ID, Handle: "@" + who.Acct,
			DisplayName: name, InstanceURL: cr.BaseURL, TokenExpiresAt: cr.ExpiresAt},
		Credentials: MarshalCredentials(cr),
	}, nil
}

// ConnectWithPassword connects with the platform's base URL as the
// identifier and an access token as the password.
func (c *Connector) ConnectWithPassword(ctx context.Context, identifier, password string) (connector.Connected, error) {
	base, err := baseURL(identifier)
	if err != nil {
		return connector.Connected{}, err
	}
	if strings.TrimSpace(password) == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Invalid, Message: "the access token is empty"}
	}
	return c.connected(ctx, Credentials{BaseURL: base, AccessToken: strings.TrimSpace(password)})
}

// authSecret is what Begin hands Herald to keep until the callback.
type authSecret struct {
	BaseURL  string `json:"base_url"`
	Verifier string `json:"verifier"`
}

// Begin returns the platform's authorization URL, with a PKCE challenge.
// The instance is the platform's base URL; the login hint picks the
// account the fake platform signs in as (everything after a "#" in the
// instance, e.g. http://127.0.0.1:8181#alice).
func (c *Connector) Begin(_ context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	inst, login, _ := strings.Cut(s.Instance, "#")
	base, err := baseURL(inst)
	if err != nil {
		return connector.AuthRedirect{}, err
	}
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {"herald"}, "redirect_uri": {s.RedirectURL},
		"state": {s.State}, "scope": {"read write"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	if login != "" {
		q.Set("login", login)
	}
	secret, err := json.Marshal(authSecret{BaseURL: base, Verifier: verifier})
	if err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("fake: encode the connection secret: %w", err)
	}
	return connector.AuthRedirect{URL: base + "/oauth/authorize?" + q.Encode(), Secret: secret}, nil
}

// Exchange trades the code for a token and reads the profile.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	var as authSecret
	if err := json.Unmarshal(secret, &as); err != nil || as.BaseURL == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Invalid, Message: "the connection's saved secret cannot be read; start again", Err: err}
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {s.RedirectURL},
		"code_verifier": {as.Verifier}, "client_id": {"herald"}}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	start := c.now()
	if _, err := c.call(ctx, Credentials{BaseURL: as.BaseURL}, http.MethodPost, "/oauth/token",
		strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", nil, &tok); err != nil {
		return connector.Connected{}, err
	}
	if tok.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "the platform's token answer has no access_token"}
	}
	cr := Credentials{BaseURL: as.BaseURL, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	if tok.ExpiresIn > 0 {
		t := start.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Truncate(time.Microsecond)
		cr.ExpiresAt = &t
	}
	return c.connected(ctx, cr)
}

// visibilities are the values the platform accepts.
var visibilities = []string{"public", "unlisted", "private", "direct"}

// Validate checks a part against the instance's limits, counting
// characters as the platform does (text plus content warning).
func (c *Connector) Validate(ctx context.Context, acct connector.Account, p connector.Part) (int, []connector.Problem, error) {
	l, err := c.Limits(ctx, acct)
	if err != nil {
		return 0, nil, err
	}
	n := utf8.RuneCountInString(p.Text) + utf8.RuneCountInString(p.Options["spoiler_text"])
	var probs []connector.Problem
	if l.MaxChars > 0 && n > l.MaxChars {
		probs = append(probs, connector.Problem{Field: "text", Measured: n, Limit: l.MaxChars,
			Problem: fmt.Sprintf("is %d characters; the platform allows %d", n, l.MaxChars)})
	}
	if strings.TrimSpace(p.Text) == "" && len(p.Media) == 0 {
		probs = append(probs, connector.Problem{Field: "text", Problem: "is empty: a post needs text or media"})
	}
	if l.MaxMedia > 0 && len(p.Media) > l.MaxMedia {
		probs = append(probs, connector.Problem{Field: "media", Measured: len(p.Media), Limit: l.MaxMedia,
			Problem: fmt.Sprintf("has %d files; the platform allows %d", len(p.Media), l.MaxMedia)})
	}
	for i, m := range p.Media {
		if l.MaxImageBytes > 0 && m.Asset.Size > l.MaxImageBytes {
			probs = append(probs, connector.Problem{Field: "media[" + strconv.Itoa(i) + "]",
				Problem: fmt.Sprintf("is %d bytes; the platform allows %d", m.Asset.Size, l.MaxImageBytes)})
		}
		if a := utf8.RuneCountInString(m.Asset.AltText); l.AltTextMaxChars > 0 && a > l.AltTextMaxChars {
			probs = append(probs, connector.Problem{Field: "media[" + strconv.Itoa(i) + "].alt_text", Measured: a,
				Limit: l.AltTextMaxChars, Problem: fmt.Sprintf("is %d characters; the platform allows %d", a, l.AltTextMaxChars)})
		}
	}
	if v := p.Options["visibility"]; v != "" && !slices.Contains(visibilities, v) {
		probs = append(probs, connector.Problem{Field: "options.visibility",
			Problem: fmt.Sprintf("%q is not one of %s", v, strings.Join(visibilities, ", "))})
	}
	if v := p.Options["language"]; v != "" && !isLanguage(v) {
		probs = append(probs, connector.Problem{Field: "options.language",
			Problem: fmt.Sprintf("%q is not an ISO 639 language code like en or fr", v)})
	}
	if p.Index >= l.MaxThreadParts && !p.Comment {
		probs = append(probs, connector.Problem{Field: "thread", Measured: p.Index + 1, Limit: l.MaxThreadParts,
			Problem: fmt.Sprintf("has more than %d parts", l.MaxThreadParts)})
	}
	return n, probs, nil
}

// statusRead is the part of a status Metrics and CheckPosts read.
type statusRead struct {
	ID              string  `json:"id"`
	FavouritesCount int64   `json:"favourites_count"`
	ReblogsCount    int64   `json:"reblogs_count"`
	RepliesCount    int64   `json:"replies_count"`
	Content         string  `json:"content"`
	EditedAt        *string `json:"edited_at"`
}

// eachStatus reads the statuses refs name, one by one (the platform has
// no batch lookup), and calls fn with each (nil when the platform answers
// 404). Another failure stops the reading and is returned.
func (c *Connector) eachStatus(ctx context.Context, acct connector.Account, refs []herald.RemoteRef, fn func(id string, st *statusRead)) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		var st statusRead
		_, err := c.call(ctx, cr, http.MethodGet, "/api/v1/statuses/"+url.PathEscape(ref.ID), nil, "", nil, &st)
		var e *connector.Error
		switch {
		case errors.As(err, &e) && e.Status == http.StatusNotFound:
			fn(ref.ID, nil)
		case err != nil:
			return err
		default:
			fn(ref.ID, &st)
		}
	}
	return nil
}

// Metrics reads each status's counts. Statuses the platform no longer has
// are left out.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	out := make(map[string]connector.Metrics, len(refs))
	err := c.eachStatus(ctx, acct, refs, func(id string, st *statusRead) {
		if st != nil {
			out[id] = connector.Metrics{Likes: st.FavouritesCount, Reposts: st.ReblogsCount, Replies: st.RepliesCount,
				Quotes: -1, Impressions: -1, At: c.now().UTC().Truncate(time.Microsecond)}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckPosts reads each status as it is now: its text and when it was
// last edited, or gone when the platform answers 404.
func (c *Connector) CheckPosts(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.PostState, error) {
	out := make(map[string]connector.PostState, len(refs))
	err := c.eachStatus(ctx, acct, refs, func(id string, st *statusRead) {
		if st == nil {
			out[id] = connector.PostState{Gone: true}
			return
		}
		ps := connector.PostState{Text: plainText(st.Content)}
		if st.EditedAt != nil {
			if t, err := time.Parse(time.RFC3339Nano, *st.EditedAt); err == nil {
				t = t.UTC()
				ps.EditedAt = &t
			}
		}
		out[id] = ps
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notification is the part of a notification Mentions reads.
type notification struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	CreatedAt string  `json:"created_at"`
	Account   profile `json:"account"`
	Status    struct {
		ID          string  `json:"id"`
		URL         string  `json:"url"`
		Content     string  `json:"content"`
		InReplyToID *string `json:"in_reply_to_id"`
	} `json:"status"`
}

// mentionPages bounds how many pages one Mentions call reads.
const mentionPages = 10

var tags = regexp.MustCompile(`<[^>]*>`)

// plainText turns the platform's HTML content into text.
func plainText(content string) string {
	return strings.TrimSpace(html.UnescapeString(tags.ReplaceAllString(content, "")))
}

// Mentions reads the mentions after cursor (a notification id), oldest
// first, and returns the newest id as the next cursor.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	var out []connector.Mention
	next := ""
	for range mentionPages {
		q := url.Values{"types[]": {"mention"}, "limit": {"40"}}
		if cursor != "" {
			q.Set("min_id", cursor)
		}
		var page []notification
		if _, err := c.call(ctx, cr, http.MethodGet, "/api/v1/notifications?"+q.Encode(), nil, "", nil, &page); err != nil {
			return nil, "", err
		}
		if len(page) == 0 {
			break
		}
		// The page is newest first.
		for i := len(page) - 1; i >= 0; i-- {
			n := page[i]
			if n.Type != "mention" || n.Status.ID == "" {
				continue
			}
			created, err := time.Parse(time.RFC3339Nano, n.CreatedAt)
			if err != nil {
				created = c.now()
			}
			m := connector.Mention{RemoteID: n.Status.ID, URL: n.Status.URL, AuthorID: n.Account.ID,
				AuthorHandle: "@" + n.Account.Acct, AuthorName: n.Account.DisplayName, Text: plainText(n.Status.Content),
				CreatedAt: created.UTC().Truncate(time.Microsecond)}
			if n.Status.InReplyToID != nil {
				m.ReplyTo = *n.Status.InReplyToID
			}
			out = append(out, m)
		}
		cursor = page[0].ID
		next = cursor
		if len(page) < 40 {
			break
		}
	}
	return out, next, nil
}

// Reply posts p as a reply to the given post.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	p.ReplyTo = &to
	p.Comment = false
	return c.Publish(ctx, acct, p)
}

// Like favourites a post. Favouriting twice is harmless.
func (c *Connector) Like(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr, http.MethodPost, "/api/v1/statuses/"+url.PathEscape(ref.ID)+"/favourite", nil, "", nil, nil)
	return connector.Repeatable(err)
}

// Repost reblogs a post. Reblogging twice is harmless.
func (c *Connector) Repost(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr, http.MethodPost, "/api/v1/statuses/"+url.PathEscape(ref.ID)+"/reblog", nil, "", nil, nil)
	return connector.Repeatable(err)
}

// OptionFields are the test platform's options besides visibility and the
// content warning: the language it stores with each post.
func (c *Connector) OptionFields(context.Context, connector.Account) ([]connector.OptionField, error) {
	return []connector.OptionField{{Key: "language", Label: "Language", Kind: connector.OptionText, MaxLen: 3,
		Hint: "An ISO 639 code such as en or fr."}}, nil
}

// isLanguage reports whether s looks like an ISO 639-1 or -3 code.
func isLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// CanAnswerAs lets another account answer an item when both are on the
// same test platform server, where status ids mean the same post.
func (c *Connector) CanAnswerAs(item, other herald.Account) bool {
	return item.InstanceURL != "" && strings.TrimRight(item.InstanceURL, "/") == strings.TrimRight(other.InstanceURL, "/")
}
