package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/mail/mailtest"
)

// MustNew is New for a Config the test knows to be valid; roots, when not
// nil, are the certificate authorities the Sender trusts.
func MustNew(tb testing.TB, cfg Config, roots *mailtest.Cert) *Sender {
	tb.Helper()
	s, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("New(%+v): %v", cfg, err)
	}
	if roots != nil {
		s.roots = roots.Pool
	}
	return s
}

// testPDF is a small PDF with every byte value in a stream, so a
// transfer encoding that damaged any byte would show.
func testPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 256 >>\nstream\n")
	for i := range 256 {
		b.WriteByte(byte(i))
	}
	b.WriteString("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

func TestSendReportWithPDF(t *testing.T) {
	t.Parallel()
	cert := mailtest.NewCert(t)
	mp := mailtest.Start(t, mailtest.WithTLS(cert))
	s := MustNew(t, mailpitConfig(mp, ""), cert) // the default: STARTTLS, required

	pdf := testPDF()
	msg := Message{
		To:      []string{"Ana Lima <ana@example.com>", "ben@example.org"},
		Subject: "Weekly report — Acme, 1–7 June ✓",
		Text:    "Hello,\n\nyour weekly report is attached.\n\n— Herald",
		HTML:    "<p>Hello,</p><p>your <b>weekly report</b> is attached.</p>",
		Attachments: []Attachment{
			{Name: "acme-2026-06-01.pdf", ContentType: "application/pdf", Data: pdf},
		},
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := s.Send(ctx, msg); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := mp.WaitMessages(t, 1, waitTimeout)[0]
	if got.From.Address != "reports@herald.test" || got.From.Name != "Herald Reports" {
		t.Errorf("From = %+v, want Herald Reports <reports@herald.test>", got.From)
	}
	if len(got.To) != 2 || got.To[0].Address != "ana@example.com" || got.To[0].Name != "Ana Lima" || got.To[1].Address != "ben@example.org" {
		t.Errorf("To = %+v", got.To)
	}
	if got.Subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, msg.Subject)
	}
	if text := strings.TrimSpace(strings.ReplaceAll(got.Text, "\r\n", "\n")); text != msg.Text {
		t.Errorf("Text = %q, want %q", text, msg.Text)
	}
	if !strings.Contains(got.HTML, "<b>weekly report</b>") {
		t.Errorf("HTML = %q", got.HTML)
	}
	if len(got.Attachments) != 1 {
		t.Fatalf("attachments = %+v, want the PDF", got.Attachments)
	}
	a := got.Attachments[0]
	if a.FileName != "acme-2026-06-01.pdf" || a.ContentType != "application/pdf" {
		t.Errorf("attachment %q (%s), want acme-2026-06-01.pdf (application/pdf)", a.FileName, a.ContentType)
	}
	if !bytes.Equal(a.Data, pdf) {
		t.Errorf("attachment is %d bytes and differs from the %d sent", len(a.Data), len(pdf))
	}
	raw := string(mp.Raw(t, got.ID))
	if !strings.Contains(raw, "User-Agent: Herald") || strings.Contains(raw, "go-mail") {
		t.Errorf("raw message does not say User-Agent: Herald, or names the library:\n%.600s", raw)
	}
}

// listener accepts TCP connections on 127.0.0.1 and counts them; behave
// runs on each (nil closes it at once).
func listener(t *testing.T, behave func(net.Conn)) (port int, accepted *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	accepted = &atomic.Int64{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() {
				defer func() { _ = c.Close() }()
				if behave != nil {
					behave(c)
				}
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port, accepted
}

func TestSendRefusesBeforeConnecting(t *testing.T) {
	t.Parallel()
	port, accepted := listener(t, nil)
	s := MustNew(t, Config{Host: "127.0.0.1", Port: port, From: "reports@herald.test", TLS: TLSNone}, nil)

	many := make([]string, MaxRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.com", i)
	}
	ok := Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"}
	with := func(change func(*Message)) Message {
		m := ok
		change(&m)
		return m
	}
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"not an address", with(func(m *Message) { m.To = []string{"ana@example.com", "not an address"} }),
			`recipient 2 ("not an address") is not an e-mail address`},
		{"empty address", with(func(m *Message) { m.To = []string{""} }), `recipient 1 ("") is not an e-mail address`},
		{"header in a recipient", with(func(m *Message) { m.To = []string{"ana@example.com\r\nBcc: eve@example.com"} }),
			"recipient 1 (\"ana@example.com\\r\\nBcc: eve@example.com\") contains a line break"},
		{"CR LF in the subject", with(func(m *Message) { m.Subject = "Report\r\nBcc: eve@example.com" }),
			"the subject contains a line break (CR or LF), which could inject mail headers"},
		{"LF in the subject", with(func(m *Message) { m.Subject = "Report\nX-Evil: 1" }), "the subject contains a line break"},
		{"CR in the subject", with(func(m *Message) { m.Subject = "Report\rX-Evil: 1" }), "the subject contains a line break"},
		{"too many recipients", with(func(m *Message) { m.To = many }), "51 recipients; send to at most 50 per message"},
		{"no recipient", with(func(m *Message) { m.To = nil }), "no recipient"},
		{"no body", with(func(m *Message) { m.Text = "" }), "no body"},
		{"attachment without a name", with(func(m *Message) { m.Attachments = []Attachment{{Data: []byte("x")}} }),
			"attachment 1 has no file name"},
		{"attachment name with a line break", with(func(m *Message) {
			m.Attachments = []Attachment{{Name: "a.pdf\r\nX-Evil: 1", Data: []byte("x")}}
		}), "contains a line break"},
		{"attachment content type", with(func(m *Message) {
			m.Attachments = []Attachment{{Name: "a.pdf", ContentType: "pdf please", Data: []byte("x")}}
		}), "is not a MIME type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Send(t.Context(), tt.m)
			if !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Send = %v, want ErrInvalidMessage saying %q", err, tt.want)
			}
		})
	}
	// The listener would have counted a connection by now had one been
	// made; the refusals above returned before dialling.
	time.Sleep(50 * time.Millisecond)
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections were made for messages that should have been refused first", n)
	}
}

func TestSendServerDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	s := MustNew(t, Config{Host: "127.0.0.1", Port: port, From: "reports@herald.test"}, nil)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
	if err == nil {
		t.Fatal("Send to a server that is down succeeded")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("Send took %s, past its 3s deadline", elapsed)
	}
	if want := "127.0.0.1:" + strconv.Itoa(port); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %s", err, want)
	}
	if errors.Is(err, ErrInvalidMessage) || errors.Is(err, ErrAuth) {
		t.Errorf("error %v is classed as a bad message or a bad login", err)
	}
}

// A server that accepts the connection and then stops answering must not
// hold Send past its context's deadline, wherever in the session it stalls.
func TestSendHonoursDeadline(t *testing.T) {
	t.Parallel()
	stall := func(c net.Conn) { _, _ = drain(c) }
	tests := []struct {
		name   string
		behave func(net.Conn)
	}{
		{"no greeting", stall},
		{"greets, then silent", func(c net.Conn) {
			_, _ = c.Write([]byte("220 stalling.test ESMTP\r\n"))
			stall(c)
		}},
		{"silent after DATA", func(c net.Conn) { fakeSMTPUntilData(c) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			port, accepted := listener(t, tt.behave)
			s := MustNew(t, Config{Host: "127.0.0.1", Port: port, From: "reports@herald.test", TLS: TLSNone}, nil)
			ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := s.Send(ctx, Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
			elapsed := time.Since(start)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Send = %v, want context.DeadlineExceeded", err)
			}
			if elapsed > 2*time.Second {
				t.Errorf("Send returned %s after a 500ms deadline", elapsed)
			}
			if want := "127.0.0.1:" + strconv.Itoa(port); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
			if accepted.Load() != 1 {
				t.Errorf("%d connections, want 1", accepted.Load())
			}
		})
	}
}

// drain reads until the peer closes, answering nothing.
func drain(c net.Conn) (int64, error) {
	var n int64
	buf := make([]byte, 512)
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
}

// fakeSMTPUntilData plays a plain SMTP server up to the DATA command's
// content, then reads without ever answering.
func fakeSMTPUntilData(c net.Conn) {
	_, _ = c.Write([]byte("220 stalling.test ESMTP\r\n"))
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(buf[:n])), "\r\n") {
			cmd := strings.ToUpper(line)
			switch {
			case strings.HasPrefix(cmd, "EHLO"):
				_, _ = c.Write([]byte("250-stalling.test\r\n250 8BITMIME\r\n"))
			case strings.HasPrefix(cmd, "DATA"):
				_, _ = c.Write([]byte("354 go ahead\r\n"))
				_, _ = drain(c)
				return
			default:
				_, _ = c.Write([]byte("250 ok\r\n"))
			}
		}
	}
}

func TestSendAuth(t *testing.T) {
	t.Parallel()
	cert := mailtest.NewCert(t)
	mp := mailtest.Start(t, mailtest.WithTLS(cert), mailtest.WithAuth("herald", "correct-horse"))
	send := func(user, password string) error {
		cfg := mailpitConfig(mp, TLSStartTLS)
		cfg.Username, cfg.Password = user, password
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		return MustNew(t, cfg, cert).Send(ctx, Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
	}

	if err := send("herald", "correct-horse"); err != nil {
		t.Fatalf("Send with the right password: %v", err)
	}
	if got := mp.WaitMessages(t, 1, waitTimeout)[0]; got.Username != "herald" {
		t.Errorf("the message was stored with username %q, want herald", got.Username)
	}

	err := send("herald", "wrong-password")
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "HERALD_SMTP_PASSWORD") || !strings.Contains(err.Error(), "535") {
		t.Errorf("Send with a wrong password = %v, want ErrAuth naming HERALD_SMTP_PASSWORD and the server's 535", err)
	}
	if strings.Contains(fmt.Sprint(err), "wrong-password") {
		t.Errorf("the error reveals the password: %v", err)
	}

	err = send("", "")
	if err == nil || !strings.Contains(err.Error(), "requires a login") {
		t.Errorf("Send without a login to a server that requires one = %v, want one saying it requires a login", err)
	}
	if n := len(mp.Messages(t)); n != 1 {
		t.Errorf("mailpit stored %d messages; only the one with the right password should be there", n)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	cert := mailtest.NewCert(t)
	mp := mailtest.Start(t, mailtest.WithImplicitTLS(cert), mailtest.WithAuth("herald", "over-tls"))
	cfg := mailpitConfig(mp, TLSImplicit)
	cfg.Username, cfg.Password = "herald", "over-tls"
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err := MustNew(t, cfg, cert).Send(ctx, Message{To: []string{"ana@example.com"}, Subject: "Over TLS", HTML: "<p>hi</p>"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := mp.WaitMessages(t, 1, waitTimeout)[0]; got.Subject != "Over TLS" || !strings.Contains(got.HTML, "<p>hi</p>") || got.Username != "herald" {
		t.Errorf("stored subject %q, HTML %q, username %q", got.Subject, got.HTML, got.Username)
	}
}

// STARTTLS is required: a server that does not offer it, or whose
// certificate is not trusted, gets nothing (not the message, not the
// password).
func TestSendRefusesUnencrypted(t *testing.T) {
	t.Parallel()
	t.Run("no STARTTLS offered", func(t *testing.T) {
		t.Parallel()
		mp := mailtest.Start(t)
		err := MustNew(t, mailpitConfig(mp, TLSStartTLS), nil).Send(t.Context(), Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("Send = %v, want a refusal naming STARTTLS", err)
		}
		if n := len(mp.Messages(t)); n != 0 {
			t.Errorf("mailpit stored %d messages sent without TLS", n)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		t.Parallel()
		mp := mailtest.Start(t, mailtest.WithTLS(mailtest.NewCert(t)))
		err := MustNew(t, mailpitConfig(mp, TLSStartTLS), mailtest.NewCert(t)).Send(t.Context(), Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Send = %v, want a certificate error", err)
		}
		if n := len(mp.Messages(t)); n != 0 {
			t.Errorf("mailpit stored %d messages sent over an unverified connection", n)
		}
	})
}

// TLS "none" is for a relay on the same machine, with or without a login.
func TestSendPlainToLoopback(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t, mailtest.WithAuth("herald", "local-relay"), mailtest.WithInsecureAuth())
	cfg := mailpitConfig(mp, TLSNone)
	cfg.Username, cfg.Password = "herald", "local-relay"
	if err := MustNew(t, cfg, nil).Send(t.Context(), Message{To: []string{"ana@example.com"}, Subject: "Local", Text: "hi"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := mp.WaitMessages(t, 1, waitTimeout)[0]; got.Subject != "Local" || got.Username != "herald" {
		t.Errorf("stored subject %q username %q", got.Subject, got.Username)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		want    string // "" for valid
		notWant string
	}{
		{"defaults", Config{Host: "smtp.example.com", From: "herald@example.com"}, "", ""},
		{"implicit TLS", Config{Host: "smtp.example.com", From: "herald@example.com", TLS: "TLS"}, "", ""},
		{"none on localhost", Config{Host: "localhost", Port: 25, From: "herald@example.com", TLS: TLSNone}, "", ""},
		{"none on ::1", Config{Host: "::1", From: "herald@example.com", TLS: TLSNone}, "", ""},
		{"none on a remote host", Config{Host: "smtp.example.com", From: "herald@example.com", TLS: TLSNone},
			`allowed only for a loopback host (localhost, 127.0.0.1, ::1), not "smtp.example.com"`, ""},
		{"none on a private address", Config{Host: "10.0.0.5", From: "herald@example.com", TLS: TLSNone}, "only for a loopback host", ""},
		{"unknown TLS mode", Config{Host: "smtp.example.com", From: "herald@example.com", TLS: "ssl"}, `TLS "ssl" is not a mode`, ""},
		{"port out of range", Config{Host: "smtp.example.com", Port: 70000, From: "herald@example.com"}, "port 70000 is not from 1 to 65535", ""},
		{"host with port", Config{Host: "smtp.example.com:587", From: "herald@example.com"}, "give the port separately", ""},
		{"host as URL", Config{Host: "smtp://smtp.example.com", From: "herald@example.com"}, "not a host name", ""},
		{"no From", Config{Host: "smtp.example.com"}, `From "" is not an e-mail address`, ""},
		{"bad From", Config{Host: "smtp.example.com", From: "herald"}, `From "herald" is not an e-mail address`, ""},
		{"password without username", Config{Host: "smtp.example.com", From: "herald@example.com", Password: "hunter2"},
			"username and password must be set together", "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg, nil)
			if tt.want == "" {
				if err != nil || !s.Enabled() {
					t.Fatalf("New = %v, %v; want an enabled sender", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error = %v, want one containing %q", err, tt.want)
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q reveals %q", err, tt.notWant)
			}
		})
	}
}

func TestNewPorts(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]string{"": "587", TLSStartTLS: "587", TLSImplicit: "465", TLSNone: "587"} {
		s, err := New(Config{Host: "127.0.0.1", From: "h@example.com", TLS: mode}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.addr != "127.0.0.1:"+want {
			t.Errorf("TLS %q: address %s, want port %s", mode, s.addr, want)
		}
	}
}

func TestDisabled(t *testing.T) {
	t.Parallel()
	s, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Enabled() {
		t.Error("a sender without a host is enabled")
	}
	err = s.Send(t.Context(), Message{To: []string{"ana@example.com"}, Subject: "Report", Text: "attached"})
	if !errors.Is(err, ErrDisabled) || !strings.Contains(err.Error(), "HERALD_SMTP_HOST is not set") {
		t.Errorf("Send = %v, want ErrDisabled naming HERALD_SMTP_HOST", err)
	}
	var nilSender *Sender
	if nilSender.Enabled() {
		t.Error("a nil sender is enabled")
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true, "::ffff:127.0.0.1": true,
		"10.0.0.1": false, "smtp.example.com": false, "localhost.example.com": false, "0.0.0.0": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
