package discord

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

var snowflake = regexp.MustCompile(`^[0-9]{15,25}$`)

// ParseWebhookURL reads a webhook's id and token from the URL Discord
// shows ("Copy Webhook URL"): https://discord.com/api/webhooks/<id>/<token>,
// also from discordapp.com, ptb. and canary., and with /api/v<N>/.
func ParseWebhookURL(s string) (id, token string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != "https" {
		return "", "", false
	}
	host := strings.ToLower(u.Hostname())
	switch host {
	case "discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com", "ptb.discordapp.com", "canary.discordapp.com":
	default:
		return "", "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) >= 2 && parts[0] == "api" && strings.HasPrefix(parts[1], "v") {
		parts = append(parts[:1], parts[2:]...)
	}
	if len(parts) != 4 || parts[0] != "api" || parts[1] != "webhooks" || !snowflake.MatchString(parts[2]) || parts[3] == "" {
		return "", "", false
	}
	return parts[2], parts[3], true
}

// webhook is GET /webhooks/{id}/{token}.
type webhook struct {
	ID        string  `json:"id"`
	Type      int     `json:"type"`
	Name      *string `json:"name"`
	ChannelID *string `json:"channel_id"`
	GuildID   *string `json:"guild_id"`
	Avatar    *string `json:"avatar"`
}

// ConnectWithPassword connects a channel through its incoming webhook.
// Herald's password form needs both fields, and a webhook URL is a
// secret (whoever has it can post), so: password is the webhook URL, and
// identifier is the name posts appear under (execute's username; the
// webhook's own name when the person types that, or pastes the URL in
// both fields). The webhook is checked with GET /webhooks/{id}/{token}.
func (c *Connector) ConnectWithPassword(ctx context.Context, identifier, password string) (connector.Connected, error) {
	id, token, ok := ParseWebhookURL(password)
	name := strings.TrimSpace(identifier)
	if !ok {
		if _, _, idIsURL := ParseWebhookURL(identifier); idIsURL {
			return connector.Connected{}, fieldErr("password", "paste the webhook URL in the webhook URL field (it is a secret: whoever has it can post), and the name to post under in the other", nil)
		}
		return connector.Connected{}, fieldErr("password", "is not a Discord webhook URL: in Discord open the channel's settings → Integrations → Webhooks, and use Copy Webhook URL (https://discord.com/api/webhooks/…)", nil)
	}
	if iid, _, same := ParseWebhookURL(name); same {
		if iid != id {
			return connector.Connected{}, fieldErr("identifier", "is another webhook's URL; type the name posts should appear under", nil)
		}
		name = ""
	}
	if msg := usernameProblem(name); msg != "" {
		return connector.Connected{}, fieldErr("identifier", msg, nil)
	}
	cr := Credentials{WebhookID: id, Token: token}
	var w webhook
	if err := c.do(ctx, cr, request{method: http.MethodGet, out: &w}); err != nil {
		var e *connector.Error
		if errors.As(err, &e) && (e.Class == connector.AuthRevoked || e.Status == http.StatusNotFound) {
			return connector.Connected{}, fieldErr("password", "Discord does not know this webhook: it was deleted or its URL was reset; copy the URL again", err)
		}
		return connector.Connected{}, err
	}
	if w.Type != 1 {
		return connector.Connected{}, fieldErr("password", "is not an incoming webhook (it follows another channel or belongs to an app); make a new webhook in the channel's Integrations", nil)
	}
	cr.Name, cr.Username = deref(w.Name), name
	cr.ChannelID, cr.GuildID = deref(w.ChannelID), deref(w.GuildID)
	if cr.Name == name {
		cr.Username = ""
	}
	handle := cr.Name
	if name != "" {
		handle = name
	}
	acct := herald.Account{Platform: herald.PlatformDiscord, RemoteID: id, Handle: handle,
		DisplayName: cr.Name + " (#" + cr.ChannelID + ")"}
	if w.Avatar != nil && *w.Avatar != "" {
		acct.AvatarURL = "https://cdn.discordapp.com/avatars/" + id + "/" + *w.Avatar + ".png"
	}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// usernameProblem checks a name to post under as Discord does for
// webhooks: 1–80 characters, not containing "clyde" or "discord", not
// "everyone" or "here". "" is the webhook's own name.
func usernameProblem(name string) string {
	if name == "" {
		return ""
	}
	lower := strings.ToLower(name)
	switch {
	case utf8.RuneCountInString(name) > 80:
		return "is longer than the 80 characters Discord allows for a webhook's name"
	case strings.Contains(lower, "clyde"), strings.Contains(lower, "discord"):
		return "may not contain \"clyde\" or \"discord\" (Discord refuses such webhook names)"
	case lower == "everyone", lower == "here":
		return "may not be \"everyone\" or \"here\""
	}
	return ""
}

func fieldErr(field, msg string, err error) error {
	return &herald.Error{Code: herald.CodeInvalid, Message: "Discord: " + msg,
		Details: []herald.FieldProblem{{Field: field, Problem: msg}}, Err: err}
}
