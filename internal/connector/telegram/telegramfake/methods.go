package telegramfake

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// dispatch carries a call out and returns its result.
func (s *Server) dispatch(token, method string, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bot, ok := s.bots[token]
	if !ok {
		return nil, &apiError{Code: 401, Description: "Unauthorized"}
	}
	if method == "getMe" {
		return map[string]any{"id": bot.ID, "is_bot": true, "first_name": bot.FirstName, "username": bot.Username,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	}
	chat, aerr := s.chatOf(p)
	if aerr != nil {
		return nil, aerr
	}
	m, member := chat.members[bot.ID]
	if !member || m.Status == "left" || m.Status == "kicked" {
		if method == "getChat" && chat.Username != "" {
			return chatInfo(chat), nil
		}
		if method == "getChatMember" {
			return memberJSON(bot, Member{Status: "left"}), nil
		}
		return nil, &apiError{Code: 403, Description: "Forbidden: bot is not a member of the " + chatWord(chat) + " chat"}
	}
	switch method {
	case "getChat":
		return chatInfo(chat), nil
	case "getChatMember":
		uid, _ := p.int("user_id")
		if uid != bot.ID {
			return nil, badRequest("user not found")
		}
		return memberJSON(bot, m), nil
	case "sendMessage", "sendPhoto", "sendVideo", "sendAnimation", "sendMediaGroup":
		if !canPost(chat, m) {
			return nil, badRequest("need administrator rights in the channel chat")
		}
		return s.send(bot, chat, method, p)
	case "pinChatMessage":
		if !(m.Status == "creator" || (m.Status == "administrator" && (m.CanPin || m.CanEdit))) {
			return nil, badRequest("not enough rights to manage pinned messages in the chat")
		}
		id, _ := p.int("message_id")
		msg := s.find(chat.ID, id)
		if msg == nil {
			return nil, badRequest("message to pin not found")
		}
		msg.Pinned = true
		return true, nil
	case "deleteMessage":
		id, _ := p.int("message_id")
		return s.delete(chat, bot, []int64{id}, true)
	case "deleteMessages":
		var ids []int64
		if _, err := p.object("message_ids", &ids); err != nil || len(ids) == 0 || len(ids) > 100 {
			return nil, badRequest("message_ids must be 1-100 message identifiers")
		}
		return s.delete(chat, bot, ids, false)
	case "editMessageText", "editMessageCaption":
		return s.edit(chat, bot, method, p)
	}
	return nil, &apiError{Code: 404, Description: "Not Found: method not found"}
}

func chatWord(c *Chat) string {
	if c.Type == "channel" {
		return "channel"
	}
	return "group"
}

func canPost(c *Chat, m Member) bool {
	switch m.Status {
	case "creator":
		return true
	case "administrator":
		return c.Type != "channel" || m.CanPost
	case "member":
		return c.Type != "channel"
	}
	return false
}

// chatOf finds the chat named by chat_id (a number or @username).
func (s *Server) chatOf(p params) (*Chat, *apiError) {
	raw, ok := p.str("chat_id")
	if !ok || raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, isName := strings.CutPrefix(raw, "@"); isName {
		for _, c := range s.chats {
			if c.Username != "" && strings.EqualFold(c.Username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c, ok := s.chats[id]
	if !ok {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

func chatInfo(c *Chat) map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "title": c.Title, "accent_color_id": 0, "max_reaction_count": 11,
		"accepted_gift_types": map[string]any{"unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false,
			"premium_subscription": false, "gifts_from_channels": false}}
	if c.Username != "" {
		m["username"] = c.Username
	}
	return m
}

func chatJSON(c *Chat) map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "title": c.Title}
	if c.Username != "" {
		m["username"] = c.Username
	}
	return m
}

func memberJSON(b *Bot, m Member) map[string]any {
	user := map[string]any{"id": b.ID, "is_bot": true, "first_name": b.FirstName, "username": b.Username}
	switch m.Status {
	case "creator":
		return map[string]any{"status": "creator", "user": user, "is_anonymous": false}
	case "administrator":
		return map[string]any{"status": "administrator", "user": user, "can_be_edited": false, "is_anonymous": false,
			"can_manage_chat": true, "can_delete_messages": true, "can_manage_video_chats": false, "can_restrict_members": false,
			"can_promote_members": false, "can_change_info": false, "can_invite_users": true, "can_post_stories": false,
			"can_edit_stories": false, "can_delete_stories": false, "can_post_messages": m.CanPost,
			"can_edit_messages": m.CanEdit, "can_pin_messages": m.CanPin}
	}
	return map[string]any{"status": m.Status, "user": user}
}

type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// send carries out a send* method.
func (s *Server) send(bot *Bot, chat *Chat, method string, p params) (any, *apiError) {
	var reply struct {
		MessageID int64 `json:"message_id"`
	}
	if there, err := p.object("reply_parameters", &reply); err != nil {
		return nil, badRequest("can't parse reply parameters JSON object")
	} else if there && s.find(chat.ID, reply.MessageID) == nil {
		return nil, badRequest("message to be replied not found")
	}
	silent := p.bool("disable_notification")
	parse := func(field string, limit int) (string, *apiError) {
		raw, _ := p.str(field)
		text := raw
		if mode, _ := p.str("parse_mode"); strings.EqualFold(mode, "HTML") {
			var err error
			if text, err = parseHTML(raw); err != nil {
				return "", badRequest("can't parse entities: %v", err)
			}
		}
		if n := utf16Len(text); n > limit {
			if field == "caption" {
				return "", badRequest("message caption is too long")
			}
			return "", badRequest("message is too long")
		}
		return text, nil
	}
	var made []*Message
	switch method {
	case "sendMessage":
		text, e := parse("text", 4096)
		if e != nil {
			return nil, e
		}
		if strings.TrimSpace(text) == "" {
			return nil, badRequest("message text is empty")
		}
		made = append(made, &Message{Kind: "text", Text: text})
	case "sendPhoto", "sendVideo", "sendAnimation":
		field := strings.ToLower(strings.TrimPrefix(method, "send"))
		data, ok := p.files[field]
		if !ok {
			return nil, badRequest("there is no %s in the request", field)
		}
		if field == "photo" && len(data) > 10<<20 {
			return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		text, e := parse("caption", 1024)
		if e != nil {
			return nil, e
		}
		made = append(made, &Message{Kind: field, Text: text, Files: [][]byte{data}})
	case "sendMediaGroup":
		var items []inputMedia
		if _, err := p.object("media", &items); err != nil {
			return nil, badRequest("can't parse media JSON object")
		}
		if len(items) < 2 || len(items) > 10 {
			return nil, badRequest("wrong number of media in the album: it must have 2-10 items")
		}
		s.seq++
		group := strconv.FormatInt(s.seq, 10)
		for i, it := range items {
			if it.Type != "photo" && it.Type != "video" {
				return nil, badRequest("media[%d]: an album takes photo and video only here, not %q", i, it.Type)
			}
			name, ok := strings.CutPrefix(it.Media, "attach://")
			data, there := p.files[name]
			if !ok || !there {
				return nil, badRequest("wrong file identifier/HTTP URL specified")
			}
			text := it.Caption
			if strings.EqualFold(it.ParseMode, "HTML") {
				var err error
				if text, err = parseHTML(it.Caption); err != nil {
					return nil, badRequest("can't parse entities: %v", err)
				}
			}
			if utf16Len(text) > 1024 {
				return nil, badRequest("message caption is too long")
			}
			made = append(made, &Message{Kind: it.Type, Text: text, Files: [][]byte{data}, MediaGroupID: group})
		}
	}
	out := make([]map[string]any, 0, len(made))
	for _, m := range made {
		m.ChatID, m.FromBot, m.ReplyTo, m.Silent = chat.ID, bot.ID, reply.MessageID, silent
		s.add(m)
		out = append(out, s.messageJSON(chat, bot, m))
	}
	if method == "sendMediaGroup" {
		return out, nil
	}
	return out[0], nil
}

func (s *Server) messageJSON(chat *Chat, bot *Bot, m *Message) map[string]any {
	j := map[string]any{"message_id": m.ID, "date": m.Date.Unix(), "chat": chatJSON(chat)}
	if chat.Type == "channel" {
		j["sender_chat"] = chatJSON(chat)
	} else {
		j["from"] = map[string]any{"id": bot.ID, "is_bot": true, "first_name": bot.FirstName, "username": bot.Username}
	}
	if m.MediaGroupID != "" {
		j["media_group_id"] = m.MediaGroupID
	}
	file := map[string]any{"file_id": fmt.Sprintf("F%d_%d", m.ChatID, m.ID), "file_unique_id": fmt.Sprintf("U%d", m.ID),
		"width": 64, "height": 64}
	switch m.Kind {
	case "text":
		j["text"] = m.Text
	case "photo":
		j["photo"] = []any{file}
	case "video", "animation":
		file["duration"] = 1
		j[m.Kind] = file
	}
	if m.Kind != "text" && m.Text != "" {
		j["caption"] = m.Text
	}
	if m.ReplyTo != 0 {
		if r := s.find(m.ChatID, m.ReplyTo); r != nil {
			j["reply_to_message"] = map[string]any{"message_id": r.ID, "date": r.Date.Unix(), "chat": chatJSON(chat)}
		}
	}
	return j
}

// delete removes messages; one alone that is missing is an error
// (deleteMessage), missing ones in a list are skipped (deleteMessages).
func (s *Server) delete(chat *Chat, bot *Bot, ids []int64, strict bool) (any, *apiError) {
	for _, id := range ids {
		m := s.find(chat.ID, id)
		if m == nil {
			if strict {
				return nil, badRequest("message to delete not found")
			}
			continue
		}
		if s.now().Sub(m.Date) >= 48*time.Hour {
			return nil, badRequest("message can't be deleted")
		}
		if m.FromBot != bot.ID && chat.members[bot.ID].Status != "administrator" && chat.members[bot.ID].Status != "creator" {
			return nil, badRequest("message can't be deleted")
		}
	}
	for _, id := range ids {
		if m := s.find(chat.ID, id); m != nil {
			m.Deleted = true
		}
	}
	return true, nil
}

func (s *Server) edit(chat *Chat, bot *Bot, method string, p params) (any, *apiError) {
	id, _ := p.int("message_id")
	m := s.find(chat.ID, id)
	if m == nil || m.FromBot != bot.ID {
		return nil, badRequest("message to edit not found")
	}
	field, limit := "text", 4096
	if method == "editMessageCaption" {
		field, limit = "caption", 1024
		if m.Kind == "text" {
			return nil, badRequest("there is no caption in the message to edit")
		}
	} else if m.Kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	raw, _ := p.str(field)
	text := raw
	if mode, _ := p.str("parse_mode"); strings.EqualFold(mode, "HTML") {
		var err error
		if text, err = parseHTML(raw); err != nil {
			return nil, badRequest("can't parse entities: %v", err)
		}
	}
	if utf16Len(text) > limit {
		return nil, badRequest("message is too long")
	}
	if text == m.Text {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text = text
	return s.messageJSON(chat, bot, m), nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// htmlTags are the tags Telegram's HTML style knows.
var htmlTags = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
	"strike": true, "del": true, "span": true, "tg-spoiler": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-emoji": true, "tg-time": true}

// parseHTML returns the text Telegram shows for an HTML-formatted message:
// tags removed, entities replaced. A < that opens no known tag, or an &
// that starts no entity, is refused, as Telegram does.
func parseHTML(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := strings.TrimPrefix(s[i+1:i+end], "/")
			name := strings.ToLower(strings.Fields(tag + " ")[0])
			if !htmlTags[name] {
				return "", fmt.Errorf("unsupported start tag %q at byte offset %d", name, i)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(s[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("character entity expected at byte offset %d", i)
			}
			ent := s[i : i+end+1]
			switch {
			case ent == "&lt;", ent == "&gt;", ent == "&amp;", ent == "&quot;", strings.HasPrefix(ent, "&#"):
				u := html.UnescapeString(ent)
				if u == ent {
					return "", fmt.Errorf("bad entity %q at byte offset %d", ent, i)
				}
				b.WriteString(u)
			default:
				return "", fmt.Errorf("unsupported entity %q at byte offset %d", ent, i)
			}
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}
