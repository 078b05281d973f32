// Package mail sends Herald's e-mail (scheduled PDF reports, and later
// notifications) through the SMTP server the operator configures
// (HERALD_SMTP_*).
//
// A Sender opens one SMTP session per Send and closes it afterwards:
// reports go out a few at a time, so a pooled connection would mostly sit
// idle and be dropped by the server. The SMTP host is chosen by the
// operator, not typed by users, so it is dialled directly (it may well be a
// relay on the operator's own network) rather than through
// internal/outbound's public-internet-only policy.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// TLS modes, as Config.TLS spells them.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS before
	// anything else is said; a server that does not offer it is refused
	// (no silent fall-back to plain text).
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (SMTPS, port 465).
	TLSImplicit = "tls"
	// TLSNone sends everything, password included, in plain text; New
	// allows it only for a loopback host (a relay on the same machine).
	TLSNone = "none"
)

// Default ports, used when Config.Port is 0 (as HERALD_SMTP_PORT does).
const (
	DefaultPort         = 587 // submission with STARTTLS
	DefaultImplicitPort = 465 // submission over TLS
)

// Limits of one Send.
const (
	// MaxRecipients bounds a message's To list; a report schedule allows
	// fewer (herald.MaxReportRecipients), and many servers refuse more
	// than 50 or 100 recipients per message.
	MaxRecipients = 50
	// DefaultTimeout bounds a Send whose context has no deadline, from the
	// dial to the end of the session.
	DefaultTimeout = 2 * time.Minute
	// stepTimeout bounds each read or write of the SMTP conversation (the
	// greeting, one command, the message data) within a Send.
	stepTimeout = 60 * time.Second
)

// Errors callers can test for with errors.Is.
var (
	// ErrDisabled is what Send returns when no SMTP host is configured.
	ErrDisabled = errors.New("mail: e-mail is off: HERALD_SMTP_HOST is not set; set it (and HERALD_SMTP_FROM) to send e-mail")
	// ErrInvalidMessage wraps every refusal of a message before any
	// connection is made (bad recipient, header injection, too many
	// recipients): sending it again cannot succeed.
	ErrInvalidMessage = errors.New("mail: invalid message")
	// ErrAuth wraps the server's refusal of the username or password.
	ErrAuth = errors.New("the SMTP server refused the username or password (HERALD_SMTP_USERNAME, HERALD_SMTP_PASSWORD)")
)

// Config says which SMTP server to send through and as whom. The zero
// value (no Host) turns e-mail off.
type Config struct {
	// Host is the SMTP server's name or IP address; empty turns e-mail off.
	Host string
	// Port is the server's port; 0 means 587 (465 for TLS "tls").
	Port int
	// Username and Password log in with SMTP AUTH; both empty sends
	// without logging in.
	Username, Password string
	// From is the sender, "herald@example.com" or "Herald
	// <herald@example.com>".
	From string
	// TLS is TLSStartTLS (the default when empty), TLSImplicit or TLSNone.
	TLS string
}

// Attachment is a file sent with a message.
type Attachment struct {
	// Name is the file name the recipient sees, e.g. "report.pdf".
	Name string
	// ContentType is the MIME type, e.g. "application/pdf"; empty means
	// application/octet-stream.
	ContentType string
	// Data is the file's content.
	Data []byte
}

// Message is one e-mail. Text, HTML or both make its body (both: the
// recipient's program chooses).
type Message struct {
	// To lists the recipients, each an address Go's net/mail parses
	// ("ana@example.com" or "Ana <ana@example.com>"); at most MaxRecipients.
	To []string
	// Subject is one line: no CR or LF.
	Subject string
	// Text and HTML are the body's plain-text and HTML versions.
	Text, HTML string
	// Attachments are sent as files.
	Attachments []Attachment
}

// Sender sends e-mail through one SMTP server. It holds no connection
// between sends, so one Sender is safe for concurrent use.
type Sender struct {
	enabled  bool
	host     string
	port     int
	addr     string // host:port, for errors and logs
	tlsMode  string
	username string
	password string
	from     *netmail.Address
	logger   *slog.Logger
	// roots verifies the server's certificate; nil means the system's
	// roots. Tests set it to trust their own certificate authority.
	roots *x509.CertPool
}

// New checks cfg and returns a Sender. A Config without Host gives a
// Sender that is not Enabled and whose Send returns ErrDisabled. logger
// may be nil.
func New(cfg Config, logger *slog.Logger) (*Sender, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if strings.TrimSpace(cfg.Host) == "" {
		return &Sender{logger: logger}, nil
	}
	s := &Sender{
		enabled:  true,
		host:     cfg.Host,
		port:     cfg.Port,
		tlsMode:  strings.ToLower(cfg.TLS),
		username: cfg.Username,
		password: cfg.Password,
		logger:   logger,
	}
	if err := checkHost(cfg.Host); err != nil {
		return nil, fmt.Errorf("mail: SMTP host %q: %w", cfg.Host, err)
	}
	switch s.tlsMode {
	case "":
		s.tlsMode = TLSStartTLS
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !IsLoopback(cfg.Host) {
			return nil, fmt.Errorf("mail: TLS %q sends the password and every message unencrypted, so it is allowed only for a loopback host (localhost, 127.0.0.1, ::1), not %q; use %q (port 587) or %q (port 465)",
				TLSNone, cfg.Host, TLSStartTLS, TLSImplicit)
		}
	default:
		return nil, fmt.Errorf("mail: TLS %q is not a mode; use %q, %q or %q", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	if s.port == 0 {
		s.port = DefaultPort
		if s.tlsMode == TLSImplicit {
			s.port = DefaultImplicitPort
		}
	}
	if s.port < 1 || s.port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d is not from 1 to 65535; use 587 (STARTTLS) or 465 (TLS)", cfg.Port)
	}
	s.addr = net.JoinHostPort(s.host, strconv.Itoa(s.port))
	if (s.username == "") != (s.password == "") {
		return nil, errors.New("mail: the SMTP username and password must be set together (or both left empty to send without logging in)")
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: From %q is not an e-mail address (use e.g. herald@example.com or Herald <herald@example.com>): %w", cfg.From, err)
	}
	s.from = from
	return s, nil
}

// Enabled reports whether e-mail is configured; when it is not, Send
// returns ErrDisabled.
func (s *Sender) Enabled() bool { return s != nil && s.enabled }

// Send delivers m: it checks the message, connects, upgrades to TLS, logs
// in when a username is configured, and hands the message to the server.
// Nothing is sent unless the server accepts every recipient. ctx bounds
// the whole exchange (DefaultTimeout when it has no deadline). Errors
// name the server's host and port and wrap the cause: ErrInvalidMessage
// (nothing was sent; retrying cannot help), ErrAuth, the context's error,
// or go-mail's *SendError, whose IsTemp tells a 4xx answer from a 5xx.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if !s.Enabled() {
		return ErrDisabled
	}
	to, err := checkMessage(m)
	if err != nil {
		return err
	}
	msg := s.build(m, to)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	start := time.Now()
	if err := s.deliver(ctx, msg); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "mail sent", "smtp_server", s.addr, "recipients", len(to),
		"attachments", len(m.Attachments), "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// tlsConfig verifies the server as Host, the name the operator gave.
func (s *Sender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, RootCAs: s.roots}
}

// checkHost refuses what is not a bare host name or IP address, such as a
// URL or host:port (the port has its own setting).
func checkHost(host string) error {
	if strings.Contains(host, "://") || strings.ContainsAny(host, "/ \t\r\n@") {
		return errors.New("not a host name or IP address; use e.g. smtp.example.com")
	}
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err != nil {
			return errors.New("not a host name or IP address; give the port separately (HERALD_SMTP_PORT)")
		}
	}
	return nil
}

// IsLoopback reports whether host names this machine: "localhost" or a
// loopback IP address. Names are not resolved, since DNS could say
// anything.
func IsLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}
