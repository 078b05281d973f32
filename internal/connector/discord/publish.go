package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Message flags a webhook may set.
const (
	flagSuppressEmbeds        = 1 << 2
	flagSuppressNotifications = 1 << 12
)

type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

type executeBody struct {
	Content     string       `json:"content,omitempty"`
	Username    string       `json:"username,omitempty"`
	ThreadName  string       `json:"thread_name,omitempty"`
	Flags       int          `json:"flags,omitempty"`
	Attachments []attachment `json:"attachments,omitempty"`
}

type message struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

// Publish executes the webhook with ?wait=true: the text as content, files
// as multipart files[n] with their alt text as the attachment's
// description. The first part may start a forum post (option thread_name)
// or go into an existing thread (option thread_id); thread parts follow in
// the same thread (or channel), since a webhook cannot reply to a message.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Comment {
		return herald.RemoteRef{}, invalid("Discord has no comments under a message; send it as a thread part instead")
	}
	if n := utf8.RuneCountInString(p.Text); n > MaxContentChars {
		return herald.RemoteRef{}, invalid("the text is %d characters; Discord takes at most %d", n, MaxContentChars)
	}
	body := executeBody{Content: p.Text, Username: cr.Username, Flags: flags(p.Options)}
	q := url.Values{"wait": {"true"}}
	switch {
	case p.ReplyTo != nil:
		if t := p.ReplyTo.Meta["thread_id"]; t != "" {
			q.Set("thread_id", t)
		}
	case p.Options[OptionThreadID] != "":
		q.Set("thread_id", p.Options[OptionThreadID])
	case p.Options[OptionThreadName] != "":
		body.ThreadName = p.Options[OptionThreadName]
	}
	var m message
	rq := request{method: http.MethodPost, query: q, out: &m, send: true}
	if len(p.Media) == 0 {
		rq.json = body
		err = c.do(ctx, cr, rq)
	} else {
		for i, md := range p.Media {
			body.Attachments = append(body.Attachments, attachment{ID: i, Filename: filename(md, i), Description: md.Asset.AltText})
		}
		err = c.multipart(ctx, cr, rq, body, p.Media)
	}
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if m.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "Discord accepted the message but did not say its id"}
	}
	return c.refOf(cr, m, q.Get("thread_id")), nil
}

// refOf is a posted message's reference: its URL, its channel, and the
// thread it is in (a forum post's thread has the starter message's id).
func (c *Connector) refOf(cr Credentials, m message, threadID string) herald.RemoteRef {
	meta := map[string]string{"channel_id": m.ChannelID}
	if threadID == "" && m.ChannelID != "" && cr.ChannelID != "" && m.ChannelID != cr.ChannelID {
		threadID = m.ChannelID
	}
	if threadID != "" {
		meta["thread_id"] = threadID
	}
	guild := cr.GuildID
	if guild == "" {
		guild = "@me"
	}
	return herald.RemoteRef{ID: m.ID, URL: "https://discord.com/channels/" + guild + "/" + m.ChannelID + "/" + m.ID, Meta: meta}
}

func flags(opts map[string]string) int {
	f := 0
	if opts[OptionSilent] == "true" {
		f |= flagSuppressNotifications
	}
	if opts[OptionSuppressEmbeds] == "true" {
		f |= flagSuppressEmbeds
	}
	return f
}

func filename(m connector.Media, i int) string {
	if m.Asset.Filename != "" {
		return m.Asset.Filename
	}
	return "file" + strconv.Itoa(i)
}

// multipart sends body as payload_json with the files as files[n],
// streamed as they are read.
func (c *Connector) multipart(ctx context.Context, cr Credentials, rq request, body executeBody, media []connector.Media) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return invalid("the message cannot be encoded: %v", err)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeForm(ctx, mw, payload, media))
	}()
	rq.body, rq.ctype = pr, mw.FormDataContentType()
	err = c.do(ctx, cr, rq)
	_ = pr.CloseWithError(errors.New("the request is over"))
	return err
}

func writeForm(ctx context.Context, mw *multipart.Writer, payload []byte, media []connector.Media) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := w.Write(payload); err != nil {
		return err
	}
	for i, m := range media {
		if err := writeFile(ctx, mw, i, m); err != nil {
			return fmt.Errorf("media[%d]: %w", i, err)
		}
	}
	return mw.Close()
}

func writeFile(ctx context.Context, mw *multipart.Writer, i int, m connector.Media) error {
	f, err := m.Open(ctx)
	if err != nil {
		return fmt.Errorf("open the media file: %w", err)
	}
	defer f.Close()
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename=%q`, i, filename(m, i)))
	ct := m.Asset.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read the media file: %w", err)
	}
	return nil
}

// threadQuery is the thread_id a message in a thread needs for edits
// and deletes.
func threadQuery(ref herald.RemoteRef) url.Values {
	if t := ref.Meta["thread_id"]; t != "" {
		return url.Values{"thread_id": {t}}
	}
	return nil
}

// Delete deletes a message the webhook posted; one already gone (Unknown
// Message) counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if !snowflake.MatchString(ref.ID) {
		return invalid("the message to delete has no Discord id (%q)", ref.ID)
	}
	err = c.do(ctx, cr, request{method: http.MethodDelete, path: "/messages/" + ref.ID, query: threadQuery(ref)})
	if isUnknownMessage(err) {
		return nil
	}
	return err
}

func isUnknownMessage(err error) bool {
	var e *connector.Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Class != connector.Invalid {
		return false
	}
	return true
}

// Edit changes a posted message's content (PATCH on the webhook's
// message); its files stay as they are.
func (c *Connector) Edit(ctx context.Context, acct connector.Account, ref herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if !snowflake.MatchString(ref.ID) {
		return herald.RemoteRef{}, invalid("the message to edit has no Discord id (%q)", ref.ID)
	}
	var m message
	// Setting the same content twice is harmless.
	if err := c.do(ctx, cr, request{method: http.MethodPatch, path: "/messages/" + ref.ID, query: threadQuery(ref),
		json: map[string]string{"content": p.Text}, out: &m}); err != nil {
		return herald.RemoteRef{}, connector.Repeatable(err)
	}
	return ref, nil
}
