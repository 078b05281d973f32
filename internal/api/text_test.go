package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestControlCharactersInBodies checks that NUL and other control
// characters sent as JSON escapes are refused with 422 naming the field,
// on both stores (PostgreSQL answered 500 for a NUL before).
func TestControlCharactersInBodies(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newPubWorld(t, h)
		cases := []struct {
			name, method, path, body, field string
		}{
			{"post text", http.MethodPost, pubPath(w.a, "/posts"),
				`{"text":"hello\u0000world","targets":[{"account_id":` + itoa(w.aAcct.ID) + `}]}`, "text"},
			{"post title", http.MethodPost, pubPath(w.a, "/posts"),
				`{"title":"Q3\u001b","text":"hello","targets":[{"account_id":` + itoa(w.aAcct.ID) + `}]}`, "title"},
			{"variant", http.MethodPost, pubPath(w.a, "/posts"),
				`{"text":"hello","targets":[{"account_id":` + itoa(w.aAcct.ID) + `,"variant":{"text":"a\u0007"}}]}`,
				"targets[0].variant.text"},
			{"label name", http.MethodPost, pubPath(w.a, "/labels"), `{"name":"la\u0000bel"}`, "name"},
			{"campaign goal", http.MethodPost, pubPath(w.a, "/campaigns"), `{"name":"Spring","goal":"g\u0000"}`, "goal"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := h.do(c.method, c.path, w.ownerTok, c.body, "Content-Type", "application/json")
				mustStatus(t, res, http.StatusUnprocessableEntity)
				if !strings.Contains(string(res.Body), `"field":"`+c.field+`"`) || !strings.Contains(string(res.Body), "control character") {
					t.Fatalf("body %s does not name %s", res.Body, c.field)
				}
			})
		}
		t.Run("line breaks and tabs are kept", func(t *testing.T) {
			res := h.do(http.MethodPost, pubPath(w.a, "/posts"), w.ownerTok,
				`{"text":"one\r\n\ttwo","targets":[{"account_id":`+itoa(w.aAcct.ID)+`}]}`, "Content-Type", "application/json")
			mustStatus(t, res, http.StatusCreated)
		})
	})
}
