package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebhooks adds a signed webhook on a phone-sized screen, copies
// its secret, sends a test that a real receiver verifies with it, and sees
// the attempt with the receiver's answer in the delivery log.
func TestBrowserWebhooks(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	var mu sync.Mutex
	var secret string
	verified := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(r.Header.Get("Herald-Webhook-Timestamp") + "." + string(body)))
		if r.Header.Get("Herald-Signature") != "v1="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		verified++
		_, _ = io.WriteString(w, "received and verified")
	}))
	defer rcv.Close()

	signInSized(t, ctx, e.srv.URL, "ana@example.com", 390, 844)
	var text, problems string
	run(t, ctx, "open the Webhooks tab",
		clickNav("#nav-settings"),
		chromedp.WaitVisible(chromedp.CSS("#tab-webhooks")),
		chromedp.Click(chromedp.CSS("#tab-webhooks")),
		chromedp.WaitVisible(chromedp.CSS("#new-webhook-submit")),
	)
	run(t, ctx, "add a signed webhook",
		chromedp.Click(chromedp.CSS("#new-webhook-kind-generic")),
		chromedp.SendKeys(chromedp.CSS("#new-webhook-name"), "Ops receiver"),
		chromedp.SendKeys(chromedp.CSS("#new-webhook-url"), rcv.URL+"/in"),
		chromedp.Click(chromedp.CSS("#new-webhook-submit")),
		chromedp.WaitVisible(chromedp.CSS("#webhook-secret")),
		into(&text, chromedp.Value(chromedp.CSS("#webhook-secret"))),
		into(&problems, chromedp.Evaluate[string](layoutProblems+`.join("; ")`)),
	)
	if !strings.HasPrefix(text, "whsec_") || problems != "" {
		t.Fatalf("secret %q, layout: %s", text, problems)
	}
	mu.Lock()
	secret = text
	mu.Unlock()
	run(t, ctx, "send a test",
		chromedp.Click(chromedp.CSS("#open-new-webhook")),
		chromedp.WaitVisible(chromedp.CSS("#send-test")),
		chromedp.Click(chromedp.CSS("#send-test")),
		chromedp.WaitVisible(chromedp.CSS("#test-result")),
		into(&text, chromedp.Text(chromedp.CSS("#test-result"))),
	)
	if !strings.Contains(text, "The test was delivered.") || !strings.Contains(text, "200 OK") {
		t.Fatalf("test result: %q", text)
	}
	run(t, ctx, "read the delivery log",
		chromedp.Click(chromedp.CSS("#deliveries details.attempt summary")),
		chromedp.WaitVisible(chromedp.CSS("#deliveries details.attempt pre")),
		into(&text, chromedp.Text(chromedp.CSS("#deliveries"))),
		into(&problems, chromedp.Evaluate[string](layoutProblems+`.join("; ")`)),
	)
	if !strings.Contains(text, "Test notification from Herald") || !strings.Contains(text, "Delivered") ||
		!strings.Contains(text, "received and verified") || problems != "" {
		t.Fatalf("delivery log: %q, layout: %s", text, problems)
	}
	mu.Lock()
	defer mu.Unlock()
	if verified != 1 {
		t.Fatalf("the receiver verified %d requests, want 1", verified)
	}
}
