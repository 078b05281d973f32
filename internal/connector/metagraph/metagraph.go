// Package metagraph is the thin client of Meta's Graph API that the
// Facebook Pages and Instagram connectors share: versioned calls to
// graph.facebook.com through connector.Do, Meta's error body classified
// into the connector's error classes (with the wait from Meta's usage
// headers), and the Facebook Login steps both platforms connect through.
package metagraph

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// Version is the Graph API version Herald speaks (released 18 February
// 2026, available until July 2028).
const Version = "v25.0"

// Where Meta lives.
const (
	DefaultBaseURL   = "https://graph.facebook.com"
	DefaultDialogURL = "https://www.facebook.com"
)

// Client calls the Graph API for one Meta app. It is safe for concurrent use.
type Client struct {
	HTTP      *http.Client
	BaseURL   string // without the version, e.g. https://graph.facebook.com
	DialogURL string // the Login dialog's host, e.g. https://www.facebook.com
	AppID     string
	AppSecret string
	Now       func() time.Time
}

// NewClient returns a client of Meta's hosts; h nil means http.DefaultClient.
func NewClient(h *http.Client, appID, appSecret string) *Client {
	if h == nil {
		h = http.DefaultClient
	}
	return &Client{HTTP: h, BaseURL: DefaultBaseURL, DialogURL: DefaultDialogURL,
		AppID: appID, AppSecret: appSecret, Now: time.Now}
}

// Request is one Graph API call.
type Request struct {
	Method string
	Path   string // after the version: "/me/accounts", "/{page-id}/feed"
	Query  url.Values
	// Form is sent as application/x-www-form-urlencoded (POST); Body with
	// ContentType replaces it (a multipart upload).
	Form        url.Values
	Body        io.Reader
	ContentType string
	Token       string // the access token; "" for app-level calls
	Out         any    // the 2xx body is decoded into it, if not nil
	// Create marks the call that publishes: an answer lost or garbled after
	// it was sent may have published, so it is Ambiguous, not Transient.
	Create bool
}

// Proof is appsecret_proof for token: the token's HMAC-SHA256 under the
// app secret, which Meta checks when the app requires it.
func (c *Client) Proof(token string) string {
	m := hmac.New(sha256.New, []byte(c.AppSecret))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// Do sends one call and classifies Meta's answer.
func (c *Client) Do(ctx context.Context, rq Request) (*connector.Response, error) {
	q := url.Values{}
	for k, v := range rq.Query {
		q[k] = v
	}
	form := url.Values{}
	for k, v := range rq.Form {
		form[k] = v
	}
	auth := q
	if rq.Method == http.MethodPost && rq.Body == nil {
		auth = form
	}
	if rq.Token != "" {
		auth.Set("access_token", rq.Token)
		if c.AppSecret != "" {
			auth.Set("appsecret_proof", c.Proof(rq.Token))
		}
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/" + Version + rq.Path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	body, ctype := rq.Body, rq.ContentType
	if body == nil && rq.Method == http.MethodPost {
		body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, u, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	where := rq.Method + " " + pathOnly(rq.Path)
	res, err := connector.Do(c.HTTP, req, 0)
	if err != nil {
		return res, fmt.Errorf("meta: %s: %w", where, err)
	}
	if e := Classify(res, c.now()); e != nil {
		if rq.Create {
			e = sharpen(e)
		}
		return res, fmt.Errorf("meta: %s: %w", where, e)
	}
	if rq.Out != nil {
		if err := json.Unmarshal(res.Body, rq.Out); err != nil {
			e := &connector.Error{Class: connector.Transient, Status: res.Status,
				Message: fmt.Sprintf("Meta answered HTTP %d with a body that is not the expected JSON", res.Status), Err: err}
			if rq.Create {
				e.Class = connector.Ambiguous
				e.Message += "; it may have been published"
			}
			return res, fmt.Errorf("meta: %s: %w", where, e)
		}
	}
	return res, nil
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// pathOnly keeps ids out of error texts' shape but not out of the path: the
// path is what a person debugging needs.
func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// sharpen makes a transient failure of a publishing call ambiguous once a
// server answered: Meta's 5xx and code 1/2 answers do not say the post was
// not made.
func sharpen(e *connector.Error) *connector.Error {
	if e.Class != connector.Transient || e.Status == 0 {
		return e
	}
	a := *e
	a.Class = connector.Ambiguous
	a.Message += "; it may have been published"
	return &a
}

// GraphError is Meta's error body's "error" object.
type GraphError struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	Code         int    `json:"code"`
	Subcode      int    `json:"error_subcode"`
	UserTitle    string `json:"error_user_title"`
	UserMsg      string `json:"error_user_msg"`
	IsTransient  bool   `json:"is_transient"`
	FBTraceID    string `json:"fbtrace_id"`
	hasErrorBody bool
}

// ParseError reads Meta's {"error":{…}} body; ok is false for any other body.
func ParseError(body []byte) (GraphError, bool) {
	var v struct {
		Error *GraphError `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Error == nil || (v.Error.Code == 0 && v.Error.Message == "") {
		return GraphError{}, false
	}
	v.Error.hasErrorBody = true
	return *v.Error, true
}

// Text is the error's words for people: Meta's message, with the message
// meant for users when Meta gives one.
func (g GraphError) Text() string {
	msg := g.Message
	if g.UserMsg != "" && g.UserMsg != msg {
		if msg != "" {
			msg += ": "
		}
		msg += g.UserMsg
	}
	return msg
}

// Error codes and subcodes Meta documents (Graph API, Handling Errors;
// Rate Limiting).
const (
	CodeUnknown            = 1
	CodeService            = 2
	CodeTooManyCalls       = 4
	CodePermissionDenied   = 10
	CodeUserTooManyCalls   = 17
	CodePageTooManyCalls   = 32
	CodeInvalidParameter   = 100
	CodeSession            = 102
	CodeAccessToken        = 190
	CodeAppLimit           = 341
	CodeDuplicatePost      = 506
	CodeRateExceeded       = 613
	SubcodeAppNotInstalled = 458
	SubcodeCheckpoint      = 459
	SubcodePasswordChanged = 460
	SubcodeExpired         = 463
	SubcodeUnconfirmed     = 464
	SubcodeInvalidToken    = 467
	SubcodeInvalidSession  = 492
	SubcodeNoObject        = 33 // with code 100: the object does not exist (or cannot be seen)
)

// RateLimitCode reports whether code is one of Meta's throttling codes:
// 4 (app), 17 (user), 32 (page), 341 (app limit), 613 (calls exceeded) and
// the Business Use Case codes 80000–80099 (80001 Pages, 80002 Instagram, …).
func RateLimitCode(code int) bool {
	switch code {
	case CodeTooManyCalls, CodeUserTooManyCalls, CodePageTooManyCalls, CodeAppLimit, CodeRateExceeded:
		return true
	}
	return code >= 80000 && code < 80100
}

// DefaultRateWait is the wait after a throttling answer that carried no
// estimated_time_to_regain_access: Meta's platform limits count over a
// rolling hour, and a quarter of it is a fair first wait (a second
// refusal waits again).
const DefaultRateWait = 15 * time.Minute

// Classify maps Meta's answer to an error class (nil below 400):
//
//	code 190 or 102, subcode 463       → AuthExpired (the token expired)
//	code 190 or 102, other subcodes    → AuthRevoked (460 password changed, 467 invalid,
//	                                     458 app removed, 459/464 account checkpoint, 492 session)
//	code 10                            → AuthRevoked (a permission was withdrawn)
//	codes 4, 17, 32, 341, 613, 80000–80099 → RateLimited, waiting estimated_time_to_regain_access
//	                                     from X-Business-Use-Case-Usage (minutes), else Retry-After,
//	                                     else DefaultRateWait
//	codes 1, 2, is_transient, HTTP 5xx → Transient
//	codes 100, 200–299 and the rest    → Invalid with Meta's message
//
// A body that is not Meta's error JSON is judged by connector.Classify.
func Classify(res *connector.Response, now time.Time) *connector.Error {
	if res.Status < 400 {
		return nil
	}
	g, ok := ParseError(res.Body)
	if !ok {
		return connector.Classify(res.Status, res.Header, res.Body, now)
	}
	e := &connector.Error{Status: res.Status, Message: g.Text()}
	switch {
	case g.Code == CodeAccessToken || g.Code == CodeSession:
		e.Class = connector.AuthRevoked
		if g.Subcode == SubcodeExpired {
			e.Class = connector.AuthExpired
		}
	case g.Code == CodePermissionDenied:
		e.Class = connector.AuthRevoked
	case RateLimitCode(g.Code):
		e.Class = connector.RateLimited
		e.RetryAfter = RetryAfter(res.Header, now)
	case g.Code == CodeUnknown || g.Code == CodeService || g.IsTransient || res.Status >= 500:
		e.Class = connector.Transient
		e.RetryAfter = connector.ParseRetryAfter(res.Header, now)
	default:
		e.Class = connector.Invalid
	}
	e.Err = &CodeError{Code: g.Code, Subcode: g.Subcode, TraceID: g.FBTraceID}
	return e
}

// CodeError carries Meta's code and subcode under a classified error, for
// callers that act on a particular code (a deleted post, a container not
// ready).
type CodeError struct {
	Code, Subcode int
	TraceID       string
}

func (c *CodeError) Error() string {
	s := fmt.Sprintf("Meta error code %d", c.Code)
	if c.Subcode != 0 {
		s += fmt.Sprintf(", subcode %d", c.Subcode)
	}
	if c.TraceID != "" {
		s += ", fbtrace_id " + c.TraceID
	}
	return s
}

// Codes returns Meta's code and subcode of err, if it carries them.
func Codes(err error) (code, subcode int, ok bool) {
	var c *CodeError
	if errors.As(err, &c) {
		return c.Code, c.Subcode, true
	}
	return 0, 0, false
}

// usage is one entry of Meta's usage headers.
type usage struct {
	Type                        string  `json:"type"`
	CallCount                   float64 `json:"call_count"`
	TotalCPUTime                float64 `json:"total_cputime"`
	TotalTime                   float64 `json:"total_time"`
	EstimatedTimeToRegainAccess float64 `json:"estimated_time_to_regain_access"`
}

// RetryAfter is how long Meta asks Herald to wait: the largest
// estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage
// ({"<business-object-id>":[{"type":"pages","call_count":…,
// "total_cputime":…,"total_time":…,"estimated_time_to_regain_access":…}]}),
// else Retry-After, else DefaultRateWait. X-App-Usage ({"call_count",
// "total_time","total_cputime"}, percentages) says how near the limit the
// app is but not when it resets, so it only confirms the default.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	var most float64
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var m map[string][]usage
		if json.Unmarshal([]byte(v), &m) == nil {
			for _, list := range m {
				for _, u := range list {
					most = max(most, u.EstimatedTimeToRegainAccess)
				}
			}
		}
	}
	if most > 0 {
		return time.Duration(most * float64(time.Minute))
	}
	if d := connector.ParseRetryAfter(h, now); d > 0 {
		return d
	}
	return DefaultRateWait
}

// AppUsage returns the highest percentage in X-App-Usage (0 when absent).
func AppUsage(h http.Header) float64 {
	var u usage
	if json.Unmarshal([]byte(h.Get("X-App-Usage")), &u) != nil {
		return 0
	}
	return max(u.CallCount, u.TotalCPUTime, u.TotalTime)
}

// StreamMultipart returns a multipart/form-data body that streams fields
// and then one file read from open (a video need not fit in memory), and
// its content type. The file is opened as the body is read.
func StreamMultipart(ctx context.Context, fields url.Values, fileField, filename, contentType string,
	open func(context.Context) (io.ReadCloser, error)) (io.ReadCloser, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeMultipart(ctx, mw, fields, fileField, filename, contentType, open))
	}()
	return pr, mw.FormDataContentType()
}

func writeMultipart(ctx context.Context, mw *multipart.Writer, fields url.Values, fileField, filename, contentType string,
	open func(context.Context) (io.ReadCloser, error)) error {
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				return err
			}
		}
	}
	f, err := open(ctx)
	if err != nil {
		return fmt.Errorf("open the media file: %w", err)
	}
	defer f.Close()
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, fileField, filename))
	h.Set("Content-Type", contentType)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read the media file: %w", err)
	}
	return mw.Close()
}
