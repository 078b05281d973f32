package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// startWait bounds how long a process may take to start.
const startWait = 30 * time.Second

// output collects a process's output for the test's log.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// tail returns the last 16 KiB written.
func (o *output) tail() string {
	s := o.String()
	if n := 16 << 10; len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// proc is a herald child process, killed when the test ends.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr *output
	exited         chan struct{}
	err            error // set before exited closes
}

// environ is the test's environment without HERALD_ variables (so a
// developer's settings cannot leak in), plus extra.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startProc runs the herald binary with args and env. Its output is logged
// if the test fails.
func startProc(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(heraldBin, args...), stdout: &output{}, stderr: &output{},
		exited: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("output of %s (exit %v):\n%s%s", p.name, p.err, p.stdout.tail(), p.stderr.tail())
		}
	})
	return p
}

// running reports whether the process has not exited.
func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop asks the process to stop (SIGTERM) and kills it if it has not
// within five seconds.
func (p *proc) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// cli runs a herald command to its end with stdin and returns its
// standard output.
func cli(t *testing.T, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(heraldBin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("herald %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// platform is `herald dev fake-platform` in a process of its own,
// configured through its admin API.
type platform struct {
	*proc
	url string
}

// startPlatform starts the test platform and configures it with cfg.
func startPlatform(t *testing.T, cfg fakeserver.Config) *platform {
	t.Helper()
	p := startProc(t, "test platform", environ(), "dev", "fake-platform", "--addr", "127.0.0.1:0", "--print-url")
	deadline := time.Now().Add(startWait)
	for {
		if line, _, ok := strings.Cut(p.stdout.String(), "\n"); ok {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "http://") {
				t.Fatalf("the test platform printed %q, not its address", line)
			}
			f := &platform{proc: p, url: line}
			f.configure(t, cfg)
			return f
		}
		if !p.running() {
			t.Fatalf("the test platform exited (%v):\n%s", p.err, p.stderr.tail())
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test platform printed no address within %s", startWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// configure replaces the platform's configuration.
func (f *platform) configure(t *testing.T, cfg fakeserver.Config) {
	t.Helper()
	body, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("encode the test platform's configuration: %v", err)
	}
	if err := call(t.Context(), http.MethodPut, f.url+"/_admin/config", "", body, http.StatusOK, nil); err != nil {
		t.Fatalf("configure the test platform: %v", err)
	}
}

// posts lists what the platform received, oldest first.
func (f *platform) posts(t *testing.T) []fakeserver.Post {
	t.Helper()
	var out []fakeserver.Post
	if err := call(t.Context(), http.MethodGet, f.url+"/_admin/posts", "", nil, http.StatusOK, &out); err != nil {
		t.Fatalf("list the test platform's posts: %v", err)
	}
	return out
}

// server is a `herald serve` process with SQLite in a temporary folder.
type server struct {
	*proc
	url     string
	dataDir string
	env     []string // what the process and the admin commands run with
}

// freeAddr finds a loopback address no one listens on. serve needs its
// port before it starts: the address is also its public one, where the
// platform's sign-in page sends the browser back.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// newServer prepares a data folder and the environment of a server with
// the test platform enabled, plus extra settings; start runs it.
func newServer(t *testing.T, extra ...string) *server {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	return &server{dataDir: dir, env: environ(append([]string{"HERALD_DATA_DIR=" + dir, "HERALD_TEST_PLATFORM=true",
		"HERALD_LOG_LEVEL=warn", "HERALD_LOG_FORMAT=text"}, extra...)...)}
}

// start runs `herald serve` on a free loopback port and waits until
// /readyz answers 200. A port taken in the meantime is tried again.
func (s *server) start(t *testing.T) {
	t.Helper()
	for try := 1; ; try++ {
		addr := freeAddr(t)
		url := "http://" + addr
		p := startProc(t, "herald serve", append(s.env[:len(s.env):len(s.env)], "HERALD_ADDR="+addr, "HERALD_BASE_URL="+url), "serve")
		if waitReady(t, p, url) {
			s.proc, s.url = p, url
			return
		}
		if try == 3 || !strings.Contains(p.stderr.String(), "address already in use") {
			t.Fatalf("herald serve exited (%v) before it was ready:\n%s", p.err, p.stderr.tail())
		}
	}
}

// waitReady polls url/readyz until it answers 200 (true) or the process
// exits (false).
func waitReady(t *testing.T, p *proc, url string) bool {
	t.Helper()
	deadline := time.Now().Add(startWait)
	for {
		if !p.running() {
			return false
		}
		err := call(t.Context(), http.MethodGet, url+"/readyz", "", nil, http.StatusOK, nil)
		if err == nil {
			return true
		}
		if time.Now().After(deadline) {
			t.Fatalf("herald serve: /readyz not 200 within %s: %v", startWait, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// httpClient is for the API and the platform's admin API.
var httpClient = &http.Client{Timeout: 20 * time.Second}

// call sends a request with an optional bearer token and JSON body,
// checks the status, and decodes the answer into out (if not nil).
func call(ctx context.Context, method, url, token string, body []byte, status int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != status {
		return fmt.Errorf("%s %s: HTTP %d, want %d: %s", method, url, res.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, url, err)
		}
	}
	return nil
}

// api calls Herald's REST API in one workspace with a token.
type api struct {
	t     *testing.T
	base  string // …/api/v1/workspaces/{id}
	token string
}

// do sends body (JSON-encoded when not nil) and decodes the answer into
// out, failing the test unless the status is status.
func (a api) do(method, path string, body any, status int, out any) {
	a.t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			a.t.Fatal(err)
		}
	}
	if err := call(a.t.Context(), method, a.base+path, a.token, raw, status, out); err != nil {
		a.t.Fatal(err)
	}
}
