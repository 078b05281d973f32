package fakeserver_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

func TestRateLimitedLog(t *testing.T) {
	s, base := start(t, fakeserver.Config{RateLimit: 1, RateWindow: time.Hour})
	c := s.Client()
	before := time.Now()
	for i, want := range []int{200, 429, 429} {
		if r := post(t, c, base, "f", url.Values{"status": {"x"}}, nil); r.status != want {
			t.Fatalf("request %d: %d, want %d", i, r.status, want)
		}
	}
	if r := do(t, c, http.MethodGet, base+"/api/v1/accounts/verify_credentials", "g", nil, "", nil); r.status != 200 {
		t.Fatalf("other account: %d", r.status)
	}
	if r := do(t, c, http.MethodGet, base+"/api/v1/accounts/verify_credentials", "g", nil, "", nil); r.status != 429 {
		t.Fatalf("other account, second request: %d", r.status)
	}

	got, err := fakeserver.FetchRateLimited(t.Context(), c, base)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dropped != 0 || len(got.Accounts) != 2 || len(got.Accounts["f"]) != 2 || len(got.Accounts["g"]) != 1 {
		t.Fatalf("log = %+v", got)
	}
	f := got.Accounts["f"]
	for i, r := range f {
		if r.Account != "f" || r.Method != http.MethodPost || r.Path != "/api/v1/statuses" || r.At.Before(before) ||
			!r.Reset.After(r.At) || r.RetryAfter < 1 || r.RetryAfter > 3600 {
			t.Errorf("refusal %d = %+v", i, r)
		}
	}
	if f[1].At.Before(f[0].At) || !f[1].Reset.Equal(f[0].Reset) {
		t.Errorf("refusals out of order or in different windows: %+v", f)
	}
	if g := got.Accounts["g"][0]; g.Method != http.MethodGet || g.Path != "/api/v1/accounts/verify_credentials" {
		t.Errorf("refusal of g = %+v", g)
	}
	if in := s.RateLimited(); len(in.Accounts["f"]) != 2 {
		t.Errorf("RateLimited() = %+v", in)
	}

	s.Reset()
	got, err = fakeserver.FetchRateLimited(t.Context(), c, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Accounts) != 0 {
		t.Errorf("after reset: %+v", got)
	}
}
