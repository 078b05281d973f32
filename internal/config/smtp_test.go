package config

import (
	"strings"
	"testing"
)

func TestSMTPValues(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		enabled bool
		port    int
		mode    string
	}{
		{"unset: e-mail off", nil, false, 0, ""},
		{"host: STARTTLS on 587", []string{"HERALD_SMTP_HOST=smtp.example.com", "HERALD_SMTP_FROM=herald@example.com"},
			true, 587, "starttls"},
		{"implicit TLS: 465", []string{"HERALD_SMTP_HOST=smtp.example.com", "HERALD_SMTP_FROM=Herald <herald@example.com>", "HERALD_SMTP_TLS=TLS"},
			true, 465, "tls"},
		{"port and login", []string{"HERALD_SMTP_HOST= smtp.example.com ", "HERALD_SMTP_FROM=herald@example.com", "HERALD_SMTP_PORT=2525",
			"HERALD_SMTP_USERNAME=herald", "HERALD_SMTP_PASSWORD=s3cret"}, true, 2525, "starttls"},
		{"none on localhost", []string{"HERALD_SMTP_HOST=localhost", "HERALD_SMTP_PORT=25", "HERALD_SMTP_FROM=herald@example.com", "HERALD_SMTP_TLS=none"},
			true, 25, "none"},
		{"none on ::1", []string{"HERALD_SMTP_HOST=::1", "HERALD_SMTP_FROM=herald@example.com", "HERALD_SMTP_TLS=none"}, true, 587, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.environ)
			if err != nil {
				t.Fatal(err)
			}
			if c.MailEnabled() != tt.enabled || c.SMTPPort != tt.port || c.SMTPTLS != tt.mode {
				t.Errorf("MailEnabled %v, port %d, TLS %q; want %v, %d, %q", c.MailEnabled(), c.SMTPPort, c.SMTPTLS, tt.enabled, tt.port, tt.mode)
			}
			if tt.enabled && (c.SMTPHost != strings.TrimSpace(c.SMTPHost) || c.SMTPHost == "") {
				t.Errorf("SMTPHost = %q", c.SMTPHost)
			}
		})
	}
}

func TestSMTPRefuses(t *testing.T) {
	host := []string{"HERALD_SMTP_HOST=smtp.example.com", "HERALD_SMTP_FROM=herald@example.com"}
	with := func(extra ...string) []string { return append(append([]string{}, host...), extra...) }
	tests := []struct {
		name    string
		environ []string
		want    string
		notWant string
	}{
		{"port not a number", with("HERALD_SMTP_PORT=submission"), "HERALD_SMTP_PORT: not a whole number; use 587 (STARTTLS) or 465 (TLS)", ""},
		{"port out of range", with("HERALD_SMTP_PORT=70000"), "HERALD_SMTP_PORT 70000: must be from 1 to 65535", ""},
		{"negative port", with("HERALD_SMTP_PORT=-1"), "HERALD_SMTP_PORT -1: must be from 1 to 65535", ""},
		{"host with port", []string{"HERALD_SMTP_HOST=smtp.example.com:587", "HERALD_SMTP_FROM=herald@example.com"},
			`HERALD_SMTP_HOST "smtp.example.com:587": not a host name or IP address; put the port in HERALD_SMTP_PORT`, ""},
		{"host as URL", []string{"HERALD_SMTP_HOST=smtps://smtp.example.com", "HERALD_SMTP_FROM=herald@example.com"},
			`HERALD_SMTP_HOST "smtps://smtp.example.com": not a host name or IP address`, ""},
		{"no from", []string{"HERALD_SMTP_HOST=smtp.example.com"},
			"HERALD_SMTP_FROM is empty but HERALD_SMTP_HOST is set", ""},
		{"from not an address", []string{"HERALD_SMTP_HOST=smtp.example.com", "HERALD_SMTP_FROM=herald"},
			`HERALD_SMTP_FROM "herald": not an e-mail address`, ""},
		{"unknown TLS mode", with("HERALD_SMTP_TLS=ssl"), `HERALD_SMTP_TLS "ssl": not a mode; use starttls (the default), tls`, ""},
		{"none on a remote host", with("HERALD_SMTP_TLS=none"),
			`HERALD_SMTP_TLS is none, which sends the password and every e-mail unencrypted, so it is allowed only for a loopback host (localhost, 127.0.0.1, ::1), not "smtp.example.com"`, ""},
		{"none on a private address", []string{"HERALD_SMTP_HOST=192.168.1.10", "HERALD_SMTP_FROM=herald@example.com", "HERALD_SMTP_TLS=none"},
			"only for a loopback host", ""},
		{"starttls on 465", with("HERALD_SMTP_PORT=465", "HERALD_SMTP_TLS=starttls"), "HERALD_SMTP_TLS is starttls but HERALD_SMTP_PORT is 465", ""},
		{"tls on 587", with("HERALD_SMTP_PORT=587", "HERALD_SMTP_TLS=tls"), "HERALD_SMTP_TLS is tls but HERALD_SMTP_PORT is 587", ""},
		{"password without username", with("HERALD_SMTP_PASSWORD=hunter2"),
			"HERALD_SMTP_USERNAME and HERALD_SMTP_PASSWORD must be set together", "hunter2"},
		{"username without password", with("HERALD_SMTP_USERNAME=herald"),
			"HERALD_SMTP_USERNAME and HERALD_SMTP_PASSWORD must be set together", ""},
		{"from without host", []string{"HERALD_SMTP_FROM=herald@example.com"},
			"HERALD_SMTP_FROM is set but HERALD_SMTP_HOST is not, and without a host e-mail is off", ""},
		{"password without host", []string{"HERALD_SMTP_PASSWORD=hunter2"},
			"HERALD_SMTP_PASSWORD is set but HERALD_SMTP_HOST is not", "hunter2"},
		{"port without host", []string{"HERALD_SMTP_PORT=587"}, "HERALD_SMTP_PORT is set but HERALD_SMTP_HOST is not", ""},
		{"TLS without host", []string{"HERALD_SMTP_TLS=tls"}, "HERALD_SMTP_TLS is set but HERALD_SMTP_HOST is not", ""},
		{"blank host", []string{"HERALD_SMTP_HOST=  ", "HERALD_SMTP_USERNAME=herald"}, "HERALD_SMTP_USERNAME is set but HERALD_SMTP_HOST is not", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.environ)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load(%q) error = %v, want one containing %q", tt.environ, err, tt.want)
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q reveals %q", err, tt.notWant)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost.": true, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "::ffff:127.0.0.1": true,
		"10.0.0.1": false, "smtp.example.com": false, "localhost.example.com": false, "0.0.0.0": false, "": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
