package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestMediaAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		img := pubPNG(t, 7, 5)

		res := h.upload(w.a, w.editorTok, "../../etc/cat.png", bytes.NewReader(img), "a cat")
		mustStatus(t, res, 201)
		var m herald.MediaAsset
		res.JSON(t, &m)
		if m.ContentType != "image/png" || m.Width != 7 || m.Height != 5 || m.Filename != "cat.png" || m.Size != int64(len(img)) {
			t.Fatalf("asset %+v", m)
		}
		// The same bytes again give the same asset.
		res = h.upload(w.a, w.editorTok, "again.png", bytes.NewReader(img), "")
		mustStatus(t, res, 201)
		var again herald.MediaAsset
		res.JSON(t, &again)
		if again.ID != m.ID {
			t.Fatalf("duplicate upload made asset %d, want %d", again.ID, m.ID)
		}

		cases := []struct {
			name   string
			token  string
			file   string
			data   []byte
			status int
			text   string
		}{
			{"text file", w.editorTok, "notes.png", []byte("just some text, not an image"), 422, "text/plain files are not supported: upload JPEG, PNG, GIF, WebP, MP4 or MOV"},
			{"empty file", w.editorTok, "empty.png", nil, 422, "empty"},
			{"truncated png", w.editorTok, "broken.png", img[:20], 422, "cannot be read"},
			{"over the limit", w.editorTok, "big.png", append(append([]byte{}, img...), make([]byte, 5<<20)...), 413, ""},
			{"analyst cannot upload", w.analystTok, "cat.png", img, 403, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := h.upload(w.a, c.token, c.file, bytes.NewReader(c.data), "")
				mustStatus(t, res, c.status)
				if !strings.Contains(string(res.Body), c.text) {
					t.Fatalf("body %s, want %q", res.Body, c.text)
				}
			})
		}
		// Far over the limit, with a Content-Length: refused before reading.
		big := bytes.Repeat([]byte{0}, 6<<20)
		res = h.do(http.MethodPost, pubPath(w.a, "/media"), w.editorTok, big, "Content-Type", "multipart/form-data; boundary=x")
		mustStatus(t, res, 413)

		path := pubPath(w.a, "/media/%d", m.ID)
		res = h.do(http.MethodGet, path+"/file", w.analystTok, nil)
		mustStatus(t, res, 200)
		if !bytes.Equal(res.Body, img) || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("download: %q, %d bytes", res.Header.Get("Content-Type"), len(res.Body))
		}
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"alt_text": "a sleepy cat"})
		mustStatus(t, res, 200)
		res = h.do(http.MethodGet, pubPath(w.a, "/media?q=SLEEPY"), w.analystTok, nil)
		mustStatus(t, res, 200)
		var page struct {
			Items []herald.MediaAsset `json:"items"`
		}
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != m.ID {
			t.Fatalf("search: %s", res.Body)
		}
		mustStatus(t, h.do(http.MethodPatch, path, w.editorTok, map[string]any{"alt_text": strings.Repeat("x", 1501)}), 422)

		// Tags: normalised, searchable, bounded.
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"tags": []string{"  Summer  Sale ", "cats", "CATS", ""}})
		mustStatus(t, res, 200)
		res.JSON(t, &m)
		if strings.Join(m.Tags, "|") != "cats|summer sale" || m.AltText != "a sleepy cat" {
			t.Fatalf("after tagging: %+v", m)
		}
		res = h.do(http.MethodGet, pubPath(w.a, "/media?q=%s", "summer+sale"), w.analystTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != m.ID || len(page.Items[0].Tags) != 2 {
			t.Fatalf("search by tag: %s", res.Body)
		}
		res = h.do(http.MethodPatch, path, w.editorTok, map[string]any{"tags": []string{strings.Repeat("t", 41)}})
		mustStatus(t, res, 422)
		if !strings.Contains(string(res.Body), "at most 40 are allowed") {
			t.Fatalf("long tag: %s", res.Body)
		}
		mustStatus(t, h.do(http.MethodPatch, path, w.analystTok, map[string]any{"tags": []string{"x"}}), 403)
		res = h.do(http.MethodGet, path+"/usage", w.analystTok, nil)
		mustStatus(t, res, 200)
		if !strings.Contains(string(res.Body), `"items":[]`) {
			t.Fatalf("usage of an unused asset: %s", res.Body)
		}
		mustStatus(t, h.do(http.MethodGet, pubPath(w.b, "/media/%d/usage", m.ID), w.bOwnerTok, nil), 404)

		// In use by a post: refused; once the post lets go, deleted.
		res = h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "with a cat",
			"targets": []map[string]any{{"account_id": w.aAcct.ID, "variant": map[string]any{"media_ids": []int64{m.ID}}}}})
		mustStatus(t, res, 201)
		var p herald.Post
		res.JSON(t, &p)
		res = h.do(http.MethodGet, path+"/usage", w.analystTok, nil)
		mustStatus(t, res, 200)
		var usage struct {
			Items []herald.MediaUse `json:"items"`
		}
		res.JSON(t, &usage)
		if len(usage.Items) != 1 || usage.Items[0].PostID != p.ID || usage.Items[0].TargetID != p.Targets[0].ID {
			t.Fatalf("usage: %s", res.Body)
		}
		res = h.do(http.MethodDelete, path, w.editorTok, nil)
		mustStatus(t, res, 409)
		if !strings.Contains(string(res.Body), "remove it there first") {
			t.Fatalf("body %s", res.Body)
		}
		mustStatus(t, h.do(http.MethodDelete, pubPath(w.a, "/posts/%d", p.ID), w.editorTok, nil), 204)
		mustStatus(t, h.do(http.MethodDelete, path, w.editorTok, nil), 204)
		mustStatus(t, h.do(http.MethodGet, path+"/file", w.editorTok, nil), 404)
	})
}

func TestAccountsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		path := pubPath(w.a, "/accounts/%d", w.aAcct.ID)
		res := h.do(http.MethodGet, pubPath(w.a, "/accounts"), w.analystTok, nil)
		mustStatus(t, res, 200)
		if strings.Contains(string(res.Body), "tok-acme") || strings.Contains(string(res.Body), "credentials") {
			t.Fatalf("listing shows credentials: %s", res.Body)
		}
		cases := []struct {
			name   string
			token  string
			body   any
			status int
		}{
			{"pause", w.managerTok, map[string]any{"paused": true}, 200},
			{"rename", w.managerTok, map[string]any{"display_name": "Acme main"}, 200},
			{"bad avatar", w.managerTok, map[string]any{"avatar_url": "javascript:alert(1)"}, 422},
			{"unknown field", w.managerTok, map[string]any{"status": "connected"}, 422},
			{"editor cannot manage", w.editorTok, map[string]any{"paused": false}, 403},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				mustStatus(t, h.do(http.MethodPatch, path, c.token, c.body), c.status)
			})
		}
		var a herald.Account
		res = h.do(http.MethodGet, path, w.editorTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &a)
		if a.PausedAt == nil || a.DisplayName != "Acme main" {
			t.Fatalf("account %+v", a)
		}
		creds, err := h.svc.Accounts.Credentials(t.Context(), w.a.ID, w.aAcct.ID)
		if err != nil || string(creds) != "tok-acme-1" {
			t.Fatalf("credentials %q, %v", creds, err)
		}

		// A post targets the account; disconnecting keeps the post.
		res = h.do(http.MethodPost, pubPath(w.a, "/posts"), w.editorTok, map[string]any{"text": "hi",
			"targets": []map[string]any{{"account_id": w.aAcct.ID}}})
		mustStatus(t, res, 201)
		var p herald.Post
		res.JSON(t, &p)
		mustStatus(t, h.do(http.MethodDelete, path, w.editorTok, nil), 403)
		mustStatus(t, h.do(http.MethodDelete, path, w.managerTok, nil), 204)
		res = h.do(http.MethodGet, path, w.editorTok, nil)
		res.JSON(t, &a)
		if a.Status != herald.AccountRevoked || a.StatusReason != "disconnected by pub-manager" {
			t.Fatalf("after disconnect %+v", a)
		}
		if _, err := h.svc.Accounts.Credentials(t.Context(), w.a.ID, w.aAcct.ID); herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("credentials after disconnect: %v", err)
		}
		res = h.do(http.MethodGet, pubPath(w.a, "/posts/%d", p.ID), w.editorTok, nil)
		mustStatus(t, res, 200)
		res.JSON(t, &p)
		if len(p.Targets) != 1 {
			t.Fatalf("targets after disconnect %+v", p.Targets)
		}
		// Reconnecting updates the account in place.
		owner := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.a.ID, Role: herald.RoleOwner}
		re := pubConnect(t, h, owner, "acme-1", []byte("tok-acme-1b"))
		if re.ID != w.aAcct.ID || re.Status != herald.AccountConnected {
			t.Fatalf("reconnect %+v", re)
		}
		creds, err = h.svc.Accounts.Credentials(t.Context(), w.a.ID, w.aAcct.ID)
		if err != nil || string(creds) != "tok-acme-1b" {
			t.Fatalf("credentials after reconnect %q, %v", creds, err)
		}
	})
}
