package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// result is what one in-process run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process with the given environment and stdin.
func runCLI(t *testing.T, environ []string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"herald"}, args...), environ, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func mustRun(t *testing.T, environ []string, stdin string, args ...string) result {
	t.Helper()
	r := runCLI(t, environ, stdin, args...)
	if r.code != 0 {
		t.Fatalf("herald %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func TestAdminCommands(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	env := []string{"HERALD_DATA_DIR=" + dataDir}
	ctx := context.Background()

	r := mustRun(t, env, "", "migrate")
	if !strings.Contains(r.stdout, "The sqlite database is migrated.") {
		t.Errorf("migrate printed %q", r.stdout)
	}

	r = mustRun(t, env, "a good long password\n", "user", "create", "--email", "Ana@Example.com", "--name", "Ana",
		"--password-stdin", "--workspace", "Acme", "--time-zone", "Europe/Paris")
	if !strings.Contains(r.stdout, "Created user 1 <ana@example.com>.") || !strings.Contains(r.stdout, `"Acme" (Europe/Paris)`) {
		t.Fatalf("user create printed %q", r.stdout)
	}
	wsID := regexp.MustCompile(`Created workspace (\d+)`).FindStringSubmatch(r.stdout)
	if wsID == nil {
		t.Fatalf("no workspace id in %q", r.stdout)
	}

	r = mustRun(t, env, "", "token", "create", "--email", "ana@example.com", "--workspace", wsID[1], "--role", "editor", "--name", "CI")
	secret := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(secret, "hrld_") || !strings.Contains(r.stderr, "it will not be shown again") {
		t.Fatalf("token create: stdout %q stderr %q", r.stdout, r.stderr)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	r = mustRun(t, env, "", "backup", backup)
	if !strings.Contains(r.stdout, "Backed up") {
		t.Errorf("backup printed %q", r.stdout)
	}

	// The token works against the live database, and the backup holds the user.
	for _, path := range []string{filepath.Join(dataDir, "herald.db"), backup} {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.CountUsers(ctx)
		if err != nil || n != 1 {
			t.Errorf("%s: %d users, %v", path, n, err)
		}
		p, err := auth.New(db, herald.SystemClock{}, adminLogger(&Env{Stderr: io.Discard})).AuthenticateToken(ctx, secret)
		if err != nil || p.Token.Role != herald.RoleEditor {
			t.Errorf("%s: token principal %+v, %v", path, p, err)
		}
		db.Close()
	}

	failures := []struct {
		name    string
		env     []string
		stdin   string
		args    []string
		code    int
		wantErr string
	}{
		{"duplicate user", env, "a good long password\n", []string{"user", "create", "--email", "ana@example.com", "--name", "A", "--password-stdin"}, 1, "an account with this e-mail already exists"},
		{"short password", env, "short\n", []string{"user", "create", "--email", "b@example.com", "--name", "B", "--password-stdin"}, 1, "password: is 5 characters; use at least 10"},
		{"no terminal", env, "", []string{"user", "create", "--email", "b@example.com", "--name", "B"}, 1, "pass --password-stdin"},
		{"bad zone", env, "a good long password\n", []string{"user", "create", "--email", "b@example.com", "--name", "B", "--password-stdin", "--workspace", "X", "--time-zone", "Mars/Olympus"}, 1, `unknown time zone "Mars/Olympus"`},
		{"token role too strong", env, "", []string{"token", "create", "--email", "ana@example.com", "--workspace", wsID[1], "--role", "boss", "--name", "x"}, 1, `"boss" is not one of`},
		{"token for a stranger", env, "", []string{"token", "create", "--email", "nobody@example.com", "--workspace", wsID[1], "--role", "editor", "--name", "x"}, 1, "no user has the e-mail nobody@example.com"},
		{"token in another workspace", env, "", []string{"token", "create", "--email", "ana@example.com", "--workspace", "999", "--role", "editor", "--name", "x"}, 1, "is not a member of workspace 999"},
		{"backup exists", env, "", []string{"backup", backup}, 1, "already exists"},
		{"backup postgres", []string{"HERALD_DATABASE_URL=postgres://u:secret@db.example/h"}, "", []string{"backup", "out.dump"}, 3, "pg_dump --format=custom --file="},
		{"bad config", []string{"HERALD_LOG_FORMAT=xml"}, "", []string{"migrate"}, 1, `HERALD_LOG_FORMAT "xml": not a format; use json or text`},
		{"bad flag value", env, "", []string{"serve", "--addr", "nonsense"}, 1, `HERALD_ADDR "nonsense": not host:port`},
		{"unknown command", env, "", []string{"frobnicate"}, 2, "unexpected argument frobnicate"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, tt.stdin, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.code, tt.code, r.stderr, tt.wantErr)
			}
			if strings.Contains(r.stderr, "secret@") {
				t.Error("the database password was printed")
			}
		})
	}

	if r := mustRun(t, nil, "", "version"); !strings.HasPrefix(r.stdout, "herald ") {
		t.Errorf("version printed %q", r.stdout)
	}
}

// TestServeBinary builds the binary, starts it on a free port with an empty
// data folder, checks it serves, then stops it with SIGTERM.
func TestServeBinary(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "herald")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	dataDir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "HERALD_SHUTDOWN_TIMEOUT=10s"}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	})

	// Read stderr until the greeting gives the URL and the first-user hint.
	lines := make(chan string, 100)
	var all strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	urlRe := regexp.MustCompile(`Herald is running at (http://127\.0\.0\.1:\d+)`)
	// The greeting comes before the JSON logs, and says that the first
	// visit in a browser sets Herald up.
	var baseURL string
	sawHint, sawVisit, logsFirst := false, false, false
	for line := range lines {
		all.WriteString(line + "\n")
		if strings.HasPrefix(line, "{") {
			logsFirst = true
		}
		if m := urlRe.FindStringSubmatch(line); m != nil {
			baseURL = m[1]
		}
		if baseURL != "" && strings.Contains(line, "Open "+baseURL+" in your browser: the first visit sets Herald up") {
			sawVisit = true
		}
		if strings.Contains(line, "user create --email you@example.com") && strings.Contains(line, "--data-dir '"+dataDir+"'") {
			sawHint = true
		}
		if baseURL != "" && sawHint && sawVisit {
			break
		}
	}
	if baseURL == "" || !sawHint || !sawVisit {
		t.Fatalf("no URL, first-visit sentence or first-user hint in stderr:\n%s", all.String())
	}
	if logsFirst {
		t.Errorf("JSON logs came before the greeting:\n%s", all.String())
	}
	go func() {
		for line := range lines {
			_ = line // keep draining so the server never blocks on stderr
		}
	}()

	var resp *http.Response
	for range 200 {
		if resp, err = http.Get(baseURL + "/healthz"); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("healthz = %d %s", resp.StatusCode, body)
	}
	if resp, err := http.Get(baseURL + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz = %v, %v", resp, err)
	}

	// One process serves a data folder: a second server, and a migration,
	// refuse to start on it and say why.
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		second := exec.CommandContext(ctx, bin, append(args, "--data-dir", dataDir)...)
		second.Env = cmd.Env
		out, err := second.CombinedOutput()
		cancel()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() <= 0 {
			t.Errorf("a second `herald %s` on the served folder: %v (want a non-zero exit)\n%s", args[0], err, out)
		}
		if !strings.Contains(string(out), "the data folder is in use by another Herald process") ||
			!strings.Contains(string(out), "stop the other `herald serve` first") {
			t.Errorf("a second `herald %s` on the served folder printed:\n%s", args[0], out)
		}
	}

	for path, want := range map[string]os.FileMode{"secret.key": 0o600, ".": 0o700} {
		info, err := os.Stat(filepath.Join(dataDir, path))
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode = %04o, want %04o", path, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dataDir, "herald.db")); err != nil {
		t.Errorf("no database: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("herald serve exited with %v after SIGTERM", err)
	}
}
