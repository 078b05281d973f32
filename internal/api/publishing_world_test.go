package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// pubWorld is two workspaces with people in the publishing roles and an
// account, a post and a media asset in each, for the post, account and
// media tests.
type pubWorld struct {
	h    *harness
	a, b herald.Workspace

	owner, manager, editor, contributor, analyst            herald.User
	ownerTok, managerTok, editorTok, contribTok, analystTok string
	bOwner                                                  herald.User
	bOwnerTok                                               string

	aAcct, aAcct2, bAcct herald.Account
	bPost                herald.Post
	bMedia               herald.MediaAsset
}

func newPubWorld(t *testing.T, h *harness) *pubWorld {
	t.Helper()
	ctx := context.Background()
	w := &pubWorld{h: h}
	w.owner = h.newUser("pub-owner@example.com")
	w.a = h.newWorkspace(w.owner, "Acme")
	w.ownerTok = h.tokenFor(w.owner, w.a, herald.RoleOwner)
	w.manager, w.managerTok = h.member(w.a, "pub-manager@example.com", herald.RoleManager)
	w.editor, w.editorTok = h.member(w.a, "pub-editor@example.com", herald.RoleEditor)
	w.contributor, w.contribTok = h.member(w.a, "pub-contrib@example.com", herald.RoleContributor)
	w.analyst, w.analystTok = h.member(w.a, "pub-analyst@example.com", herald.RoleAnalyst)

	w.bOwner = h.newUser("pub-beta@example.com")
	w.b = h.newWorkspace(w.bOwner, "Beta")
	w.bOwnerTok = h.tokenFor(w.bOwner, w.b, herald.RoleOwner)

	actorA := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.a.ID, Role: herald.RoleOwner}
	actorB := herald.Actor{UserID: w.bOwner.ID, WorkspaceID: w.b.ID, Role: herald.RoleOwner}
	w.aAcct = pubConnect(t, h, actorA, "acme-1", []byte("tok-acme-1"))
	w.aAcct2 = pubConnect(t, h, actorA, "acme-2", []byte("tok-acme-2"))
	w.bAcct = pubConnect(t, h, actorB, "beta-1", []byte("tok-beta-1"))

	var err error
	w.bMedia, err = h.svc.Media.Upload(ctx, actorB, "beta.png", bytes.NewReader(pubPNG(t, 3, 2)), "a beta image")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	w.bPost, err = h.svc.Posts.Create(ctx, actorB, herald.Post{Text: "beta secret plans", Targets: []herald.Target{
		{AccountID: w.bAcct.ID, ScheduledAt: &at, Variant: herald.Variant{MediaIDs: []int64{w.bMedia.ID}}}}}, "draft")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// pubConnect connects a fake-platform account with credentials.
func pubConnect(t *testing.T, h *harness, actor herald.Actor, remote string, creds []byte) herald.Account {
	t.Helper()
	a, err := h.svc.Accounts.Connect(context.Background(), actor, herald.Account{Platform: herald.PlatformFake,
		RemoteID: remote, Handle: "@" + remote, DisplayName: remote}, creds)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// pubPNG encodes a w×h PNG.
func pubPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: uint8(x * 40), A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload sends a multipart upload of data as field file.
func (h *harness) upload(ws herald.Workspace, token, filename string, data io.Reader, altText string) response {
	h.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = io.Copy(fw, data)
		}
		if err == nil && altText != "" {
			err = mw.WriteField("alt_text", altText)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+fmt.Sprintf("/api/v1/workspaces/%d/media", ws.ID), pr)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// pubPath builds an API path in workspace ws.
func pubPath(ws herald.Workspace, format string, args ...any) string {
	return fmt.Sprintf("/api/v1/workspaces/%d", ws.ID) + fmt.Sprintf(format, args...)
}

// errorField returns the first details[].field of an error body.
func errorFields(t *testing.T, r response) []string {
	t.Helper()
	var e struct {
		Error struct {
			Details []herald.FieldProblem `json:"details"`
		} `json:"error"`
	}
	r.JSON(t, &e)
	var out []string
	for _, d := range e.Error.Details {
		out = append(out, d.Field)
	}
	return out
}
