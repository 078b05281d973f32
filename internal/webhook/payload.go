package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// The headers of a generic (signed) delivery.
const (
	// HeaderID carries the delivery's id, the same on every attempt: a
	// receiver that has seen it drops the repeat.
	HeaderID = "Herald-Webhook-Id"
	// HeaderTimestamp carries the attempt's time in Unix seconds.
	HeaderTimestamp = "Herald-Webhook-Timestamp"
	// HeaderSignature carries "v1=" and the hex HMAC-SHA256, keyed with the
	// endpoint's secret, of "<timestamp>.<body>".
	HeaderSignature = "Herald-Signature"
)

// Limits of the receivers' documented formats.
const (
	discordContentMax    = 2000
	discordTitleMax      = 256
	discordDescMax       = 4096
	slackTextMax         = 3000 // a section block's text
	slackButtonMax       = 75   // a button's label
	slackFallbackTextMax = 4000 // the top-level text, shown in notifications
)

// Sign returns the value of HeaderSignature for body sent at ts with
// secret.
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature (a HeaderSignature value) is the
// signature of body at timestamp (a HeaderTimestamp value) with secret:
// the check a receiver makes, in Go.
func Verify(secret, timestamp, signature string, body []byte) bool {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	want := Sign(secret, time.Unix(sec, 0), body)
	return hmac.Equal([]byte(want), []byte(signature))
}

// Event is the body of a generic delivery.
type Event struct {
	// ID is the delivery's id (HeaderID), the same on every attempt.
	ID          string                  `json:"id"`
	Kind        herald.NotificationKind `json:"kind"`
	WorkspaceID int64                   `json:"workspace_id"`
	Title       string                  `json:"title"`
	Message     string                  `json:"message"`
	// Link is the absolute address in Herald where a person acts on it.
	Link       string    `json:"link,omitempty"`
	TargetID   int64     `json:"target_id,omitempty"`
	AccountID  int64     `json:"account_id,omitempty"`
	PostID     int64     `json:"post_id,omitempty"`
	TaskID     int64     `json:"task_id,omitempty"`
	CampaignID int64     `json:"campaign_id,omitempty"`
	Key        string    `json:"key"`
	At         time.Time `json:"at"`
	// Test is true for a delivery made with "Send test".
	Test bool `json:"test"`
}

// deliveryID is the id a receiver sees for delivery id.
func deliveryID(id int64) string { return "whd_" + strconv.FormatInt(id, 10) }

// absolute returns link made absolute with base ("" for no link).
func absolute(base, link string) string {
	if link == "" || strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
		return link
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(link, "/")
}

// title is the notification's title, or a line made from its kind.
func title(n herald.Notification) string {
	if t := strings.TrimSpace(n.Title); t != "" {
		return t
	}
	return strings.ReplaceAll(string(n.Kind), "_", " ")
}

// clip shortens s to at most n characters, ending with "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// body builds what is POSTed to an endpoint of kind k for delivery d.
func body(k herald.WebhookKind, base string, d herald.WebhookDelivery) ([]byte, error) {
	n := d.Notification
	link := absolute(base, n.Link)
	var v any
	switch k {
	case herald.WebhookSlack:
		v = slackBody(n, link)
	case herald.WebhookDiscord:
		v = discordBody(n, link)
	default:
		v = Event{ID: deliveryID(d.ID), Kind: n.Kind, WorkspaceID: d.WorkspaceID, Title: title(n), Message: n.Message,
			Link: link, TargetID: n.TargetID, AccountID: n.AccountID, PostID: n.PostID, TaskID: n.TaskID,
			CampaignID: n.CampaignID, Key: d.Key, At: n.At.UTC(), Test: d.Test}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("webhook: encode the %s payload: %w", k, err)
	}
	return b, nil
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackBody is an incoming-webhook message: text for notifications and
// clients without blocks, a section with the title and message, and a
// button linking to Herald.
func slackBody(n herald.Notification, link string) map[string]any {
	t, msg := slackEscape.Replace(title(n)), slackEscape.Replace(n.Message)
	blocks := []any{map[string]any{"type": "section",
		"text": map[string]any{"type": "mrkdwn", "text": clip("*"+t+"*\n"+msg, slackTextMax)}}}
	if link != "" {
		blocks = append(blocks, map[string]any{"type": "actions", "elements": []any{map[string]any{
			"type": "button", "text": map[string]any{"type": "plain_text", "text": clip("Open in Herald", slackButtonMax)},
			"url": link}}})
	}
	return map[string]any{"text": clip(t+": "+msg, slackFallbackTextMax), "blocks": blocks}
}

// discordBody is a channel-webhook message: a short content line and an
// embed with the title (linked to Herald) and the message, within
// Discord's limits; mentions in the text ping nobody.
func discordBody(n herald.Notification, link string) map[string]any {
	embed := map[string]any{"title": clip(title(n), discordTitleMax), "description": clip(n.Message, discordDescMax)}
	if link != "" {
		embed["url"] = link
	}
	if !n.At.IsZero() {
		embed["timestamp"] = n.At.UTC().Format(time.RFC3339)
	}
	return map[string]any{"content": clip(title(n), discordContentMax), "embeds": []any{embed},
		"allowed_mentions": map[string]any{"parse": []string{}}}
}
