package links

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/teststore"
)

// apiError is the API's error body.
type apiError struct {
	Error struct {
		Code    herald.Code           `json:"code"`
		Message string                `json:"message"`
		Details []herald.FieldProblem `json:"details"`
	} `json:"error"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Details == nil {
		t.Fatalf("not the API's error body (%v): %s", err, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return e
}

func TestConversions(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		const u = "https://bakery.example/shop"
		code := w.link(t, u)
		id := w.visit(t, code)
		body := `{"click_id":"` + id + `","event_id":"order-1001","name":"purchase","value":19.99,"currency":"EUR",` +
			`"occurred_at":"2026-03-25T09:30:00+01:00"}`

		// No secret yet: 403 saying where to make one.
		rec := w.convert(t, body, Sign("anything", []byte(body)))
		if e := decodeError(t, rec); rec.Code != http.StatusForbidden || !strings.Contains(e.Error.Message, "Settings › Analytics") {
			t.Fatalf("without a secret: %d %s", rec.Code, rec.Body)
		}
		_, err := w.svc.UpdateSettings(ctx, w.actors[herald.RoleManager], w.ws.ID, true, "followers", "eur")
		must(t, err)
		secret, err := w.svc.RotateSecret(ctx, w.actors[herald.RoleManager], w.ws.ID)
		must(t, err)

		// A good signature: 201 with the conversion.
		rec = w.convert(t, body, Sign(secret, []byte(body)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("good signature: %d %s", rec.Code, rec.Body)
		}
		var got ConversionResult
		must(t, json.Unmarshal(rec.Body.Bytes(), &got))
		if got.Duplicate || got.ID == 0 || got.ClickID != id || got.EventID != "order-1001" || got.Name != "purchase" ||
			got.Value != 1999 || got.Currency != "EUR" || got.Source != SourceServer || got.TargetID != w.target.ID ||
			!got.OccurredAt.Equal(time.Date(2026, 3, 25, 8, 30, 0, 0, time.UTC)) {
			t.Errorf("conversion %+v", got)
		}
		if c := w.counts(t, u); c.Conversions != 1 || c.Revenue != 1999 {
			t.Errorf("counts after a conversion: %+v", c)
		}

		// A replay: 200, duplicate, the stored conversion, counts unchanged.
		rec = w.convert(t, body, Sign(secret, []byte(body)))
		var dup ConversionResult
		must(t, json.Unmarshal(rec.Body.Bytes(), &dup))
		if rec.Code != http.StatusOK || !dup.Duplicate || dup.ID != got.ID {
			t.Errorf("replay: %d %s", rec.Code, rec.Body)
		}
		if c := w.counts(t, u); c.Conversions != 1 || c.Revenue != 1999 {
			t.Errorf("counts after a replay: %+v", c)
		}

		// Another currency counts but adds no revenue.
		usd := `{"click_id":"` + id + `","event_id":"order-1002","value":5,"currency":"USD"}`
		if rec := w.convert(t, usd, Sign(secret, []byte(usd))); rec.Code != http.StatusCreated {
			t.Fatalf("a conversion in USD: %d %s", rec.Code, rec.Body)
		}
		if c := w.counts(t, u); c.Conversions != 2 || c.Revenue != 1999 {
			t.Errorf("counts after a conversion in another currency: %+v", c)
		}

		// Refusals.
		other := `{"click_id":"` + id + `","event_id":"order-2000"}`
		for _, tt := range []struct {
			name, body, sig string
			status          int
			code            herald.Code
			says            string
		}{
			{"bad signature", other, Sign("hconv_wrong", []byte(other)), 401, herald.CodeUnauthorized, "HMAC-SHA256"},
			{"signature of another body", other, Sign(secret, []byte(body)), 401, herald.CodeUnauthorized, "sha256="},
			{"no signature", other, "", 401, herald.CodeUnauthorized, SignatureHeader},
			{"not hex", other, "sha256=zz", 401, herald.CodeUnauthorized, "signature"},
			{"unknown click", `{"click_id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","event_id":"e"}`, "", 404, herald.CodeNotFound, "click id is unknown"},
			{"misshapen click", `{"click_id":"nope","event_id":"e"}`, "", 404, herald.CodeNotFound, "click id is unknown"},
			{"no click", `{"event_id":"e"}`, "", 422, herald.CodeInvalid, "not valid"},
			{"not JSON", `{"click_id":`, "", 400, herald.CodeBadRequest, "JSON"},
			{"unknown field", `{"click_id":"` + id + `","event_id":"e","value_cents":100}`, "", 400, herald.CodeBadRequest, "JSON"},
			{"too large", `{"click_id":"` + id + `","name":"` + strings.Repeat("x", MaxConversionBody) + `"}`, "", 413, herald.CodeTooLarge, "bytes"},
		} {
			rec := w.convert(t, tt.body, tt.sig)
			e := decodeError(t, rec)
			if rec.Code != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.says) {
				t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
			}
		}

		// Values out of bounds: 422 naming the field.
		for _, tt := range []struct{ name, fields, field string }{
			{"negative", `"event_id":"n1","value":-1,"currency":"EUR"`, "value"},
			{"absurd", `"event_id":"n2","value":1e12,"currency":"EUR"`, "value"},
			{"NaN as a string", `"event_id":"n3","value":"NaN","currency":"EUR"`, "value"},
			{"a number as a string", `"event_id":"n4","value":"19.99","currency":"EUR"`, "value"},
			{"missing currency", `"event_id":"n5","value":10`, "currency"},
			{"lower-case currency", `"event_id":"n6","value":10,"currency":"eur"`, "currency"},
			{"currency alone, wrong", `"event_id":"n7","currency":"EURO"`, "currency"},
			{"no event id", `"name":"signup"`, "event_id"},
			{"long event id", `"event_id":"` + strings.Repeat("e", MaxEventIDLength+1) + `"`, "event_id"},
			{"long name", `"event_id":"n8","name":"` + strings.Repeat("n", MaxNameLength+1) + `"`, "name"},
			{"control character", `"event_id":"n9\u0007"`, "event_id"},
			{"in the future", `"event_id":"n10","occurred_at":"2026-03-25T11:30:00Z"`, "occurred_at"},
			{"too old", `"event_id":"n11","occurred_at":"2025-12-01T00:00:00Z"`, "occurred_at"},
			{"not a time", `"event_id":"n12","occurred_at":"yesterday"`, "occurred_at"},
		} {
			b := `{"click_id":"` + id + `",` + tt.fields + `}`
			rec := w.convert(t, b, Sign(secret, []byte(b)))
			e := decodeError(t, rec)
			if rec.Code != http.StatusUnprocessableEntity || len(e.Error.Details) == 0 || e.Error.Details[0].Field != tt.field {
				t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
			}
		}
		if c := w.counts(t, u); c.Conversions != 2 || c.Revenue != 1999 {
			t.Errorf("counts after the refusals: %+v", c)
		}

		// Rotating the secret retires the old one.
		if _, err := w.svc.RotateSecret(ctx, w.actors[herald.RoleOwner], w.ws.ID); err != nil {
			t.Fatal(err)
		}
		late := `{"click_id":"` + id + `","event_id":"order-1003"}`
		if rec := w.convert(t, late, Sign(secret, []byte(late))); rec.Code != http.StatusUnauthorized {
			t.Errorf("the old secret after a rotation: %d", rec.Code)
		}
	})
}

func TestConversionOfAPendingClick(t *testing.T) {
	w := newWorld(t, teststore.SQLite(t))
	ctx := t.Context()
	code := w.link(t, "https://bakery.example/")
	rec := w.follow(t, http.MethodGet, code, chromeUA)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	id := loc.Query().Get(herald.ClickIDParam)
	secret, err := w.svc.RotateSecret(ctx, w.actors[herald.RoleAdmin], w.ws.ID)
	must(t, err)
	body := `{"click_id":"` + id + `","event_id":"fast"}`
	if rec := w.convert(t, body, Sign(secret, []byte(body))); rec.Code != http.StatusCreated {
		t.Fatalf("a conversion right after the click: %d %s", rec.Code, rec.Body)
	}
	if p := w.svc.Recorder().Stats().Pending; p != 0 {
		t.Errorf("%d clicks still pending", p)
	}
}

func TestPixel(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		w := newWorld(t, st)
		const u = "https://bakery.example/thanks"
		id := w.visit(t, w.link(t, u))
		pixel := func(query string) {
			t.Helper()
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/l/px.gif?"+query, nil)
			rec := httptest.NewRecorder()
			w.svc.Handler().ServeHTTP(rec, r)
			if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), gif) || len(gif) != 43 ||
				rec.Header().Get("Content-Type") != "image/gif" || !strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
				t.Errorf("px.gif?%s = %d %q %v", query, rec.Code, rec.Body, rec.Header())
			}
		}
		pixel("hclid=" + id + "&name=signup")
		pixel("hclid=" + id + "&name=signup") // a reload: the same event
		pixel("hclid=" + id + "&event_id=o-1&name=purchase&value=12.5&currency=USD")
		pixel("hclid=" + id + "&event_id=o-2&value=-3&currency=USD")       // refused
		pixel("hclid=" + id + "&event_id=o-3&value=NaN&currency=USD")      // refused
		pixel("hclid=" + id + "&event_id=o-4&value=abc")                   // refused
		pixel("hclid=aaaaaaaaaaaaaaaaaaaaaaaaaa&event_id=o-5&name=signup") // unknown click
		pixel("hclid=../../etc")
		pixel("")
		if c := w.counts(t, u); c.Conversions != 2 || c.Revenue != 1250 {
			t.Errorf("counts after the pixels: %+v", c)
		}
		cs, err := st.ListConversions(t.Context(), w.ws.ID, time.Time{}, time.Time{}, 10)
		must(t, err)
		for _, c := range cs {
			if c.Source != SourcePixel || c.ClickID != id {
				t.Errorf("conversion %+v", c)
			}
		}
	})
}
