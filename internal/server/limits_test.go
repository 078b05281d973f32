package server

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serve runs f's server on a real listener until the test ends.
func serve(t *testing.T, f *fixture) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// slowPost sends a POST of n bytes to path one byte every gap and returns
// the status line it got back ("" if the connection closed first), and
// how many body bytes went out.
func slowPost(t *testing.T, addr, path, auth string, n int, gap time.Duration) (string, int) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n", path, addr, n)
	if auth != "" {
		head += "Authorization: Bearer " + auth + "\r\n"
	}
	if _, err := conn.Write([]byte(head + "\r\n")); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for ; sent < n; sent++ {
		time.Sleep(gap)
		if _, err := conn.Write([]byte("x")); err != nil {
			break // the server hung up
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line), sent
}

func TestSlowBodiesAreCutOff(t *testing.T) {
	f := newFixture(t, true)
	f.srv.anonBody, f.srv.authBody = 300*time.Millisecond, 5*time.Second
	addr := serve(t, f)

	start := time.Now()
	done := make(chan struct{})
	var status string
	var sent int
	go func() {
		defer close(done)
		status, sent = slowPost(t, addr, "/api/v1/echo", "", 100, 50*time.Millisecond)
	}()
	// Meanwhile the server answers others.
	time.Sleep(100 * time.Millisecond)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz while a slow body arrives: %v %v", resp, err)
	}
	resp.Body.Close()
	<-done
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("an anonymous slow body held the connection %s; the deadline is 300ms", took)
	}
	if strings.Contains(status, "200") || sent >= 100 {
		t.Errorf("the slow anonymous body was read to its end: %q after %d bytes", status, sent)
	}

	// A signed-in caller (uploads) has longer: the same trickle for ~1s gets through.
	status, sent = slowPost(t, addr, "/api/v1/echo", f.secret, 20, 50*time.Millisecond)
	if !strings.Contains(status, "200") || sent != 20 {
		t.Errorf("a signed-in slow body within its deadline: %q after %d bytes", status, sent)
	}
}

func TestAnonymousBodiesAreSmall(t *testing.T) {
	f := newFixture(t, true)
	big := strings.Repeat("x", anonBodyLimit+1)
	post := func(auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/v1/echo", strings.NewReader(big))
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	if rec := post(""); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("anonymous %d-byte body: %d %s", len(big), rec.Code, rec.Body)
	}
	if rec := post(f.secret); rec.Code != http.StatusOK {
		t.Errorf("signed-in %d-byte body: %d %s", len(big), rec.Code, rec.Body)
	}
}

func TestForwardedAddresses(t *testing.T) {
	addrOf := func(f *fixture, remote string, header map[string]string) string {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/api/v1/addr", nil)
		req.RemoteAddr = remote
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, req)
		return rec.Body.String()
	}
	untrusting := newFixture(t, false)
	if got := addrOf(untrusting, "10.0.0.2:5000", map[string]string{"X-Forwarded-For": "203.0.113.7"}); got != "10.0.0.2:5000" {
		t.Errorf("without trusted proxies X-Forwarded-For was believed: %s", got)
	}
	f := newFixture(t, false, "HERALD_TRUSTED_PROXIES=10.0.0.0/24,192.168.1.1")
	tests := []struct {
		name, remote string
		header       map[string]string
		want         string
	}{
		{"through a trusted proxy", "10.0.0.2:5000", map[string]string{"X-Forwarded-For": "203.0.113.7"}, "203.0.113.7:0"},
		{"a spoofed entry left of the client is ignored", "10.0.0.2:5000",
			map[string]string{"X-Forwarded-For": "1.1.1.1, 203.0.113.7, 192.168.1.1"}, "203.0.113.7:0"},
		{"an untrusted peer's header is ignored", "198.51.100.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.7"}, "198.51.100.1:5000"},
		{"Forwarded comes first", "10.0.0.2:5000",
			map[string]string{"Forwarded": `for="[2001:db8::1]:4711";proto=https, for=10.0.0.9`, "X-Forwarded-For": "203.0.113.7"}, "[2001:db8::1]:0"},
		{"an obfuscated hop stops the walk", "10.0.0.2:5000", map[string]string{"Forwarded": "for=203.0.113.7, for=_hidden"}, "10.0.0.2:5000"},
		{"no header", "10.0.0.2:5000", nil, "10.0.0.2:5000"},
	}
	for _, tt := range tests {
		if got := addrOf(f, tt.remote, tt.header); got != tt.want {
			t.Errorf("%s: address = %s, want %s", tt.name, got, tt.want)
		}
	}
}
