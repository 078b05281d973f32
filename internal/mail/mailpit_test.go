package mail

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests send to a real SMTP server: Mailpit, built from its module at
// this version and run as a separate process on 127.0.0.1.
//
// Mailpit is not a requirement in go.mod: its SMTP server and storage are
// internal packages (nothing to import in-process), and making it even a
// tool dependency would raise modernc.org/sqlite, modernc.org/libc and
// golang.org/x/image for all of Herald. So the binary is built inside
// Mailpit's own module, from the module cache (the first build downloads
// the module through the Go module proxy when it is not cached yet, and
// takes a minute or two; later ones come from the build cache).
const (
	mailpitModule  = "github.com/axllent/mailpit"
	mailpitVersion = "v1.33.1"
)

// binDir holds the Mailpit binary for this test process.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "herald-mail-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var mailpitBuild struct {
	once sync.Once
	path string
	err  error
}

// mailpitBinary builds Mailpit once per test process.
func mailpitBinary(tb testing.TB) string {
	tb.Helper()
	mailpitBuild.once.Do(func() {
		start := time.Now()
		mailpitBuild.path, mailpitBuild.err = buildMailpit()
		if mailpitBuild.err == nil {
			tb.Logf("built mailpit %s in %s", mailpitVersion, time.Since(start).Round(time.Millisecond))
		}
	})
	if mailpitBuild.err != nil {
		tb.Fatalf("cannot build mailpit %s, the SMTP server these tests send to: %v", mailpitVersion, mailpitBuild.err)
	}
	return mailpitBuild.path
}

func buildMailpit() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		if root := os.Getenv("GOROOT"); root != "" {
			goBin = filepath.Join(root, "bin", "go")
		} else {
			return "", fmt.Errorf("the go command is not on PATH: %w", err)
		}
	}
	// Outside Herald's module and workspace, with the toolchain running
	// the tests, and no flags meant for Herald's build.
	env := append(withoutEnv("GOFLAGS", "GOWORK", "GOTOOLCHAIN"), "GOWORK=off", "GOTOOLCHAIN=local")

	dl := exec.Command(goBin, "mod", "download", "-json", mailpitModule+"@"+mailpitVersion)
	dl.Dir, dl.Env = binDir, env
	out, err := dl.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr != nil || mod.Error != "" || mod.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: %v %s %s", mailpitModule, mailpitVersion, err, mod.Error, out)
	}
	bin := filepath.Join(binDir, "mailpit")
	build := exec.Command(goBin, "build", "-mod=readonly", "-o", bin, ".")
	build.Dir, build.Env = mod.Dir, env
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %w\n%s", mod.Dir, err, out)
	}
	return bin, nil
}

// withoutEnv is the environment minus the named variables and Mailpit's
// own MP_* settings (a developer's could change how the server behaves).
func withoutEnv(names ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "MP_") {
			continue
		}
		for _, n := range names {
			if name == n {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// mailpitOptions choose how the server is run.
type mailpitOptions struct {
	// cert serves STARTTLS (or implicit TLS) with this certificate.
	cert *testCert
	// implicitTLS speaks TLS from the first byte (needs cert).
	implicitTLS bool
	// user and password, when set, are the only login accepted, and a
	// login is required.
	user, password string
	// insecureAuth offers PLAIN and LOGIN without TLS.
	insecureAuth bool
}

// mailpit is a running server: SMTP on smtpPort, its REST API at api.
type mailpit struct {
	smtpPort int
	api      string
	log      *syncBuffer
}

// startMailpit runs a Mailpit for this test on 127.0.0.1 and stops it
// when the test ends.
func startMailpit(t *testing.T, o mailpitOptions) *mailpit {
	t.Helper()
	bin := mailpitBinary(t)
	dir := t.TempDir()
	var lastErr error
	for range 3 { // a port picked free may be taken before Mailpit binds it
		mp, err := runMailpit(t, bin, dir, o)
		if err == nil {
			return mp
		}
		lastErr = err
	}
	t.Fatalf("starting mailpit: %v", lastErr)
	return nil
}

func runMailpit(t *testing.T, bin, dir string, o mailpitOptions) (*mailpit, error) {
	smtpPort, httpPort := freePort(t), freePort(t)
	args := []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, fmt.Sprintf("mailpit-%d.db", smtpPort)),
		"--disable-version-check",
		"--smtp-disable-rdns",
	}
	if o.cert != nil {
		args = append(args, "--smtp-tls-cert", o.cert.certFile, "--smtp-tls-key", o.cert.keyFile)
		if o.implicitTLS {
			args = append(args, "--smtp-require-tls")
		}
	}
	if o.user != "" {
		file := filepath.Join(dir, "smtp-passwords")
		if err := os.WriteFile(file, []byte(o.user+":"+o.password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--smtp-auth-file", file)
	}
	if o.insecureAuth {
		args = append(args, "--smtp-auth-allow-insecure")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = withoutEnv()
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	mp := &mailpit{smtpPort: smtpPort, api: "http://127.0.0.1:" + strconv.Itoa(httpPort), log: logs}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("mailpit exited (%v):\n%s", err, logs)
		default:
		}
		if mp.ready() {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("mailpit not ready after 30s:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("mailpit's log:\n%s", logs)
		}
	})
	return mp, nil
}

// ready reports whether both the API and the SMTP port answer.
func (mp *mailpit) ready() bool {
	res, err := http.Get(mp.api + "/readyz")
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(mp.smtpPort), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// config is a Sender's Config for this server.
func (mp *mailpit) config(tlsMode string) Config {
	return Config{Host: "127.0.0.1", Port: mp.smtpPort, From: "Herald Reports <reports@herald.test>", TLS: tlsMode}
}

// mpAddress is an address as Mailpit's API writes it.
type mpAddress struct{ Name, Address string }

// mpMessage is a stored message as Mailpit's API returns it.
type mpMessage struct {
	ID          string
	From        mpAddress
	To          []mpAddress
	Subject     string
	Username    string
	Text, HTML  string
	Attachments []struct {
		PartID, FileName, ContentType string
		Size                          int
	}
}

// messages lists the IDs of the stored messages, newest first.
func (mp *mailpit) messages(t *testing.T) []string {
	t.Helper()
	var list struct {
		Messages []struct{ ID string }
	}
	mp.getJSON(t, "/api/v1/messages", &list)
	ids := make([]string, len(list.Messages))
	for i, m := range list.Messages {
		ids[i] = m.ID
	}
	return ids
}

// waitMessages waits for n stored messages and returns them in full,
// newest first.
func (mp *mailpit) waitMessages(t *testing.T, n int) []mpMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list := mp.messages(t)
		if len(list) >= n {
			full := make([]mpMessage, len(list))
			for i, id := range list {
				mp.getJSON(t, "/api/v1/message/"+id, &full[i])
			}
			return full
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit has %d messages after 10s, want %d", len(list), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// get returns the body of a GET on Mailpit's API.
func (mp *mailpit) get(t *testing.T, path string) []byte {
	t.Helper()
	res, err := http.Get(mp.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, res.Status, body)
	}
	return body
}

func (mp *mailpit) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(mp.get(t, path), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// testCert is a self-signed certificate for 127.0.0.1, ::1 and localhost,
// in files for Mailpit and in a pool for the Sender.
type testCert struct {
	certFile, keyFile string
	pool              *x509.CertPool
}

func newTestCert(t *testing.T) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "herald test SMTP server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tc := &testCert{certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"), pool: x509.NewCertPool()}
	tc.pool.AddCert(cert)
	if err := os.WriteFile(tc.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tc.keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tc
}

// syncBuffer collects a process's output while tests may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
