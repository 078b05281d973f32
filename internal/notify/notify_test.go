package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/notify"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newLogger(t *testing.T) (*slog.Logger, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, nil)), buf
}

func TestNotifyPostsJSON(t *testing.T) {
	got := make(chan map[string]any, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s with content type %q", r.Method, r.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("decode: %v", err)
		}
		got <- body
	}))
	defer srv.Close()
	logger, logs := newLogger(t)
	n := notify.New(logger, srv.URL, srv.Client())
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyTargetUnconfirmed, WorkspaceID: 3,
		TargetID: 7, AccountID: 9, Message: "check it", At: at})
	select {
	case body := <-got:
		want := map[string]any{"kind": "target_unconfirmed", "workspace_id": 3.0, "target_id": 7.0,
			"account_id": 9.0, "message": "check it", "at": "2026-03-01T12:00:00Z"}
		for k, v := range want {
			if body[k] != v {
				t.Errorf("%s = %v, want %v", k, body[k], v)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the webhook was not called")
	}
	n.Close()
	n.Close() // idempotent
	if !strings.Contains(logs.String(), "check it") {
		t.Errorf("the notification was not logged: %s", logs.String())
	}
}

func TestNotifyFailuresAreLoggedAndNeverBlock(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		http.Error(w, "nope", http.StatusInternalServerError)
	}))
	defer srv.Close()
	logger, logs := newLogger(t)
	n := notify.New(logger, srv.URL, srv.Client())
	// Far more than the queue holds while the endpoint hangs: Notify must
	// return every time, dropping the excess with a log line.
	for i := range notify.QueueSize * 2 {
		n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyTargetFailed, TargetID: int64(i), Message: "m"})
	}
	close(release)
	n.Close()
	out := logs.String()
	for _, want := range []string{"webhook queue is full", "webhook notification failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q", want)
		}
	}
}

func TestNotifyWithoutURLOnlyLogs(t *testing.T) {
	logger, logs := newLogger(t)
	n := notify.New(logger, "", nil)
	n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyAccountRevoked, AccountID: 4, Message: "reconnect"})
	n.Close()
	n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyAccountRevoked, AccountID: 4, Message: "after close"})
	if out := logs.String(); !strings.Contains(out, "reconnect") || !strings.Contains(out, "after close") {
		t.Errorf("logs = %s", out)
	}
}

func TestNotifyRejectsABadURL(t *testing.T) {
	for _, bad := range []string{"hooks.example.com/x", "ftp://example.com/x", "http://"} {
		t.Run(bad, func(t *testing.T) {
			logger, logs := newLogger(t)
			n := notify.New(logger, bad, nil)
			n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyTargetFailed, Message: "m"})
			n.Close()
			if out := logs.String(); !strings.Contains(out, "webhook disabled") {
				t.Errorf("logs = %s", out)
			}
		})
	}
}

// TestNotifyRefusesInternalAddresses: without a client of the caller's,
// the webhook goes through an outbound client, which will not POST to
// Herald's own machine, and the log says why.
func TestNotifyRefusesInternalAddresses(t *testing.T) {
	hits := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits <- struct{}{} }))
	defer srv.Close()
	logger, logs := newLogger(t)
	n := notify.New(logger, srv.URL, nil)
	n.Notify(context.Background(), herald.Notification{Kind: herald.NotifyTargetFailed, TargetID: 1, Message: "m"})
	n.Close()
	select {
	case <-hits:
		t.Fatal("the loopback webhook was called")
	default:
	}
	if !strings.Contains(logs.String(), "refusing to connect to 127.0.0.1: a loopback address") {
		t.Fatalf("the log does not say why: %s", logs.String())
	}
}
