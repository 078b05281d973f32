package mastodon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// WatchInbox holds the account's user stream open (GET
// /api/v1/streaming/user, server-sent events, on the streaming base URL
// the instance announces in /api/v2/instance configuration.urls.streaming,
// or its own URL) and calls arrived for each mention ("notification" of
// type mention) and each direct conversation update ("conversation").
// Servers without the streaming API answer 404 or 501: ErrNoStream.
func (c *Connector) WatchInbox(ctx context.Context, acct connector.Account, on connector.InboxSignals) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	base := cr.Instance
	if info, err := c.instance(ctx, cr.Instance, cr.AccessToken); err == nil && info.Streaming != "" {
		base = streamingBase(info.Streaming)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/streaming/user", nil)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	err = connector.WatchEvents(ctx, c.client, req, func(event, data string) error {
		switch event {
		case "conversation":
			on.Arrive()
		case "notification":
			var n struct {
				Type string `json:"type"`
			}
			if json.Unmarshal([]byte(data), &n) == nil && n.Type == "mention" {
				on.Arrive()
			}
		case "delete":
			// The payload is the deleted status's id, as a bare string.
			on.Delete(strings.TrimSpace(data))
		case "status.update":
			var st status
			if json.Unmarshal([]byte(data), &st) == nil {
				at := time.Now().UTC()
				if st.EditedAt != nil {
					if t, err := time.Parse(time.RFC3339Nano, *st.EditedAt); err == nil {
						at = t.UTC()
					}
				}
				on.Edit(string(st.ID), HTMLText(st.Content), at)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mastodon: user stream: %w", err)
	}
	return nil
}

// streamingBase turns the announced streaming URL into an HTTP base URL:
// the server-sent events endpoint lives on the same host as the WebSocket.
func streamingBase(u string) string {
	u = strings.TrimRight(u, "/")
	switch {
	case strings.HasPrefix(u, "wss://"):
		return "https://" + strings.TrimPrefix(u, "wss://")
	case strings.HasPrefix(u, "ws://"):
		return "http://" + strings.TrimPrefix(u, "ws://")
	}
	return u
}
