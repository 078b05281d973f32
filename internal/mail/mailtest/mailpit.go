// Package mailtest runs a real SMTP server for tests: Mailpit, built from
// its module at a pinned version and run as a separate process on
// 127.0.0.1, with readers for what it received (through Mailpit's REST
// API). It is for tests only.
//
// Mailpit is not a requirement in go.mod: its SMTP server and storage are
// internal packages (nothing to import in-process), and making it even a
// tool dependency would raise modernc.org/sqlite, modernc.org/libc and
// golang.org/x/image for all of Herald. So the binary is built inside
// Mailpit's own module, from the module cache (the first build downloads
// the module through the Go module proxy when it is not cached yet, and
// takes a minute or two).
//
// The binary is kept in the user's cache folder, keyed by version and
// platform (e.g. ~/.cache/herald/mailpit-v1.33.1-linux_amd64/mailpit), so
// that the test processes of several packages, run at once by go test,
// build it once between them and later runs start at once. Delete that
// folder to force a rebuild. Without a user cache folder, each test
// process builds into a temporary folder of its own, which is left behind
// (a package that imports this one has no hook at the end of the process
// to remove it).
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Mailpit module and version the servers are built from.
const (
	Module  = "github.com/axllent/mailpit"
	Version = "v1.33.1"
)

// build is the one build of Mailpit per test process.
var build struct {
	once sync.Once
	path string
	err  error
}

// binary returns the Mailpit binary, building it the first time.
func binary(tb testing.TB) string {
	tb.Helper()
	build.once.Do(func() {
		start := time.Now()
		var built bool
		build.path, built, build.err = buildMailpit()
		if build.err == nil && built {
			tb.Logf("built mailpit %s in %s", Version, time.Since(start).Round(time.Millisecond))
		}
	})
	if build.err != nil {
		tb.Fatalf("cannot build mailpit %s, the SMTP server these tests send to: %v", Version, build.err)
	}
	return build.path
}

// binDir is the folder the binary is kept in (see the package comment).
func binDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return os.MkdirTemp("", "herald-mailpit-")
	}
	dir := filepath.Join(base, "herald", "mailpit-"+Version+"-"+runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// buildMailpit returns the path of the binary, building it unless an
// earlier process did; built says whether it did.
func buildMailpit() (path string, built bool, err error) {
	dir, err := binDir()
	if err != nil {
		return "", false, fmt.Errorf("a folder for the binary: %w", err)
	}
	bin := filepath.Join(dir, "mailpit"+exeSuffix())
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, false, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		root := os.Getenv("GOROOT")
		if root == "" {
			return "", false, fmt.Errorf("the go command is not on PATH: %w", err)
		}
		goBin = filepath.Join(root, "bin", "go")
	}
	// Outside Herald's module and workspace, with the toolchain running
	// the tests, and no flags meant for Herald's build.
	env := append(withoutEnv("GOFLAGS", "GOWORK", "GOTOOLCHAIN"), "GOWORK=off", "GOTOOLCHAIN=local")
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", false, err
	}
	defer func() { _ = os.RemoveAll(work) }()

	dl := exec.Command(goBin, "mod", "download", "-json", Module+"@"+Version)
	dl.Dir, dl.Env = work, env
	out, err := dl.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr != nil || mod.Error != "" || mod.Dir == "" {
		return "", false, fmt.Errorf("go mod download %s@%s: %v %s %s", Module, Version, err, mod.Error, out)
	}
	tmp := filepath.Join(work, "mailpit"+exeSuffix())
	cmd := exec.Command(goBin, "build", "-mod=readonly", "-o", tmp, ".")
	cmd.Dir, cmd.Env = mod.Dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", false, fmt.Errorf("go build in %s: %w\n%s", mod.Dir, err, out)
	}
	// The rename is atomic, so another process sees the whole binary or
	// none; one building at the same time may replace it with its own.
	if err := os.Rename(tmp, bin); err != nil {
		if _, serr := os.Stat(bin); serr != nil {
			return "", false, err
		}
	}
	return bin, true, nil
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
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

// options choose how a server is run.
type options struct {
	cert           *Cert
	implicitTLS    bool
	user, password string
	insecureAuth   bool
}

// Option chooses how Start runs the server.
type Option func(*options)

// WithTLS offers STARTTLS with c's certificate.
func WithTLS(c *Cert) Option { return func(o *options) { o.cert, o.implicitTLS = c, false } }

// WithImplicitTLS speaks TLS from the first byte (SMTPS) with c's
// certificate.
func WithImplicitTLS(c *Cert) Option { return func(o *options) { o.cert, o.implicitTLS = c, true } }

// WithAuth requires a login, and accepts only user with password. Mailpit
// offers PLAIN and LOGIN only over TLS unless WithInsecureAuth is given.
func WithAuth(user, password string) Option {
	return func(o *options) { o.user, o.password = user, password }
}

// WithInsecureAuth offers PLAIN and LOGIN without TLS.
func WithInsecureAuth() Option { return func(o *options) { o.insecureAuth = true } }

// Server is a running Mailpit: SMTP at Host:Port, its REST API at API.
type Server struct {
	// Host is the SMTP server's address, 127.0.0.1.
	Host string
	// Port is the SMTP port.
	Port int
	// API is the base URL of Mailpit's REST API and web UI.
	API string

	bin  string
	args []string
	log  *syncBuffer
	http *http.Client

	mu   sync.Mutex
	proc *process // nil while stopped
}

// process is one run of the binary.
type process struct {
	cmd    *exec.Cmd
	exited chan error
}

// Start runs a Mailpit on 127.0.0.1 for tb and stops it when tb ends. The
// binary is built on the first call of the process.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	bin := binary(tb)
	dir := tb.TempDir()
	var lastErr error
	for range 3 { // a port picked free may be taken before Mailpit binds it
		s, err := newServer(tb, bin, dir, o)
		if err != nil {
			tb.Fatal(err)
		}
		if err := s.start(); err != nil {
			lastErr = err
			continue
		}
		tb.Cleanup(func() {
			s.Stop()
			if tb.Failed() {
				tb.Logf("mailpit's log:\n%s", s.log)
			}
		})
		return s
	}
	tb.Fatalf("starting mailpit: %v", lastErr)
	return nil
}

func newServer(tb testing.TB, bin, dir string, o options) (*Server, error) {
	smtpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(dir, fmt.Sprintf("mailpit-%d.db", smtpPort)),
		"--disable-version-check",
		"--smtp-disable-rdns",
	}
	if o.cert != nil {
		args = append(args, "--smtp-tls-cert", o.cert.CertFile, "--smtp-tls-key", o.cert.KeyFile)
		if o.implicitTLS {
			args = append(args, "--smtp-require-tls")
		}
	}
	if o.user != "" {
		file := filepath.Join(dir, fmt.Sprintf("smtp-passwords-%d", smtpPort))
		if err := os.WriteFile(file, []byte(o.user+":"+o.password+"\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--smtp-auth-file", file)
	}
	if o.insecureAuth {
		args = append(args, "--smtp-auth-allow-insecure")
	}
	return &Server{
		Host: "127.0.0.1", Port: smtpPort, API: "http://127.0.0.1:" + strconv.Itoa(httpPort),
		bin: bin, args: args, log: &syncBuffer{}, http: &http.Client{Timeout: 10 * time.Second},
	}, nil
}

// start runs the binary and waits until it answers.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return nil
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Env = withoutEnv()
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for !s.ready() {
		select {
		case err := <-p.exited:
			return fmt.Errorf("mailpit exited (%v):\n%s", err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			p.stop()
			return fmt.Errorf("mailpit not ready after 30s:\n%s", s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.proc = p
	return nil
}

// stop interrupts the process and waits for it to exit (killing it after
// 5s).
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Stop stops the server: its ports refuse connections until Restart. It
// may be called more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.proc.stop()
		s.proc = nil
	}
}

// Restart starts a stopped server again on the same ports, with the
// messages it had.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	var err error
	for range 3 { // the ports were free a moment ago; give them a moment
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.Fatalf("restarting mailpit: %v", err)
}

// Log is what the server has written to its standard output and error.
func (s *Server) Log() string { return s.log.String() }

// ready reports whether both the API and the SMTP port answer.
func (s *Server) ready() bool {
	res, err := s.http.Get(s.API + "/readyz")
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// Address is a mailbox as Mailpit reads it from a header.
type Address struct{ Name, Address string }

// Summary is a stored message as Mailpit lists it.
type Summary struct {
	ID      string
	From    Address
	To      []Address
	Subject string
	// Username is the login the message was sent with, if any.
	Username string
	Created  time.Time
	// Attachments is how many files it carries.
	Attachments int
}

// Message is a stored message in full.
type Message struct {
	ID      string
	From    Address
	To      []Address
	Subject string
	// Username is the login the message was sent with, if any.
	Username    string
	Text, HTML  string
	Attachments []Attachment
}

// Attachment is a file a message carries, with its decoded content.
type Attachment struct {
	PartID, FileName, ContentType string
	Data                          []byte
}

// Messages lists the stored messages, newest first.
func (s *Server) Messages(tb testing.TB) []Summary {
	tb.Helper()
	var list struct{ Messages []Summary }
	s.getJSON(tb, "/api/v1/messages?limit=1000", &list)
	return list.Messages
}

// Message returns the stored message id, with its attachments' content.
func (s *Server) Message(tb testing.TB, id string) Message {
	tb.Helper()
	var m struct {
		Message
		Attachments []struct{ PartID, FileName, ContentType string }
	}
	s.getJSON(tb, "/api/v1/message/"+url.PathEscape(id), &m)
	out := m.Message
	out.Attachments = nil
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, Attachment{PartID: a.PartID, FileName: a.FileName, ContentType: a.ContentType,
			Data: s.get(tb, "/api/v1/message/"+url.PathEscape(id)+"/part/"+url.PathEscape(a.PartID))})
	}
	return out
}

// Raw returns the stored message id as it was received, headers and all.
func (s *Server) Raw(tb testing.TB, id string) []byte {
	tb.Helper()
	return s.get(tb, "/api/v1/message/"+url.PathEscape(id)+"/raw")
}

// WaitMessages waits up to timeout for at least n stored messages and
// returns all of them in full, newest first; it fails tb if they do not
// come.
func (s *Server) WaitMessages(tb testing.TB, n int, timeout time.Duration) []Message {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		list := s.Messages(tb)
		if len(list) >= n {
			full := make([]Message, len(list))
			for i, m := range list {
				full[i] = s.Message(tb, m.ID)
			}
			return full
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mailpit has %d messages after %s, want %d", len(list), timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// get returns the body of a GET on Mailpit's API.
func (s *Server) get(tb testing.TB, path string) []byte {
	tb.Helper()
	res, err := s.http.Get(s.API + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s: %s", path, res.Status, body)
	}
	return body
}

func (s *Server) getJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(s.get(tb, path), v); err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

// Cert is a self-signed certificate for 127.0.0.1, ::1 and localhost: in
// files for the server, and in a pool for the client to trust.
type Cert struct {
	CertFile, KeyFile string
	// Pool holds the certificate, as a client's root certificate
	// authorities.
	Pool *x509.CertPool
}

// NewCert makes a certificate valid for a day, in tb's temporary folder.
func NewCert(tb testing.TB) *Cert {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
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
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	c := &Cert{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"), Pool: x509.NewCertPool()}
	c.Pool.AddCert(cert)
	if err := os.WriteFile(c.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return c
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
