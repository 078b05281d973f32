package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// tgMessage is the part of a Message Herald reads.
type tgMessage struct {
	MessageID    int64  `json:"message_id"`
	MediaGroupID string `json:"media_group_id"`
}

type replyParameters struct {
	MessageID int64 `json:"message_id"`
}

type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption,omitempty"`
	ParseMode string `json:"parse_mode,omitempty"`
}

// Publish sends a part: text with sendMessage, one file with sendPhoto,
// sendVideo or sendAnimation (the text as its caption), 2–10 files with
// sendMediaGroup (the text as the first item's caption). Thread parts
// answer the part before (reply_parameters). Text goes as parse_mode HTML,
// escaped, so that what was typed is what appears. With the option pin,
// the message is pinned afterwards; a pin that fails is logged and noted
// in the result's Meta["pin_error"], not returned, since the message
// exists and must not be sent again.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Comment {
		return herald.RemoteRef{}, invalid("Telegram has no first comment for bots: comments under a channel post live in its discussion group, on a copy the Bot API does not name")
	}
	var reply *replyParameters
	if p.ReplyTo != nil {
		id, err := strconv.ParseInt(p.ReplyTo.ID, 10, 64)
		if err != nil {
			return herald.RemoteRef{}, invalid("the message to answer has no Telegram message id (%q)", p.ReplyTo.ID)
		}
		reply = &replyParameters{MessageID: id}
	}
	silent := p.Options[OptionSilent] == "true"
	var msgs []tgMessage
	switch len(p.Media) {
	case 0:
		var m tgMessage
		params := map[string]any{"chat_id": chatRef(cr), "text": escapeHTML(p.Text), "parse_mode": "HTML"}
		if silent {
			params["disable_notification"] = true
		}
		if reply != nil {
			params["reply_parameters"] = reply
		}
		if err := c.do(ctx, cr.Token, call{method: "sendMessage", params: params, out: &m, send: true}); err != nil {
			return herald.RemoteRef{}, err
		}
		msgs = []tgMessage{m}
	case 1:
		k := kind(p.Media[0].Asset.ContentType)
		if k == "" {
			return herald.RemoteRef{}, invalid("Telegram does not take %s files", orUnknown(p.Media[0].Asset.ContentType))
		}
		var m tgMessage
		method := "send" + strings.ToUpper(k[:1]) + k[1:]
		if err := c.sendFiles(ctx, cr, method, p, reply, silent, k, &m); err != nil {
			return herald.RemoteRef{}, err
		}
		msgs = []tgMessage{m}
	default:
		if len(p.Media) > MaxAlbum {
			return herald.RemoteRef{}, invalid("a Telegram album takes at most %d files, not %d", MaxAlbum, len(p.Media))
		}
		for i, m := range p.Media {
			if k := kind(m.Asset.ContentType); k != "photo" && k != "video" {
				return herald.RemoteRef{}, invalid("media[%d] is %s: a Telegram album takes photos and videos only", i, orUnknown(m.Asset.ContentType))
			}
		}
		if err := c.sendFiles(ctx, cr, "sendMediaGroup", p, reply, silent, "", &msgs); err != nil {
			return herald.RemoteRef{}, err
		}
	}
	if len(msgs) == 0 || msgs[0].MessageID == 0 {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous,
			Message: "Telegram accepted the message but did not say its id (it may be scheduled for later)"}
	}
	ref := refOf(cr, msgs)
	if p.Options[OptionPin] == "true" {
		params := map[string]any{"chat_id": chatRef(cr), "message_id": msgs[0].MessageID}
		if silent {
			params["disable_notification"] = true
		}
		if err := c.do(ctx, cr.Token, call{method: "pinChatMessage", params: params}); err != nil {
			c.log.WarnContext(ctx, "telegram: the message was sent but could not be pinned",
				"account_id", acct.ID, "message_id", ref.ID, "error", err.Error())
			ref.Meta["pin_error"] = err.Error()
		}
	}
	return ref, nil
}

// refOf is the result of a send: the first message's id, and every id of
// an album in Meta["message_ids"] (for Delete).
func refOf(cr Credentials, msgs []tgMessage) herald.RemoteRef {
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		ids = append(ids, strconv.FormatInt(m.MessageID, 10))
	}
	meta := map[string]string{"chat_id": strconv.FormatInt(cr.ChatID, 10)}
	if len(ids) > 1 {
		meta["message_ids"] = strings.Join(ids, ",")
	}
	return herald.RemoteRef{ID: ids[0], URL: messageURL(cr, msgs[0].MessageID), Meta: meta}
}

// sendFiles uploads the part's files in one multipart request to method
// (sendPhoto, sendVideo, sendAnimation with field k, or sendMediaGroup),
// streaming them as they are read.
func (c *Connector) sendFiles(ctx context.Context, cr Credentials, method string, p connector.Part,
	reply *replyParameters, silent bool, k string, out any) error {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeForm(ctx, mw, cr, p, reply, silent, k))
	}()
	err := c.do(ctx, cr.Token, call{method: method, body: pr, ctype: mw.FormDataContentType(), out: out, send: true})
	_ = pr.CloseWithError(errors.New("the request is over"))
	return err
}

func writeForm(ctx context.Context, mw *multipart.Writer, cr Credentials, p connector.Part, reply *replyParameters, silent bool, k string) error {
	fields := map[string]string{"chat_id": strconv.FormatInt(cr.ChatID, 10)}
	if silent {
		fields["disable_notification"] = "true"
	}
	if reply != nil {
		b, _ := json.Marshal(reply) // a struct of one integer
		fields["reply_parameters"] = string(b)
	}
	if k != "" {
		if p.Text != "" {
			fields["caption"], fields["parse_mode"] = escapeHTML(p.Text), "HTML"
		}
	} else {
		items := make([]inputMedia, len(p.Media))
		for i, m := range p.Media {
			t := kind(m.Asset.ContentType)
			if t != "photo" && t != "video" {
				return invalid("media[%d]: a Telegram album takes photos and videos only", i)
			}
			items[i] = inputMedia{Type: t, Media: fmt.Sprintf("attach://file%d", i)}
		}
		if p.Text != "" {
			items[0].Caption, items[0].ParseMode = escapeHTML(p.Text), "HTML"
		}
		b, err := json.Marshal(items)
		if err != nil {
			return err
		}
		fields["media"] = string(b)
	}
	for _, name := range []string{"chat_id", "caption", "parse_mode", "disable_notification", "reply_parameters", "media"} {
		if v, ok := fields[name]; ok {
			if err := mw.WriteField(name, v); err != nil {
				return err
			}
		}
	}
	for i, m := range p.Media {
		field := k
		if field == "" {
			field = fmt.Sprintf("file%d", i)
		}
		if err := writeFile(ctx, mw, field, m); err != nil {
			return fmt.Errorf("media[%d]: %w", i, err)
		}
	}
	return mw.Close()
}

func writeFile(ctx context.Context, mw *multipart.Writer, field string, m connector.Media) error {
	f, err := m.Open(ctx)
	if err != nil {
		return fmt.Errorf("open the media file: %w", err)
	}
	defer f.Close()
	name := m.Asset.Filename
	if name == "" {
		name = "file"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
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

// Delete removes a sent message (every message of an album, with
// deleteMessages). Telegram lets a bot delete a message only within 48
// hours of sending it; later it answers that the message can't be
// deleted, which is returned as invalid. A message already gone counts as
// deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(ref.ID, 10, 64)
	if err != nil {
		return invalid("the message to delete has no Telegram message id (%q)", ref.ID)
	}
	if list := ref.Meta["message_ids"]; list != "" {
		var ids []int64
		for _, s := range strings.Split(list, ",") {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return invalid("the album's message ids %q cannot be read", list)
			}
			ids = append(ids, n)
		}
		// deleteMessages skips messages that are already gone.
		return c.deleteErr(c.do(ctx, cr.Token, call{method: "deleteMessages", params: map[string]any{"chat_id": chatRef(cr), "message_ids": ids}}))
	}
	return c.deleteErr(c.do(ctx, cr.Token, call{method: "deleteMessage", params: map[string]any{"chat_id": chatRef(cr), "message_id": id}}))
}

func (c *Connector) deleteErr(err error) error {
	var e *connector.Error
	if err == nil || !errors.As(err, &e) || e.Class != connector.Invalid {
		return err
	}
	lower := strings.ToLower(e.Message)
	switch {
	case strings.Contains(lower, "message to delete not found"):
		return nil
	case strings.Contains(lower, "can't be deleted"):
		d := *e
		d.Message += " (Telegram lets a bot delete its messages only within 48 hours of sending them; delete it in the Telegram app)"
		return &d
	}
	return err
}

// Edit changes a sent message's text (editMessageText) or, when the part
// has media, its caption (editMessageCaption). Files cannot be changed.
// Unchanged text counts as edited.
func (c *Connector) Edit(ctx context.Context, acct connector.Account, ref herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	id, err := strconv.ParseInt(ref.ID, 10, 64)
	if err != nil {
		return herald.RemoteRef{}, invalid("the message to edit has no Telegram message id (%q)", ref.ID)
	}
	params := map[string]any{"chat_id": chatRef(cr), "message_id": id, "parse_mode": "HTML"}
	method := "editMessageText"
	if len(p.Media) > 0 {
		method = "editMessageCaption"
		params["caption"] = escapeHTML(p.Text)
	} else {
		params["text"] = escapeHTML(p.Text)
	}
	err = c.do(ctx, cr.Token, call{method: method, params: params})
	var e *connector.Error
	if errors.As(err, &e) && e.Class == connector.Invalid && strings.Contains(strings.ToLower(e.Message), "message is not modified") {
		err = nil
	}
	if err != nil {
		// Editing twice to the same text is harmless.
		return herald.RemoteRef{}, connector.Repeatable(err)
	}
	return ref, nil
}
