// Package fake is the connector for Herald's test platform
// (herald.PlatformFake), served by package fakeserver. It speaks the
// platform's Mastodon-like API exactly as a real connector would, so the
// publishing engine's tests and benchmarks exercise the real paths:
// classified errors, media uploads with processing, threads, idempotency
// keys, reconciliation by lookup and token refresh.
//
// Credentials are JSON:
//
//	{"base_url":"http://127.0.0.1:41234","access_token":"…","refresh_token":"…","expires_at":"2030-01-01T00:00:00Z"}
//
// base_url may be left out when the account's InstanceURL is set.
package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Credentials are what the connector keeps for an account.
type Credentials struct {
	BaseURL      string     `json:"base_url,omitempty"`
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
}

// MaxThreadParts is how many parts a thread on the fake platform may have.
const MaxThreadParts = herald.MaxThreadParts + 1

// findPages is how many pages of recent statuses Find reads (40 each).
const findPages = 3

// Connector publishes to the fake platform. It is safe for concurrent use.
type Connector struct {
	client     *http.Client
	idempotent bool
	poll       time.Duration
	now        func() time.Time

	mu     sync.Mutex
	limits map[string]connector.Limits // by base URL
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithIdempotency says the platform instance honours Idempotency-Key (the
// server's Config.Idempotency). Only then does the connector send the key
// and report Idempotent, which lets the dispatcher send a part again after
// an ambiguous answer: safe only if the platform deduplicates.
func WithIdempotency(on bool) Option { return func(c *Connector) { c.idempotent = on } }

// WithPollInterval sets how often a processing upload is checked (default
// 250ms).
func WithPollInterval(d time.Duration) Option { return func(c *Connector) { c.poll = d } }

// WithClock sets the clock used for token expiry times.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// New returns a connector that uses httpClient (nil: http.DefaultClient).
func New(httpClient *http.Client, opts ...Option) *Connector {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	c := &Connector{client: httpClient, poll: 250 * time.Millisecond, now: time.Now,
		limits: map[string]connector.Limits{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.IdempotentPublisher = (*Connector)(nil)
	_ connector.Reconciler          = (*Connector)(nil)
	_ connector.Refresher           = (*Connector)(nil)
	_ connector.Deleter             = (*Connector)(nil)
	_ connector.Editor              = (*Connector)(nil)
	_ connector.Limiter             = (*Connector)(nil)
)

// Idempotent reports whether Publish may simply be repeated with the same
// Part.Key.
func (c *Connector) Idempotent(context.Context, connector.Account) bool { return c.idempotent }

// creds opens an account's credentials.
func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.BaseURL == "" {
		cr.BaseURL = acct.InstanceURL
	}
	cr.BaseURL = strings.TrimRight(cr.BaseURL, "/")
	u, err := url.Parse(cr.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: fmt.Sprintf("the account's platform address %q is not an http(s) URL; reconnect the account", cr.BaseURL), Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no access token; reconnect the account"}
	}
	return cr, nil
}

// call sends one API request and classifies the answer. A 2xx body is
// decoded into out (if not nil); one that does not decode is Ambiguous for
// a POST (the platform said yes, but to what?) and Transient otherwise.
func (c *Connector) call(ctx context.Context, cr Credentials, method, path string, body io.Reader, contentType string, header http.Header, out any) (*connector.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, cr.BaseURL+path, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if cr.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, fmt.Errorf("fake: %s %s: %w", method, path, err)
	}
	if e := connector.Classify(res.Status, res.Header, res.Body, c.now()); e != nil {
		return res, fmt.Errorf("fake: %s %s: %w", method, path, e)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			class := connector.Transient
			msg := fmt.Sprintf("the platform answered HTTP %d with a body that is not the expected JSON", res.Status)
			if method == http.MethodPost {
				class = connector.Ambiguous
				msg += "; the request may have been carried out"
			}
			return res, fmt.Errorf("fake: %s %s: %w", method, path,
				&connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return res, nil
}

// status is the part of a platform status the connector reads.
type status struct {
	ID        string `json:"id"`
	URL       string `json:"url"`
	HeraldKey string `json:"herald_key"`
}

// Publish uploads the part's media, then posts it (as a reply for thread
// parts and first comments).
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	form := url.Values{}
	form.Set("status", p.Text)
	if reply := replyTarget(p); reply != "" {
		form.Set("in_reply_to_id", reply)
	}
	for _, m := range p.Media {
		id, err := c.upload(ctx, cr, m)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		form.Add("media_ids[]", id)
	}
	for _, k := range []string{"visibility", "spoiler_text", "language"} {
		if v := p.Options[k]; v != "" {
			form.Set(k, v)
		}
	}
	h := http.Header{}
	if p.Key != "" {
		h.Set("X-Herald-Key", p.Key)
		if c.idempotent {
			h.Set("Idempotency-Key", p.Key)
		}
	}
	var st status
	if _, err := c.call(ctx, cr, http.MethodPost, "/api/v1/statuses", strings.NewReader(form.Encode()),
		"application/x-www-form-urlencoded", h, &st); err != nil {
		return herald.RemoteRef{}, err
	}
	if st.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK,
			Message: "the platform accepted the post but did not say its id"}
	}
	return herald.RemoteRef{ID: st.ID, URL: st.URL}, nil
}

// replyTarget is the id a part replies to: the part before, or for a
// first comment the post itself.
func replyTarget(p connector.Part) string {
	switch {
	case p.ReplyTo != nil:
		return p.ReplyTo.ID
	case p.Comment && p.Root != nil:
		return p.Root.ID
	}
	return ""
}

// media is the part of an uploaded attachment the connector reads.
type media struct {
	ID string `json:"id"`
}

// upload sends one file and waits until the platform has processed it.
// Nothing is published by an upload, so its failures are never Ambiguous.
func (c *Connector) upload(ctx context.Context, cr Credentials, m connector.Media) (string, error) {
	if m.Open == nil {
		return "", &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("media %d (%s) has no file to upload", m.Asset.ID, m.Asset.Filename)}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media %d (%s) cannot be read", m.Asset.ID, m.Asset.Filename), Err: err}
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		defer f.Close()
		pw.CloseWithError(connector.WriteMediaForm(mw, f, m.Asset, "description"))
	}()
	var md media
	res, err := c.call(ctx, cr, http.MethodPost, "/api/v2/media", pr, mw.FormDataContentType(), nil, &md)
	_ = pr.Close() // ends the writer if the request stopped reading early
	if err != nil {
		return "", connector.Repeatable(err)
	}
	if md.ID == "" {
		return "", &connector.Error{Class: connector.Transient, Status: res.Status, Message: "the platform accepted the upload but did not say its id"}
	}
	if res.Status != http.StatusAccepted && res.Status != http.StatusPartialContent {
		return md.ID, nil
	}
	t := time.NewTicker(c.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media %d was still processing on the platform", m.Asset.ID), Err: ctx.Err()}
		case <-t.C:
		}
		res, err := c.call(ctx, cr, http.MethodGet, "/api/v1/media/"+url.PathEscape(md.ID), nil, "", nil, nil)
		if err != nil {
			return "", connector.Repeatable(err)
		}
		if res.Status == http.StatusOK {
			return md.ID, nil
		}
	}
}

// Find looks for the part among the account's recent statuses by the
// Herald key the platform echoes. A platform without lookups answers 404:
// that is an Invalid error, since "not found" would invite a second post.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	if p.Key == "" {
		return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid, Message: "the part has no key, so it cannot be looked for on the platform"}
	}
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	remoteID := acct.RemoteID
	if remoteID == "" {
		var who struct {
			ID string `json:"id"`
		}
		if _, err := c.call(ctx, cr, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, "", nil, &who); err != nil {
			return herald.RemoteRef{}, false, connector.Repeatable(err)
		}
		remoteID = who.ID
	}
	maxID := ""
	for range findPages {
		q := url.Values{"limit": {"40"}}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		var page []status
		_, err := c.call(ctx, cr, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(remoteID)+"/statuses?"+q.Encode(), nil, "", nil, &page)
		if err != nil {
			var e *connector.Error
			if errors.As(err, &e) && e.Status == http.StatusNotFound {
				return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid, Status: e.Status,
					Message: "the platform does not list the account's recent posts, so whether it was published cannot be checked", Err: err}
			}
			return herald.RemoteRef{}, false, connector.Repeatable(err)
		}
		for _, st := range page {
			if st.HeraldKey == p.Key {
				return herald.RemoteRef{ID: st.ID, URL: st.URL}, true, nil
			}
		}
		if len(page) < 40 {
			break
		}
		maxID = page[len(page)-1].ID
	}
	return herald.RemoteRef{}, false, nil
}

// Refresh trades the refresh token for a new access token. A refused
// refresh token means the account must be reconnected (AuthRevoked).
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	if cr.RefreshToken == "" {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no refresh token; reconnect the account"}
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	noAuth := cr
	noAuth.AccessToken = ""
	start := c.now()
	if _, err := c.call(ctx, noAuth, http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()),
		"application/x-www-form-urlencoded", nil, &tok); err != nil {
		var e *connector.Error
		if errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized) && e.Class != connector.Transient {
			return nil, nil, &connector.Error{Class: connector.AuthRevoked, Status: e.Status,
				Message: "the platform refused the refresh token (" + e.Message + "); reconnect the account", Err: err}
		}
		// A refresh the platform may have carried out is still safe to
		// repeat: refresh tokens are not used up.
		return nil, nil, connector.Repeatable(err)
	}
	if tok.AccessToken == "" {
		return nil, nil, &connector.Error{Class: connector.Transient, Message: "the platform's token answer has no access_token"}
	}
	cr.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		cr.RefreshToken = tok.RefreshToken
	}
	cr.ExpiresAt = nil
	if tok.ExpiresIn > 0 {
		t := start.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
		cr.ExpiresAt = &t
	}
	b, err := json.Marshal(cr)
	if err != nil {
		return nil, nil, fmt.Errorf("fake: encode credentials: %w", err)
	}
	return b, cr.ExpiresAt, nil
}

// Delete removes a published status; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr, http.MethodDelete, "/api/v1/statuses/"+url.PathEscape(ref.ID), nil, "", nil, nil)
	var e *connector.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound && e.Class == connector.Invalid {
		return nil
	}
	return err
}

// Edit replaces a published status's text, content warning, language and
// media (PUT /api/v1/statuses/{id}); the part is the whole new content, so
// a part without media leaves the status without media. Visibility is
// fixed once published. Editing twice with the same part is harmless.
func (c *Connector) Edit(ctx context.Context, acct connector.Account, ref herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if ref.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "the post to edit has no remote id"}
	}
	form := url.Values{}
	form.Set("status", p.Text)
	for _, m := range p.Media {
		id, err := c.upload(ctx, cr, m)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		form.Add("media_ids[]", id)
	}
	for _, k := range []string{"spoiler_text", "language"} {
		if v := p.Options[k]; v != "" {
			form.Set(k, v)
		}
	}
	var st status
	if _, err := c.call(ctx, cr, http.MethodPut, "/api/v1/statuses/"+url.PathEscape(ref.ID), strings.NewReader(form.Encode()),
		"application/x-www-form-urlencoded", nil, &st); err != nil {
		return herald.RemoteRef{}, connector.Repeatable(err)
	}
	if st.ID == "" {
		st.ID = ref.ID
	}
	if st.URL == "" {
		st.URL = ref.URL
	}
	return herald.RemoteRef{ID: st.ID, URL: st.URL}, nil
}

// Limits reads the instance's limits (once per platform address).
func (c *Connector) Limits(ctx context.Context, acct connector.Account) (connector.Limits, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Limits{}, err
	}
	c.mu.Lock()
	l, ok := c.limits[cr.BaseURL]
	c.mu.Unlock()
	if ok {
		return l, nil
	}
	var inst struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				MaxMediaAttachments      int `json:"max_media_attachments"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
			MediaAttachments struct {
				ImageSizeLimit   int64 `json:"image_size_limit"`
				VideoSizeLimit   int64 `json:"video_size_limit"`
				DescriptionLimit int   `json:"description_limit"`
			} `json:"media_attachments"`
		} `json:"configuration"`
	}
	if _, err := c.call(ctx, cr, http.MethodGet, "/api/v2/instance", nil, "", nil, &inst); err != nil {
		return connector.Limits{}, err
	}
	st, ma := inst.Configuration.Statuses, inst.Configuration.MediaAttachments
	l = connector.Limits{
		MaxChars:         st.MaxCharacters,
		MaxMedia:         st.MaxMediaAttachments,
		MaxImageBytes:    ma.ImageSizeLimit,
		MaxVideoBytes:    ma.VideoSizeLimit,
		MaxThreadParts:   MaxThreadParts,
		FirstComment:     true,
		AltTextMaxChars:  ma.DescriptionLimit,
		CharsReservedURL: st.CharactersReservedPerURL,
	}
	c.mu.Lock()
	c.limits[cr.BaseURL] = l
	c.mu.Unlock()
	return l, nil
}

// MarshalCredentials encodes credentials for an account (for tests, seed
// data and the connect flow).
func MarshalCredentials(cr Credentials) []byte {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(cr) // plain strings and a time always encode
	return bytes.TrimSpace(buf.Bytes())
}
