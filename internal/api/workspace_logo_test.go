package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func logoPNG(t *testing.T, w int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, w, 10))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWorkspaceLogoAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		path := wsPath("/workspaces/%d/logo", w.a.ID)
		first, second := logoPNG(t, 40), logoPNG(t, 60)
		asPNG := []string{"Content-Type", "image/png"}
		errCode := func(t *testing.T, r response) string {
			t.Helper()
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Message == "" {
				t.Fatalf("error body %s", r.Body)
			}
			return e.Error.Code
		}

		r := h.do("GET", path, w.analystTok, nil)
		mustStatus(t, r, http.StatusNotFound)

		r = h.do("PUT", path, w.adminTok, first, asPNG...)
		mustStatus(t, r, http.StatusOK)
		var info herald.LogoInfo
		r.JSON(t, &info)
		if info.ContentType != "image/png" || info.Size != len(first) || len(info.SHA256) != 64 {
			t.Fatalf("put answered %s", r.Body)
		}

		r = h.do("GET", path, w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, first) || r.Header.Get("Content-Type") != "image/png" ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("ETag") != `"`+info.SHA256+`"` {
			t.Fatalf("get answered %v, %d bytes", r.Header, len(r.Body))
		}

		// Refusals leave the logo as it was.
		for _, c := range []struct {
			name   string
			token  string
			body   []byte
			status int
			code   string
		}{
			{"editor", w.editorTok, second, http.StatusForbidden, "forbidden"},
			{"another workspace's token", w.bOwnerTok, second, http.StatusNotFound, "not_found"},
			{"gif", w.ownerTok, []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), http.StatusUnprocessableEntity, "invalid"},
			{"undecodable", w.ownerTok, first[:len(first)/2], http.StatusUnprocessableEntity, "invalid"},
			{"too big", w.ownerTok, append(logoPNG(t, 8), make([]byte, herald.MaxLogoBytes)...), http.StatusRequestEntityTooLarge, "too_large"},
			{"one byte over", w.ownerTok, append(logoPNG(t, 8), make([]byte, herald.MaxLogoBytes+1-len(logoPNG(t, 8)))...), http.StatusRequestEntityTooLarge, "too_large"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := h.do("PUT", path, c.token, c.body, asPNG...)
				mustStatus(t, r, c.status)
				if got := errCode(t, r); got != c.code {
					t.Fatalf("code %q, want %q: %s", got, c.code, r.Body)
				}
				if c.code == "too_large" && !strings.Contains(string(r.Body), "at most") {
					t.Fatalf("the refusal does not say the limit: %s", r.Body)
				}
				g := h.do("GET", path, w.ownerTok, nil)
				if !bytes.Equal(g.Body, first) {
					t.Fatalf("the logo changed after a refused upload")
				}
			})
		}

		// Replacing; DELETE by someone without the right is refused.
		// The type is read from the bytes, whatever the request says.
		mustStatus(t, h.do("PUT", path, w.ownerTok, second, "Content-Type", "application/octet-stream"), http.StatusOK)
		if r := h.do("GET", path, w.ownerTok, nil); !bytes.Equal(r.Body, second) {
			t.Fatal("the logo was not replaced")
		}
		mustStatus(t, h.do("DELETE", path, w.analystTok, nil), http.StatusForbidden)
		mustStatus(t, h.do("DELETE", path, w.ownerTok, nil), http.StatusNoContent)
		mustStatus(t, h.do("GET", path, w.ownerTok, nil), http.StatusNotFound)
		mustStatus(t, h.do("DELETE", path, w.ownerTok, nil), http.StatusNoContent)
	})
}

func TestWorkspaceLogoOpenAPI(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	r := h.do("GET", "/api/openapi.json", "", nil)
	mustStatus(t, r, http.StatusOK)
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			RequestBody *struct {
				Content map[string]any `json:"content"`
			} `json:"requestBody"`
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	ops := doc.Paths["/api/v1/workspaces/{workspace}/logo"]
	put, get := ops["put"], ops["get"]
	if put.OperationID != "put-workspace-logo" || put.RequestBody == nil || put.RequestBody.Content["image/png"] == nil ||
		put.RequestBody.Content["image/jpeg"] == nil || put.Responses["200"].Content["application/json"] == nil {
		t.Fatalf("put %+v", put)
	}
	if get.OperationID != "get-workspace-logo" || get.Responses["200"].Content["image/png"] == nil || ops["delete"].OperationID == "" {
		t.Fatalf("get %+v, delete %+v", get, ops["delete"])
	}
}
