package mail

import (
	"time"

	"github.com/heraldsocial/herald/internal/mail/mailtest"
)

// The tests send to a real SMTP server: Mailpit, built and run by package
// mailtest on 127.0.0.1, and read back through its REST API.

// waitTimeout bounds the wait for a sent message to be stored.
const waitTimeout = 10 * time.Second

// mailpitConfig is a Sender's Config for mp.
func mailpitConfig(mp *mailtest.Server, tlsMode string) Config {
	return Config{Host: mp.Host, Port: mp.Port, From: "Herald Reports <reports@herald.test>", TLS: tlsMode}
}
