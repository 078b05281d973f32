package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// route finds the webhook and the operation and carries it out.
func (s *Server) route(r *http.Request, body []byte) answer {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v10/webhooks/")
	if !ok {
		return apiErr(http.StatusNotFound, 0, "404: Not Found", nil)
	}
	parts := strings.Split(rest, "/")
	op := ""
	switch {
	case len(parts) == 2 && r.Method == http.MethodGet:
		op = "get"
	case len(parts) == 2 && r.Method == http.MethodPost:
		op = "execute"
	case len(parts) == 4 && parts[2] == "messages" && r.Method == http.MethodPatch:
		op = "edit"
	case len(parts) == 4 && parts[2] == "messages" && r.Method == http.MethodDelete:
		op = "delete"
	default:
		return apiErr(http.StatusMethodNotAllowed, 0, "405: Method Not Allowed", nil)
	}
	f, faulted := s.takeFault(op)
	if faulted && !f.Drop {
		return answer{status: f.Status, header: f.Header.Clone(), body: []byte(f.Body), raw: f.Raw}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, ok := s.webhooks[parts[0]]
	if !ok {
		return apiErr(http.StatusNotFound, 10015, "Unknown Webhook", nil)
	}
	if wh.Token != parts[1] {
		return apiErr(http.StatusUnauthorized, 50027, "Invalid Webhook Token", nil)
	}
	var a answer
	switch op {
	case "get":
		a = jsonAnswer(http.StatusOK, map[string]any{"application_id": nil, "avatar": nil, "channel_id": wh.ChannelID,
			"guild_id": wh.GuildID, "id": wh.ID, "name": wh.Name, "type": 1, "token": wh.Token,
			"url": "https://discord.com/api/webhooks/" + wh.ID + "/" + wh.Token})
	case "execute":
		a = s.execute(wh, r, body)
	case "edit", "delete":
		a = s.changeMessage(wh, r, op, parts[3], body)
	}
	a.drop = faulted && f.Drop
	return a
}

type payload struct {
	Content     *string          `json:"content"`
	Embeds      []map[string]any `json:"embeds"`
	Username    string           `json:"username"`
	ThreadName  string           `json:"thread_name"`
	Flags       int              `json:"flags"`
	Attachments []struct {
		ID          json.Number `json:"id"`
		Filename    string      `json:"filename"`
		Description string      `json:"description"`
	} `json:"attachments"`
}

// readPayload reads a JSON body or a multipart form (payload_json and
// files[n]).
func readPayload(r *http.Request, body []byte) (payload, map[string]File, error) {
	var p payload
	files := map[string]File{}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if err := json.Unmarshal(body, &p); err != nil {
			return p, nil, err
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return p, nil, err
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return p, nil, err
			}
			switch name := part.FormName(); {
			case name == "payload_json":
				if err := json.Unmarshal(data, &p); err != nil {
					return p, nil, err
				}
			case strings.HasPrefix(name, "files["):
				files[strings.TrimSuffix(strings.TrimPrefix(name, "files["), "]")] = File{Name: part.FileName(), Data: data}
			default:
				return p, nil, fmt.Errorf("unknown form field %q", name)
			}
		}
	default:
		return p, nil, fmt.Errorf("unsupported content type %q", mt)
	}
	return p, files, nil
}

func (s *Server) execute(wh *Webhook, r *http.Request, body []byte) answer {
	p, files, err := readPayload(r, body)
	if err != nil {
		return apiErr(http.StatusBadRequest, 50109, "The request body contains invalid JSON.", nil)
	}
	content := ""
	if p.Content != nil {
		content = *p.Content
	}
	if utf8.RuneCountInString(content) > 2000 {
		return apiErr(http.StatusBadRequest, 50035, "Invalid Form Body", map[string]string{"content": "Must be 2000 or fewer in length."})
	}
	if len(files) > 10 || len(p.Embeds) > 10 {
		return apiErr(http.StatusBadRequest, 50035, "Invalid Form Body", map[string]string{"files": "Must be 10 or fewer in length."})
	}
	if strings.TrimSpace(content) == "" && len(files) == 0 && len(p.Embeds) == 0 {
		return apiErr(http.StatusBadRequest, 50006, "Cannot send an empty message", nil)
	}
	for _, f := range files {
		if len(f.Data) > 10<<20 {
			return apiErr(http.StatusRequestEntityTooLarge, 40005, "Request entity too large", nil)
		}
	}
	var list []File
	for i, a := range p.Attachments {
		f, ok := files[a.ID.String()]
		if !ok {
			return apiErr(http.StatusBadRequest, 50035, "Invalid Form Body", map[string]string{fmt.Sprintf("attachments.%d", i): "Unknown attachment."})
		}
		f.Description = a.Description
		list = append(list, f)
	}
	if len(p.Attachments) == 0 {
		for _, f := range files {
			list = append(list, f)
		}
	}
	channel := wh.ChannelID
	thread := r.URL.Query().Get("thread_id")
	switch {
	case thread != "":
		if s.threads[thread] != wh.ChannelID {
			return apiErr(http.StatusBadRequest, 10003, "Unknown Channel", nil)
		}
		channel = thread
	case p.ThreadName != "" && !s.forums[wh.ChannelID]:
		return apiErr(http.StatusBadRequest, 220003, "Webhooks can only create threads in forum channels", nil)
	case p.ThreadName == "" && s.forums[wh.ChannelID]:
		return apiErr(http.StatusBadRequest, 220001, "Webhooks posted to forum channels must have a thread_name or thread_id", nil)
	}
	m := &Message{ID: s.id(), ChannelID: channel, WebhookID: wh.ID, Content: content, Username: p.Username,
		Flags: p.Flags, Files: list, CreatedAt: s.now()}
	if p.ThreadName != "" {
		// A forum post's thread has its starter message's id.
		s.threads[m.ID] = wh.ChannelID
		m.ChannelID = m.ID
	}
	s.messages = append(s.messages, m)
	if r.URL.Query().Get("wait") != "true" {
		return answer{status: http.StatusNoContent}
	}
	return jsonAnswer(http.StatusOK, s.messageJSON(wh, m))
}

func (s *Server) changeMessage(wh *Webhook, r *http.Request, op, id string, body []byte) answer {
	var m *Message
	for _, x := range s.messages {
		if x.ID == id && !x.Deleted && x.WebhookID == wh.ID {
			m = x
		}
	}
	if m == nil {
		return apiErr(http.StatusNotFound, 10008, "Unknown Message", nil)
	}
	thread := r.URL.Query().Get("thread_id")
	if m.ChannelID != wh.ChannelID && thread != m.ChannelID {
		// A message in a thread is found only with its thread_id.
		return apiErr(http.StatusNotFound, 10008, "Unknown Message", nil)
	}
	if op == "delete" {
		m.Deleted = true
		return answer{status: http.StatusNoContent}
	}
	p, _, err := readPayload(r, body)
	if err != nil {
		return apiErr(http.StatusBadRequest, 50109, "The request body contains invalid JSON.", nil)
	}
	if p.Content != nil {
		if utf8.RuneCountInString(*p.Content) > 2000 {
			return apiErr(http.StatusBadRequest, 50035, "Invalid Form Body", map[string]string{"content": "Must be 2000 or fewer in length."})
		}
		m.Content, m.Edited = *p.Content, true
	}
	return jsonAnswer(http.StatusOK, s.messageJSON(wh, m))
}

func (s *Server) messageJSON(wh *Webhook, m *Message) map[string]any {
	name := wh.Name
	if m.Username != "" {
		name = m.Username
	}
	atts := []any{}
	for i, f := range m.Files {
		a := map[string]any{"id": fmt.Sprintf("%s%d", m.ID[:len(m.ID)-1], i), "filename": f.Name, "size": len(f.Data),
			"url":       "https://cdn.discordapp.com/attachments/" + m.ChannelID + "/" + m.ID + "/" + f.Name,
			"proxy_url": "https://media.discordapp.net/attachments/" + m.ChannelID + "/" + m.ID + "/" + f.Name}
		if f.Description != "" {
			a["description"] = f.Description
		}
		atts = append(atts, a)
	}
	var edited any
	if m.Edited {
		edited = s.now().UTC().Format(time.RFC3339Nano)
	}
	return map[string]any{"type": 0, "content": m.Content, "mentions": []any{}, "mention_roles": []any{},
		"attachments": atts, "embeds": []any{}, "timestamp": m.CreatedAt.UTC().Format(time.RFC3339Nano),
		"edited_timestamp": edited, "flags": m.Flags, "components": []any{}, "id": m.ID, "channel_id": m.ChannelID,
		"author": map[string]any{"id": wh.ID, "username": name, "avatar": nil, "discriminator": "0000", "public_flags": 0,
			"flags": 0, "bot": true, "global_name": nil, "primary_guild": nil},
		"pinned": false, "mention_everyone": false, "tts": false, "webhook_id": wh.ID}
}
