package faulttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// startWait bounds how long a process may take to start listening.
const startWait = 60 * time.Second

// logTail is how much of a process's output a failing test shows.
const logTail = 16 << 10

// lineBuffer collects a process's output and tells waiters about lines.
type lineBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	line string // the pending partial line
	subs []func(line string) bool
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	b.line += string(p)
	for {
		i := strings.IndexByte(b.line, '\n')
		if i < 0 {
			break
		}
		l := b.line[:i]
		b.line = b.line[i+1:]
		kept := b.subs[:0]
		for _, fn := range b.subs {
			if !fn(l) {
				kept = append(kept, fn)
			}
		}
		b.subs = kept
	}
	return len(p), nil
}

// watch calls fn with every complete line, those written so far and later
// ones, until fn returns true.
func (b *lineBuffer) watch(fn func(line string) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	done := strings.TrimSuffix(b.buf.String(), b.line)
	for l := range strings.Lines(done) {
		if fn(strings.TrimSuffix(l, "\n")) {
			return
		}
	}
	b.subs = append(b.subs, fn)
}

// tail returns the last n bytes written.
func (b *lineBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// proc is a child process whose output is kept for the test's log.
type proc struct {
	name   string
	cmd    *exec.Cmd
	out    *lineBuffer
	exited chan struct{}
	err    error // set before exited closes
}

// environ is the test process's environment without HERALD_ variables
// (so a developer's settings cannot leak in), plus extra.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startProc runs the herald binary with args. The process is killed when
// the test ends, and its output is logged if the test failed.
func startProc(t *testing.T, name string, env []string, stdout io.Writer, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(heraldBin, args...), out: &lineBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stderr = p.out
	p.cmd.Stdout = p.out
	if stdout != nil {
		p.cmd.Stdout = io.MultiWriter(p.out, stdout)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("output of %s (pid %d, exit %v):\n%s", p.name, p.cmd.Process.Pid, p.err, p.out.tail(logTail))
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

// kill sends SIGKILL (no chance to clean up: leases, connections and
// requests in flight are simply abandoned) and waits for the exit.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	if !p.running() {
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && p.running() {
		t.Errorf("kill %s: %v", p.name, err)
	}
	<-p.exited
}

// stop asks the process to shut down gracefully (SIGTERM), and kills it if
// it has not exited within a minute.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		t.Errorf("%s did not stop within a minute of SIGTERM; killing it", p.name)
		p.kill(t)
	}
}

// waitLine waits for the first output line for which match returns a
// non-empty string, and returns that string.
func (p *proc) waitLine(t *testing.T, what string, match func(line string) string) string {
	t.Helper()
	found := make(chan string, 1)
	p.out.watch(func(line string) bool {
		if v := match(line); v != "" {
			found <- v
			return true
		}
		return false
	})
	select {
	case v := <-found:
		return v
	case <-p.exited:
		t.Fatalf("%s exited (%v) before %s", p.name, p.err, what)
	case <-time.After(startWait):
		t.Fatalf("%s: no %s within %s", p.name, what, startWait)
	}
	return ""
}

// fakePlatform is `herald dev fake-platform` running in a process of its
// own, configured through its admin API.
type fakePlatform struct {
	*proc
	url    string
	client *http.Client
}

// startFake starts the fake platform and configures it with cfg.
func startFake(t *testing.T, cfg fakeserver.Config) *fakePlatform {
	t.Helper()
	pr, pw := io.Pipe()
	p := startProc(t, "fake platform", environ(), pw, "dev", "fake-platform", "--addr", "127.0.0.1:0", "--print-url")
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			urls <- strings.TrimSpace(sc.Text())
		}
		close(urls)
		_, _ = io.Copy(io.Discard, pr) // keep the process's stdout flowing
	}()
	t.Cleanup(func() { _ = pw.Close() })
	var url string
	select {
	case url = <-urls:
	case <-p.exited:
		t.Fatalf("the fake platform exited (%v):\n%s", p.err, p.out.tail(logTail))
	case <-time.After(startWait):
		t.Fatalf("the fake platform printed no URL within %s", startWait)
	}
	if !strings.HasPrefix(url, "http://") {
		t.Fatalf("the fake platform printed %q, not its URL", url)
	}
	f := &fakePlatform{proc: p, url: url, client: &http.Client{Timeout: 30 * time.Second}}
	f.configure(t, cfg)
	return f
}

// configure replaces the platform's configuration.
func (f *fakePlatform) configure(t *testing.T, cfg fakeserver.Config) {
	t.Helper()
	body, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("encode the fake platform's configuration: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, f.url+"/_admin/config", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("configure the fake platform: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("configure the fake platform: HTTP %d: %s", res.StatusCode, b)
	}
}

// ledger reads what the platform received.
func (f *fakePlatform) ledger(t *testing.T, received bool) fakeserver.LedgerSummary {
	t.Helper()
	l, err := fakeserver.FetchLedger(t.Context(), f.client, f.url, received)
	if err != nil {
		t.Fatalf("read the ledger: %v", err)
	}
	return l
}

// refusals reads the platform's log of 429 answers.
func (f *fakePlatform) refusals(t *testing.T) fakeserver.RefusalLog {
	t.Helper()
	l, err := fakeserver.FetchRateLimited(t.Context(), f.client, f.url)
	if err != nil {
		t.Fatalf("read the rate-limit log: %v", err)
	}
	return l
}

// serveProc is a `herald serve` process.
type serveProc struct {
	*proc
	url string
}

// startServe starts `herald serve` with env (HERALD_* settings; the
// address and the test platform are set here) and waits until it listens.
func startServe(t *testing.T, name string, env ...string) *serveProc {
	t.Helper()
	env = append([]string{"HERALD_ADDR=127.0.0.1:0", "HERALD_TEST_PLATFORM=true", "HERALD_LOG_LEVEL=warn",
		"HERALD_LOG_FORMAT=text"}, env...)
	p := startProc(t, name, environ(env...), nil, "serve")
	const prefix = "Herald is running at "
	url := p.waitLine(t, "listening address", func(line string) string {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			return strings.TrimSpace(s)
		}
		return ""
	})
	return &serveProc{proc: p, url: url}
}

// waitReady polls /readyz until it answers 200 and returns when it did.
func (s *serveProc) waitReady(t *testing.T) time.Time {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(startWait)
	for {
		if !s.running() {
			t.Fatalf("%s exited (%v) before it was ready", s.name, s.err)
		}
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.url+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Now()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: /readyz not 200 within %s (last error %v)", s.name, startWait, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pollUntil calls cond every interval until it returns true, failing the
// test with what when limit passes first.
func pollUntil(t *testing.T, ctx context.Context, limit, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("test ended while waiting for %s", what)
		case <-time.After(interval):
		}
	}
}
