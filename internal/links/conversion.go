package links

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// Conversion limits.
const (
	// MaxConversionBody bounds a conversion's JSON body.
	MaxConversionBody = 16 << 10
	// MaxConversionValue is the largest value a conversion may carry, in
	// units of its currency.
	MaxConversionValue = 1e10
	// MaxEventIDLength and MaxNameLength bound event_id and name, in
	// characters.
	MaxEventIDLength = 200
	MaxNameLength    = 100
	// MaxConversionAge is how far back occurred_at may be;
	// MaxConversionAhead how far ahead (clocks differ).
	MaxConversionAge   = 90 * 24 * time.Hour
	MaxConversionAhead = time.Hour
)

// SignatureHeader carries a conversion's signature: "sha256=" and the
// hex of the HMAC-SHA256 of the raw body, keyed with the workspace's
// conversion secret exactly as RotateSecret returned it.
const SignatureHeader = "X-Herald-Signature"

// Conversion sources.
const (
	SourceServer = "server"
	SourcePixel  = "pixel"
)

// Sign returns the value of SignatureHeader for body (for the
// workspace's own server, its tests and the documentation's examples).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// verify reports, in constant time, whether header is body's signature.
func verify(secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil || len(sum) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(m.Sum(nil), sum)
}

// conversionRequest is the body of POST /api/v1/conversions.
type conversionRequest struct {
	ClickID    string          `json:"click_id"`
	EventID    string          `json:"event_id"`
	Name       string          `json:"name"`
	Value      json.RawMessage `json:"value"`
	Currency   string          `json:"currency"`
	OccurredAt string          `json:"occurred_at"`
}

// ConversionResult is the answer to a conversion: the conversion as
// stored and whether it was a replay of an event id already stored (then
// nothing changed).
type ConversionResult struct {
	herald.Conversion
	Duplicate bool `json:"duplicate"`
}

// Conversions serves POST /api/v1/conversions, a conversion reported by
// the workspace's own server: {"click_id", "event_id", "name", "value",
// "currency", "occurred_at"}, signed in SignatureHeader. It answers 201
// with the conversion, 200 with "duplicate": true for an event id already
// stored, and the API's error body otherwise: 404 for an unknown click
// id, 403 while the workspace has no conversion secret, 401 for a missing
// or wrong signature, 422 for values out of bounds. The click id is
// looked up before the signature is checked (the click says whose secret
// signs); click ids are 128 random bits, so that tells nobody anything.
func (s *Service) Conversions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxConversionBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(ctx, w, herald.Errorf(herald.CodeTooLarge, "the body is over %d bytes", MaxConversionBody))
			return
		}
		s.writeError(ctx, w, herald.Errorf(herald.CodeBadRequest, "the request body was cut off before its end: send it again"))
		return
	}
	var in conversionRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(&in)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("something follows the JSON object")
	}
	if err != nil {
		s.writeError(ctx, w, &herald.Error{Code: herald.CodeBadRequest,
			Message: "the body is not a JSON object of click_id, event_id, name, value, currency and occurred_at",
			Details: []herald.FieldProblem{{Problem: err.Error()}}})
		return
	}
	if in.ClickID == "" {
		s.writeError(ctx, w, herald.Problems{{Field: "click_id", Problem: "is required: the hclid parameter of the visit"}}.
			Err("the conversion is not valid"))
		return
	}
	click, err := s.findClick(ctx, in.ClickID)
	if err != nil {
		s.writeError(ctx, w, err)
		return
	}
	set, err := s.store.GetAnalyticsSettings(ctx, click.WorkspaceID)
	if err != nil {
		s.writeError(ctx, w, fmt.Errorf("links: read the settings of workspace %d: %w", click.WorkspaceID, err))
		return
	}
	if set.ConversionSecret.Empty() {
		s.writeError(ctx, w, herald.Errorf(herald.CodeForbidden,
			"this workspace has no conversion secret yet: create one in Settings › Analytics and sign conversions with it"))
		return
	}
	secret, err := s.sealer.Open(set.ConversionSecret, secretAAD(click.WorkspaceID))
	if err != nil {
		s.writeError(ctx, w, fmt.Errorf("links: open the conversion secret of workspace %d (was the key file changed? rotate the secret): %w",
			click.WorkspaceID, err))
		return
	}
	if !verify(secret, body, r.Header.Get(SignatureHeader)) {
		s.writeError(ctx, w, herald.Errorf(herald.CodeUnauthorized,
			"the signature is missing or wrong: send %s: sha256=<hex of the HMAC-SHA256 of the exact body, keyed with the workspace's conversion secret>",
			SignatureHeader))
		return
	}
	var p herald.Problems
	value, hasValue := jsonValue(&p, in.Value)
	c := s.newConversion(&p, click, in.EventID, in.Name, value, hasValue, in.Currency, in.OccurredAt)
	if err := p.Err("the conversion is not valid"); err != nil {
		s.writeError(ctx, w, err)
		return
	}
	c.Source = SourceServer
	stored, created, err := s.store.AddConversion(ctx, c, set.Currency)
	if err != nil {
		s.writeError(ctx, w, fmt.Errorf("links: add a conversion: %w", err))
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, ConversionResult{Conversion: stored, Duplicate: !created})
}

// findClick returns the click with id, written or still pending (then it
// is written first, so the conversion can refer to it).
func (s *Service) findClick(ctx context.Context, id string) (herald.Click, error) {
	unknown := &herald.Error{Code: herald.CodeNotFound, Message: "the click id is unknown",
		Details: []herald.FieldProblem{{Field: "click_id",
			Problem: "is not the id of a click on a Herald short link (the hclid parameter of the visit)"}}}
	if !validClickID(id) {
		return herald.Click{}, unknown
	}
	c, err := s.store.ClickByID(ctx, id)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, herald.ErrNotFound) {
		return herald.Click{}, fmt.Errorf("links: find click %s: %w", id, err)
	}
	c, ok := s.rec.Lookup(id)
	if !ok {
		return herald.Click{}, unknown
	}
	if err := s.rec.Flush(ctx); err != nil {
		return herald.Click{}, &herald.Error{Code: herald.CodeUnavailable,
			Message: "the click is not stored yet; try again in a moment", Err: err}
	}
	return c, nil
}

// jsonValue reads the optional value: a JSON number.
func jsonValue(p *herald.Problems, raw json.RawMessage) (float64, bool) {
	t := strings.TrimSpace(string(raw))
	if t == "" || t == "null" {
		return 0, false
	}
	if t[0] == '"' {
		p.Add("value", "must be a JSON number such as 19.99, not a string")
		return 0, false
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		p.Add("value", "must be a number such as 19.99")
		return 0, false
	}
	return v, true
}

// newConversion checks a conversion's fields and returns it, the problems
// added to p.
func (s *Service) newConversion(p *herald.Problems, click herald.Click, eventID, name string, value float64,
	hasValue bool, currency, occurredAt string) herald.Conversion {
	now := s.now()
	switch n := utf8.RuneCountInString(eventID); {
	case strings.TrimSpace(eventID) == "":
		p.Add("event_id", "is required: your own id of the event, so a retry is not counted twice")
	case n > MaxEventIDLength:
		p.Add("event_id", "is %d characters; at most %d are allowed", n, MaxEventIDLength)
	}
	herald.CheckLine(p, "event_id", eventID)
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxNameLength)
	}
	herald.CheckLine(p, "name", name)
	c := herald.Conversion{WorkspaceID: click.WorkspaceID, ClickID: click.ID, LinkID: click.LinkID,
		TargetID: click.TargetID, EventID: eventID, Name: name, OccurredAt: now, CreatedAt: now}
	if hasValue {
		switch {
		case math.IsNaN(value) || math.IsInf(value, 0):
			p.Add("value", "must be a finite number")
		case value < 0:
			p.Add("value", "must not be negative (a refund is not a conversion)")
		case value > MaxConversionValue:
			p.Add("value", "is over the largest value accepted, %.0f", float64(MaxConversionValue))
		default:
			c.Value = int64(math.Round(value * 100))
		}
		switch {
		case currency == "":
			p.Add("currency", "is required with a value: an ISO 4217 code such as USD or EUR")
		case !currencyCode(currency):
			p.Add("currency", "must be an ISO 4217 code of three capital letters, such as USD or EUR")
		default:
			c.Currency = currency
		}
	} else if currency != "" && !currencyCode(currency) {
		p.Add("currency", "must be an ISO 4217 code of three capital letters, such as USD or EUR")
	}
	if occurredAt != "" {
		t, err := time.Parse(time.RFC3339, occurredAt)
		switch {
		case err != nil:
			p.Add("occurred_at", "must be an RFC 3339 time with its offset, such as 2025-05-01T14:30:00Z")
		case t.After(now.Add(MaxConversionAhead)):
			p.Add("occurred_at", "is more than an hour ahead of Herald's clock")
		case t.Before(now.Add(-MaxConversionAge)):
			p.Add("occurred_at", "is more than 90 days ago")
		default:
			c.OccurredAt = t.UTC().Truncate(time.Microsecond)
		}
	}
	return c
}

// gif is a transparent 1×1 GIF.
var gif = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00" +
	"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

var (
	imageGIF  = []string{"image/gif"}
	gifLength = []string{strconv.Itoa(len(gif))}
)

// Pixel serves GET /l/px.gif?hclid=…&event_id=…&name=…&value=…&currency=…:
// always the transparent 1×1 GIF, never cached, whatever the parameters.
// When the click id is known and the fields are valid, a conversion is
// recorded with Source "pixel"; without event_id, its event id is
// "pixel:" + name + ":" + hclid, so reloading a thank-you page counts
// once. Pixel conversions are not signed: anyone who has a click id can
// send one, which their source says.
func (s *Service) Pixel(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		s.pixelConversion(r)
	}
	h := w.Header()
	h["Content-Type"] = imageGIF
	h["Content-Length"] = gifLength
	h["Cache-Control"] = noStore
	h["X-Robots-Tag"] = noIndex
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(gif)
}

func (s *Service) pixelConversion(r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	id := q.Get(herald.ClickIDParam)
	if !validClickID(id) {
		return
	}
	click, err := s.findClick(ctx, id)
	if err != nil {
		if herald.ErrorCode(err) != herald.CodeNotFound {
			s.log.ErrorContext(ctx, "a pixel's click could not be read", slog.Any("error", err))
		}
		return
	}
	var p herald.Problems
	value, hasValue := 0.0, false
	if v := q.Get("value"); v != "" {
		if value, err = strconv.ParseFloat(v, 64); err != nil {
			return
		}
		hasValue = true
	}
	name, eventID := q.Get("name"), q.Get("event_id")
	if eventID == "" {
		eventID = "pixel:" + name + ":" + id
	}
	c := s.newConversion(&p, click, eventID, name, value, hasValue, q.Get("currency"), "")
	if len(p) > 0 {
		return
	}
	c.Source = SourcePixel
	set, err := s.store.GetAnalyticsSettings(ctx, click.WorkspaceID)
	if err == nil {
		_, _, err = s.store.AddConversion(ctx, c, set.Currency)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "a pixel conversion could not be stored", slog.Int64("workspace_id", click.WorkspaceID),
			slog.Any("error", err))
	}
}

// errorBody is the API's one error body.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    herald.Code           `json:"code"`
	Message string                `json:"message"`
	Details []herald.FieldProblem `json:"details"`
}

// writeError writes err as the API does: the code's one status and
// {"error":{"code","message","details"}}; anything but a *herald.Error
// (and an internal one) is logged here, once, and answered generically.
func (s *Service) writeError(ctx context.Context, w http.ResponseWriter, err error) {
	var he *herald.Error
	if !errors.As(err, &he) || he.Code == herald.CodeInternal {
		s.log.ErrorContext(ctx, "conversion failed", slog.Any("error", err))
		he = &herald.Error{Code: herald.CodeInternal, Message: "internal error: the problem was logged; try again later"}
	} else if he.Err != nil {
		s.log.WarnContext(ctx, "conversion refused", slog.Any("error", err))
	}
	details := he.Details
	if details == nil {
		details = []herald.FieldProblem{}
	}
	writeJSON(w, he.Code.HTTPStatus(), errorBody{Error: errorPayload{Code: he.Code, Message: he.Message, Details: details}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError,
			[]byte(`{"error":{"code":"internal","message":"internal error","details":[]}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
