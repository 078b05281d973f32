package mail

import (
	"bytes"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// checkMessage refuses, before any connection, what the server would
// refuse or what could smuggle headers in; it returns the parsed
// recipients.
func checkMessage(m Message) ([]*netmail.Address, error) {
	switch n := len(m.To); {
	case n == 0:
		return nil, fmt.Errorf("%w: no recipient; name at least one address in To", ErrInvalidMessage)
	case n > MaxRecipients:
		return nil, fmt.Errorf("%w: %d recipients; send to at most %d per message", ErrInvalidMessage, n, MaxRecipients)
	}
	to := make([]*netmail.Address, 0, len(m.To))
	for i, raw := range m.To {
		if strings.ContainsAny(raw, "\r\n") {
			return nil, fmt.Errorf("%w: recipient %d (%q) contains a line break", ErrInvalidMessage, i+1, raw)
		}
		a, err := netmail.ParseAddress(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: recipient %d (%q) is not an e-mail address like ana@example.com: %w", ErrInvalidMessage, i+1, raw, err)
		}
		to = append(to, a)
	}
	if strings.ContainsAny(m.Subject, "\r\n\x00") {
		return nil, fmt.Errorf("%w: the subject contains a line break (CR or LF), which could inject mail headers; keep it to one line", ErrInvalidMessage)
	}
	if m.Text == "" && m.HTML == "" {
		return nil, fmt.Errorf("%w: no body; set Text, HTML or both", ErrInvalidMessage)
	}
	for i, a := range m.Attachments {
		if strings.TrimSpace(a.Name) == "" {
			return nil, fmt.Errorf("%w: attachment %d has no file name", ErrInvalidMessage, i+1)
		}
		if strings.ContainsAny(a.Name, "\r\n\x00/\\") {
			return nil, fmt.Errorf("%w: attachment %d's name %q contains a line break or a path separator", ErrInvalidMessage, i+1, a.Name)
		}
		if a.ContentType != "" {
			if strings.ContainsAny(a.ContentType, "\r\n") {
				return nil, fmt.Errorf("%w: attachment %q's content type contains a line break", ErrInvalidMessage, a.Name)
			}
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
				return nil, fmt.Errorf("%w: attachment %q's content type %q is not a MIME type like application/pdf: %w", ErrInvalidMessage, a.Name, a.ContentType, err)
			}
		}
	}
	return to, nil
}

// build turns a checked message into go-mail's.
func (s *Sender) build(m Message, to []*netmail.Address) *gomail.Msg {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, s.from)
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to...)
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetUserAgent("Herald")
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct)))
	}
	return msg
}
