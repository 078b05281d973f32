package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/heraldsocial/herald/internal/connector"
)

// WatchInbox holds the test platform's user stream open (as Mastodon's
// streaming API: GET /api/v1/streaming/user) and calls on.Arrive for every
// mention it pushes.
func (c *Connector) WatchInbox(ctx context.Context, acct connector.Account, on connector.InboxSignals) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cr.BaseURL+"/api/v1/streaming/user", nil)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	if cr.AccessToken != "" {
		req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	}
	err = connector.WatchEvents(ctx, c.client, req, func(event, data string) error {
		if event != "notification" {
			return nil
		}
		var n struct {
			Type string `json:"type"`
		}
		if json.Unmarshal([]byte(data), &n) == nil && n.Type == "mention" {
			on.Arrive()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fake: user stream: %w", err)
	}
	return nil
}
