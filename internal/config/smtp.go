package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
)

// SMTP encryption modes, as SMTPTLS spells them.
const (
	SMTPModeStartTLS = "starttls"
	SMTPModeTLS      = "tls"
	SMTPModeNone     = "none"
)

// Default SMTP ports: submission with STARTTLS, and over implicit TLS.
const (
	DefaultSMTPPort    = 587
	DefaultSMTPTLSPort = 465
)

// MailEnabled reports whether Herald can send e-mail: SMTPHost is set.
// Without it, e-mail is off and reports cannot be e-mailed.
func (c Config) MailEnabled() bool { return c.SMTPHost != "" }

// validateSMTP checks the e-mail settings: all of them unset (e-mail
// off), or a host, a sender and a way to reach the host.
func (c Config) validateSMTP(bad func(name, format string, args ...any)) {
	if c.SMTPHost == "" {
		for _, v := range []struct {
			name string
			set  bool
		}{{"SMTP_PORT", c.SMTPPort != 0}, {"SMTP_USERNAME", c.SMTPUsername != ""}, {"SMTP_PASSWORD", c.SMTPPassword != ""},
			{"SMTP_FROM", c.SMTPFrom != ""}, {"SMTP_TLS", c.SMTPTLS != ""}} {
			if v.set {
				bad(v.name, "is set but %sSMTP_HOST is not, and without a host e-mail is off; set %sSMTP_HOST to your SMTP server (e.g. smtp.example.com) or unset %s%s",
					Prefix, Prefix, Prefix, v.name)
			}
		}
		return
	}
	if err := checkSMTPHost(c.SMTPHost); err != nil {
		bad("SMTP_HOST", "%q: %v", c.SMTPHost, err)
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		bad("SMTP_PORT", "%d: must be from 1 to 65535; use 587 (STARTTLS) or 465 (TLS)", c.SMTPPort)
	}
	switch c.SMTPTLS {
	case SMTPModeStartTLS:
		if c.SMTPPort == DefaultSMTPTLSPort {
			bad("SMTP_TLS", "is starttls but %sSMTP_PORT is 465, where servers expect TLS from the first byte; set %sSMTP_TLS=tls, or use port 587",
				Prefix, Prefix)
		}
	case SMTPModeTLS:
		if c.SMTPPort == DefaultSMTPPort {
			bad("SMTP_TLS", "is tls but %sSMTP_PORT is 587, where servers expect STARTTLS; set %sSMTP_TLS=starttls, or use port 465",
				Prefix, Prefix)
		}
	case SMTPModeNone:
		if !isLoopback(c.SMTPHost) {
			bad("SMTP_TLS", "is none, which sends the password and every e-mail unencrypted, so it is allowed only for a loopback host (localhost, 127.0.0.1, ::1), not %q; use starttls (port 587) or tls (port 465)",
				c.SMTPHost)
		}
	default:
		bad("SMTP_TLS", "%q: not a mode; use starttls (the default), tls (implicit TLS, port 465) or none (only for a loopback host)", c.SMTPTLS)
	}
	if strings.TrimSpace(c.SMTPFrom) == "" {
		bad("SMTP_FROM", "is empty but %sSMTP_HOST is set; set the address Herald's e-mail comes from, e.g. Herald <herald@example.com>", Prefix)
	} else if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
		bad("SMTP_FROM", "%q: not an e-mail address (%v); use e.g. herald@example.com or Herald <herald@example.com>", c.SMTPFrom, err)
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		bad("SMTP_USERNAME", "and %sSMTP_PASSWORD must be set together (or both left unset to send without logging in)", Prefix)
	}
}

// checkSMTPHost refuses what is not a bare host name or IP address (a URL,
// or host:port: the port has its own variable).
func checkSMTPHost(host string) error {
	if strings.Contains(host, "://") || strings.ContainsAny(host, "/ \t\r\n@") {
		return errors.New("not a host name or IP address; use e.g. smtp.example.com")
	}
	if strings.Contains(host, ":") {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Errorf("not a host name or IP address; put the port in %sSMTP_PORT", Prefix)
		}
	}
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP address;
// names are not resolved, since DNS could say anything.
func isLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}
