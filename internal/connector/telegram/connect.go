package telegram

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// tokenPattern is the shape of a token from @BotFather: the bot's id, a
// colon and 35 characters.
var tokenPattern = regexp.MustCompile(`^[0-9]{5,}:[A-Za-z0-9_-]{30,}$`)

// usernamePattern is a public chat's username: 4 to 32 letters, digits
// and underscores, starting with a letter (Telegram's own rules allow 4
// for some older names; 5 for new ones).
var usernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username"`
}

type tgChat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username"`
	// LinkedChatID is a channel's discussion group (or a group's channel).
	LinkedChatID int64 `json:"linked_chat_id"`
}

type tgMember struct {
	Status          string `json:"status"`
	CanPostMessages *bool  `json:"can_post_messages"`
	CanEditMessages *bool  `json:"can_edit_messages"`
	CanDeleteMsgs   *bool  `json:"can_delete_messages"`
	CanPinMessages  *bool  `json:"can_pin_messages"`
}

// parseChat turns what the person typed into a chat_id: "@name", "name",
// "t.me/name", "https://t.me/name" or a numeric id such as -1001234567890.
func parseChat(s string) (any, bool) {
	s = strings.TrimSpace(s)
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, p := range []string{"t.me/", "telegram.me/"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimSuffix(s, "/")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n != 0 {
		return n, true
	}
	s = strings.TrimPrefix(s, "@")
	if usernamePattern.MatchString(s) {
		return "@" + s, true
	}
	return nil, false
}

// ConnectWithPassword connects a channel or group: identifier is the chat
// (@username, a t.me link or the numeric id), password the bot's token
// from @BotFather. It checks the token (getMe), that the bot sees the
// chat (getChat) and that it is an administrator allowed to post there
// (getChatMember), and says what to fix when one fails.
func (c *Connector) ConnectWithPassword(ctx context.Context, identifier, password string) (connector.Connected, error) {
	token := strings.TrimSpace(password)
	chat, ok := parseChat(identifier)
	var p herald.Problems
	if !ok {
		p.Add("identifier", "is not a Telegram channel or group: type its @username, its t.me link, or its numeric id (such as -1001234567890)")
	}
	if !tokenPattern.MatchString(token) {
		p.Add("password", "is not a bot token: paste the token @BotFather gave your bot, such as 123456789:AAH…")
	}
	if err := p.Err("the Telegram connection details are not right"); err != nil {
		return connector.Connected{}, err
	}
	var bot tgUser
	if err := c.do(ctx, token, call{method: "getMe", out: &bot}); err != nil {
		if isAuth(err) {
			return connector.Connected{}, fieldErr("password", "Telegram does not accept this bot token: copy it again from @BotFather (/mybots → your bot → API Token)", err)
		}
		return connector.Connected{}, err
	}
	var ch tgChat
	if err := c.do(ctx, token, call{method: "getChat", params: map[string]any{"chat_id": chat}, out: &ch}); err != nil {
		if isRefusal(err) {
			return connector.Connected{}, fieldErr("identifier", "the bot @"+bot.Username+" cannot see this chat: check the name, and add the bot to the channel or group as an administrator", err)
		}
		return connector.Connected{}, err
	}
	if ch.Type == "private" {
		return connector.Connected{}, fieldErr("identifier", "this is a private chat with a person; Herald posts to channels and groups", nil)
	}
	var m tgMember
	if err := c.do(ctx, token, call{method: "getChatMember", params: map[string]any{"chat_id": ch.ID, "user_id": bot.ID}, out: &m}); err != nil {
		if isRefusal(err) {
			return connector.Connected{}, fieldErr("identifier", "the bot @"+bot.Username+" is not a member of this chat: add it as an administrator", err)
		}
		return connector.Connected{}, err
	}
	if msg := rightsProblem(ch, m); msg != "" {
		return connector.Connected{}, fieldErr("identifier", strings.ReplaceAll(msg, "{bot}", "@"+bot.Username), nil)
	}
	cr := Credentials{Token: token, ChatID: ch.ID, ChatUsername: ch.Username, ChatType: ch.Type, BotID: bot.ID, BotUsername: bot.Username}
	handle := ch.Title
	if ch.Username != "" {
		handle = "@" + ch.Username
	}
	name := ch.Title
	if name == "" {
		name = handle
	}
	return connector.Connected{
		Account: herald.Account{Platform: herald.PlatformTelegram, RemoteID: strconv.FormatInt(ch.ID, 10),
			Handle: handle, DisplayName: name},
		Credentials: MarshalCredentials(cr),
	}, nil
}

// rightsProblem says what the bot lacks in chat, "" when it may post.
func rightsProblem(ch tgChat, m tgMember) string {
	switch m.Status {
	case "creator":
		return ""
	case "administrator":
		if ch.Type == "channel" && (m.CanPostMessages == nil || !*m.CanPostMessages) {
			return "{bot} is an administrator of the channel but may not post: in the channel's administrators, allow it to post messages"
		}
		return ""
	case "member", "restricted":
		if ch.Type == "channel" {
			return "{bot} is not an administrator of the channel: make it one, allowed to post messages"
		}
		return "{bot} is a member of the group but not an administrator: make it an administrator so it can post, pin and delete"
	default:
		return "{bot} is not in this chat (" + m.Status + "): add it as an administrator allowed to post"
	}
}

func isAuth(err error) bool {
	var e *connector.Error
	return errors.As(err, &e) && e.Status != 0 && (e.Class == connector.AuthRevoked || e.Status == 404)
}

func isRefusal(err error) bool {
	var e *connector.Error
	return errors.As(err, &e) && (e.Class == connector.AuthRevoked || e.Class == connector.Invalid) && e.Status != 0
}

// fieldErr is a connection problem in words, on one field of the form.
func fieldErr(field, msg string, err error) error {
	return &herald.Error{Code: herald.CodeInvalid, Message: "Telegram: " + msg,
		Details: []herald.FieldProblem{{Field: field, Problem: msg}}, Err: err}
}
