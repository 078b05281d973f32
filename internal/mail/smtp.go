package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// authPreference is the order SMTP AUTH mechanisms are tried in: the
// SCRAM family never sends the password itself; PLAIN and LOGIN do, and
// go-mail sends them only over TLS or to a loopback host.
var authPreference = []gomail.SMTPAuthType{
	gomail.SMTPAuthSCRAMSHA256PLUS, gomail.SMTPAuthSCRAMSHA256,
	gomail.SMTPAuthSCRAMSHA1PLUS, gomail.SMTPAuthSCRAMSHA1,
	gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
}

// deliver runs one SMTP session: dial, (START)TLS, AUTH, the message, QUIT.
//
// go-mail uses ctx only while dialling and then relies on per-step
// deadlines, so the dialler here also closes the connection when ctx ends:
// a server that stops answering mid-session cannot outlive the deadline.
func (s *Sender) deliver(ctx context.Context, msg *gomail.Msg) error {
	var conn net.Conn // the TCP connection, closed however the session ends
	defer func() {
		if conn != nil {
			_ = conn.Close()
		}
	}()
	stop := func() bool { return true }
	defer func() { stop() }()
	dial := func(dctx context.Context, _, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(dctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		conn = c
		stop = context.AfterFunc(ctx, func() { _ = c.Close() })
		if s.tlsMode != TLSImplicit {
			return c, nil
		}
		tc := tls.Client(c, s.tlsConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		// go-mail sees a *tls.Conn, so it knows the session is encrypted.
		return tc, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(stepTimeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithoutNoop(),
	}
	switch s.tlsMode {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(s.tlsConfig()))
	default: // implicit TLS is done by the dialler; none is loopback only
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.username != "" {
		opts = append(opts, gomail.WithUsername(s.username), gomail.WithPassword(s.password),
			gomail.WithOpportunisticSMTPAuth(authPreference...))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: setting up the SMTP client for %s: %w", s.addr, err)
	}

	session, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.explain(ctx, "connecting to", err)
	}
	if err := client.SendWithSMTPClient(session, msg); err != nil {
		return s.explain(ctx, "sending through", err)
	}
	// The server has accepted the message: a failed QUIT must not make
	// the caller send it again.
	if err := client.CloseWithSMTPClient(session); err != nil {
		s.logger.DebugContext(ctx, "mail: QUIT after a sent message failed", "smtp_server", s.addr, "error", err)
	}
	return nil
}

// explain wraps a failed session's error with the server's address, the
// context's error when it ended the session, and ErrAuth when the server
// refused the login.
func (s *Sender) explain(ctx context.Context, doing string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("mail: %s the SMTP server %s: %w (%w)", doing, s.addr, ctxErr, err)
	}
	switch code := replyCode(err); {
	case s.username != "" && (code == 535 || code == 534 || code == 530):
		return fmt.Errorf("mail: %s the SMTP server %s: %w: %w", doing, s.addr, ErrAuth, err)
	case s.username == "" && code == 530:
		return fmt.Errorf("mail: %s the SMTP server %s: it requires a login; set HERALD_SMTP_USERNAME and HERALD_SMTP_PASSWORD: %w", doing, s.addr, err)
	}
	return fmt.Errorf("mail: %s the SMTP server %s: %w", doing, s.addr, err)
}

// replyCode is the SMTP reply code in err, or 0: go-mail returns the
// server's *textproto.Error while connecting and its own *SendError (which
// does not unwrap) once the message is under way.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}
