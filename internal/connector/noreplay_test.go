package connector

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dropServer is a real TCP server speaking HTTP/1.1 by hand: it answers a
// GET on a kept-alive connection, and the first POST it reads it drops
// (closes the connection without an answer). Later POSTs are answered, so
// a client that sends one again succeeds, and only the count tells.
type dropServer struct {
	lis   net.Listener
	posts atomic.Int32
	wg    sync.WaitGroup
}

func newDropServer(t *testing.T) *dropServer {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &dropServer{lis: lis}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(conn) }()
		}
	}()
	t.Cleanup(func() { _ = lis.Close(); s.wg.Wait() })
	return s
}

func (s *dropServer) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body) // the whole request arrived
		_ = req.Body.Close()
		if req.Method == http.MethodPost && s.posts.Add(1) == 1 {
			return // carried out, never answered
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	}
}

// TestDoNeverReplaysAPost proves that Go's transport does not send a
// platform request again by itself when a reused connection drops after
// the request was written, even with an Idempotency-Key header (which makes
// the transport treat a POST as idempotent) and a rewindable body.
func TestDoNeverReplaysAPost(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func() io.Reader
	}{
		{"form body", func() io.Reader { return strings.NewReader("status=hello") }},
		{"no body", func() io.Reader { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newDropServer(t)
			client := NewHTTPClient()
			defer client.CloseIdleConnections()
			base := "http://" + s.lis.Addr().String()
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()

			// Warm a kept-alive connection, so the POST goes on a reused one.
			warm, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/warm", nil)
			if _, err := Do(client, warm, 0); err != nil {
				t.Fatalf("warm-up GET: %v", err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/statuses", tc.body())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Idempotency-Key", "herald-0123456789abcdef-1-0")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			_, err = Do(client, req, 0)
			if got := s.posts.Load(); got != 1 {
				t.Fatalf("the server received the POST %d times, want exactly once (Do returned %v)", got, err)
			}
			if ClassOf(err) != Ambiguous {
				t.Fatalf("Do = %v, want an ambiguous error", err)
			}
		})
	}
}
