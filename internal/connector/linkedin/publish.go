package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// checkpointMedia is the checkpoint key of the uploaded images' or
// video's URNs (named when only images were sent; kept for checkpoints
// saved then).
const checkpointMedia = "images"

// Publish publishes a post (POST /rest/posts) or, for Part.Comment, the
// first comment on it (POST /rest/socialActions/{post}/comments). LinkedIn
// has no idempotency key: a lost answer is Ambiguous, for Find to settle.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Index > 0 && !p.Comment {
		return herald.RemoteRef{}, invalid("LinkedIn has no threads: publish one post (a first comment may follow it)")
	}
	if p.Comment {
		if p.ReplyTo == nil || p.ReplyTo.ID == "" {
			return herald.RemoteRef{}, invalid("the comment has no post to go under")
		}
		return c.comment(ctx, cr, p.ReplyTo.ID, "", p.Text)
	}
	images, err := c.images(ctx, cr, p)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	body := map[string]any{
		"author":                    cr.Author,
		"commentary":                Escape(p.Text),
		"visibility":                visibility(p),
		"distribution":              map[string]any{"feedDistribution": "MAIN_FEED", "targetEntities": []any{}, "thirdPartyDistributionChannels": []any{}},
		"lifecycleState":            "PUBLISHED",
		"isReshareDisabledByAuthor": false,
	}
	switch link := strings.TrimSpace(p.Options[OptionLink]); {
	case link != "":
		article := map[string]any{"source": link, "title": strings.TrimSpace(p.Options[OptionLinkTitle])}
		if d := strings.TrimSpace(p.Options[OptionLinkDescription]); d != "" {
			article["description"] = d
		}
		if len(images) > 0 {
			article["thumbnail"] = images[0]["id"]
			if alt, ok := images[0]["altText"]; ok {
				article["thumbnailAltText"] = alt
			}
		}
		body["content"] = map[string]any{"article": article}
	case len(images) == 1:
		body["content"] = map[string]any{"media": images[0]}
	case len(images) > 1:
		body["content"] = map[string]any{"multiImage": map[string]any{"images": images}}
	}
	res, err := c.do(ctx, request{method: http.MethodPost, path: "/rest/posts", body: body, token: cr.AccessToken})
	if err != nil {
		if errCode(res) == "DUPLICATE_POST" {
			// An earlier attempt made it after all: settle on it if it is
			// recent, otherwise it is LinkedIn's refusal to repeat an old post.
			if ref, found, ferr := c.Find(ctx, acct, p); ferr == nil && found {
				return ref, nil
			}
		}
		return herald.RemoteRef{}, err
	}
	urn := res.Header.Get("X-Restli-Id")
	if urn == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: res.Status,
			Message: "LinkedIn accepted the post but did not say its id"}
	}
	return herald.RemoteRef{ID: urn, URL: postURL(urn)}, nil
}

func visibility(p connector.Part) string {
	if v := p.Options[OptionVisibility]; v != "" {
		return v
	}
	return "PUBLIC"
}

// images uploads the part's images through the Images API, or its video
// through the Videos API (or takes their URNs from the checkpoint of an
// earlier attempt), waits for a video to be processed, and returns them
// as the post's content items, images with their alt text.
func (c *Connector) images(ctx context.Context, cr Credentials, p connector.Part) ([]map[string]any, error) {
	if len(p.Media) == 0 {
		return nil, nil
	}
	var urns []string
	if saved := p.Checkpoint[checkpointMedia]; saved != "" {
		urns = strings.Split(saved, " ")
	}
	if len(urns) != len(p.Media) {
		urns = nil
		for i, m := range p.Media {
			upload := c.upload
			if isVideo(m.Asset.ContentType) {
				upload = c.uploadVideo
			}
			urn, err := upload(ctx, cr, m)
			if err != nil {
				return nil, fmt.Errorf("upload media[%d]: %w", i, err)
			}
			urns = append(urns, urn)
		}
		if p.Save != nil {
			if err := p.Save(ctx, map[string]string{checkpointMedia: strings.Join(urns, " ")}); err != nil {
				return nil, err
			}
		}
	}
	out := make([]map[string]any, len(urns))
	for i, urn := range urns {
		item := map[string]any{"id": urn}
		if strings.HasPrefix(urn, "urn:li:video:") {
			if err := c.waitVideo(ctx, cr, urn); err != nil {
				return nil, err
			}
			out[i] = item
			continue
		}
		if alt := p.Media[i].Asset.AltText; alt != "" {
			item["altText"] = alt
		}
		out[i] = item
	}
	return out, nil
}

// upload registers an image (POST /rest/images?action=initializeUpload)
// and PUTs its bytes to the upload URL LinkedIn gave.
func (c *Connector) upload(ctx context.Context, cr Credentials, m connector.Media) (string, error) {
	var init struct {
		Value struct {
			UploadURL string `json:"uploadUrl"`
			Image     string `json:"image"`
		} `json:"value"`
	}
	body := map[string]any{"initializeUploadRequest": map[string]any{"owner": cr.Author}}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/rest/images", query: url.Values{"action": {"initializeUpload"}},
		body: body, token: cr.AccessToken, out: &init}); err != nil {
		// An unused registration is harmless: registering again is safe.
		return "", connector.Repeatable(err)
	}
	if init.Value.UploadURL == "" || init.Value.Image == "" {
		return "", &connector.Error{Class: connector.Transient, Message: "LinkedIn gave no upload URL for the image"}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return "", fmt.Errorf("open the image: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("read the image: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, init.Value.UploadURL, bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("linkedin: make the upload request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	if m.Asset.ContentType != "" {
		req.Header.Set("Content-Type", m.Asset.ContentType)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return "", err
	}
	if e := c.classify(res); e != nil {
		return "", e
	}
	return init.Value.Image, nil
}

// comment posts a comment as the author on the post (or, with parent, an
// answer to the comment parent).
func (c *Connector) comment(ctx context.Context, cr Credentials, post, parent, text string) (herald.RemoteRef, error) {
	target := post
	body := map[string]any{"actor": cr.Author, "object": post, "message": map[string]any{"text": text}}
	if parent != "" {
		target = parent
		body["parentComment"] = parent
	}
	var out commentJSON
	res, err := c.do(ctx, request{method: http.MethodPost, path: "/rest/socialActions/" + esc(target) + "/comments",
		body: body, token: cr.AccessToken, out: &out})
	if err != nil {
		return herald.RemoteRef{}, err
	}
	urn := out.CommentURN
	if urn == "" && res.Header.Get("X-Restli-Id") != "" {
		urn = "urn:li:comment:(" + post + "," + res.Header.Get("X-Restli-Id") + ")"
	}
	if urn == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: res.Status,
			Message: "LinkedIn accepted the comment but did not say its id"}
	}
	return herald.RemoteRef{ID: urn, URL: postURL(post), Meta: map[string]string{"object": post}}, nil
}

// postJSON is a post as the Posts API returns it.
type postJSON struct {
	ID         string `json:"id"`
	Author     string `json:"author"`
	Commentary string `json:"commentary"`
	CreatedAt  int64  `json:"createdAt"`
}

// recent lists the author's latest posts (GET /rest/posts?q=author).
func (c *Connector) recent(ctx context.Context, cr Credentials, count int) ([]postJSON, error) {
	var out struct {
		Elements []postJSON `json:"elements"`
	}
	q := url.Values{"q": {"author"}, "author": {cr.Author}, "count": {strconv.Itoa(count)}, "sortBy": {"LAST_MODIFIED"}}
	res, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/posts", query: q, token: cr.AccessToken,
		out: &out, restli: "FINDER"})
	if err != nil {
		return nil, readRefused(res, err, cr)
	}
	return out.Elements, nil
}

// Find looks for a part an ambiguous attempt may have published: a post
// among the author's latest ones, made within the find window, whose
// commentary is the one Herald sends; or, for a comment, the author's
// comment with the same text on the post.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	if p.Comment {
		if p.ReplyTo == nil {
			return herald.RemoteRef{}, false, nil
		}
		cs, err := c.comments(ctx, cr, p.ReplyTo.ID)
		if err != nil {
			return herald.RemoteRef{}, false, err
		}
		for _, cm := range cs {
			if cm.Actor == cr.Author && cm.Message.Text == p.Text {
				return herald.RemoteRef{ID: cm.CommentURN, URL: postURL(p.ReplyTo.ID), Meta: map[string]string{"object": p.ReplyTo.ID}}, true, nil
			}
		}
		return herald.RemoteRef{}, false, nil
	}
	posts, err := c.recent(ctx, cr, c.findCount)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	want := Escape(p.Text)
	since := c.now().Add(-c.findWindow)
	for _, post := range posts {
		if post.CreatedAt > 0 && time.UnixMilli(post.CreatedAt).Before(since) {
			continue
		}
		if post.Commentary == want || post.Commentary == p.Text {
			return herald.RemoteRef{ID: post.ID, URL: postURL(post.ID)}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

// Delete removes a post (DELETE /rest/posts/{urn}) or a comment (DELETE
// /rest/socialActions/{post}/comments/{id}); one already gone is deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	r := request{method: http.MethodDelete, path: "/rest/posts/" + esc(ref.ID), token: cr.AccessToken, restli: "DELETE"}
	if post, id, ok := splitComment(ref.ID); ok {
		r.path = "/rest/socialActions/" + esc(post) + "/comments/" + url.PathEscape(id)
		r.query = url.Values{"actor": {cr.Author}}
	}
	res, err := c.do(ctx, r)
	if err != nil && res != nil && (res.Status == http.StatusNotFound || res.Status == http.StatusGone) {
		return nil
	}
	return err
}

// splitComment splits urn:li:comment:(urn:li:activity:1,2) into the
// object it is on and its id.
func splitComment(urn string) (object, id string, ok bool) {
	rest, found := strings.CutPrefix(urn, "urn:li:comment:(")
	if !found || !strings.HasSuffix(rest, ")") {
		return "", "", false
	}
	rest = strings.TrimSuffix(rest, ")")
	i := strings.LastIndex(rest, ",")
	if i < 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// readRefused turns LinkedIn's 403 on reading a member's posts or
// comments into Invalid: reading them needs r_member_social, which
// LinkedIn grants to few apps, so nobody can ask (a lookup then leaves
// the part unconfirmed), and the token itself is fine.
func readRefused(res *connector.Response, err error, cr Credentials) error {
	if res == nil || res.Status != http.StatusForbidden || isOrg(cr.Author) {
		return err
	}
	return &connector.Error{Class: connector.Invalid, Status: res.Status, Err: err,
		Message: "LinkedIn does not let this app read the member's own posts and comments (that needs the restricted r_member_social permission)"}
}
