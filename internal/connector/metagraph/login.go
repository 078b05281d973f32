package metagraph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Facebook Login (manual flow): the dialog at
// www.facebook.com/{version}/dialog/oauth, the code traded for a
// short-lived user token at /oauth/access_token, that token traded for a
// long-lived one (about 60 days) with grant_type=fb_exchange_token. Page
// tokens read with a long-lived user token do not expire.

// Configured says whether the app's id and secret are set.
func (c *Client) Configured(platform string) error {
	if c.AppID == "" || c.AppSecret == "" {
		return herald.Errorf(herald.CodeInvalid, "%s is not set up in Herald: its Meta app id and secret are missing (set them in the configuration)", platform)
	}
	return nil
}

// LoginURL returns the Login dialog asking for scopes.
func (c *Client) LoginURL(redirect, state string, scopes []string) string {
	q := url.Values{
		"client_id":     {c.AppID},
		"redirect_uri":  {redirect},
		"state":         {state},
		"response_type": {"code"},
		"scope":         {strings.Join(scopes, ",")},
	}
	return strings.TrimRight(c.DialogURL, "/") + "/" + Version + "/dialog/oauth?" + q.Encode()
}

// CheckRedirect checks the Begin inputs every Meta platform needs.
func CheckRedirect(platform string, s connector.AuthStart) error {
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the Meta app")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	return p.Err("the " + platform + " connection cannot start")
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// UserToken is a long-lived user access token.
type UserToken struct {
	Token     string
	ExpiresAt *time.Time
}

// Login trades the dialog's code for a long-lived user token and checks
// that every permission in scopes was granted.
func (c *Client) Login(ctx context.Context, platform, code, redirect string, scopes []string) (UserToken, error) {
	if strings.TrimSpace(code) == "" {
		return UserToken{}, &herald.Error{Code: herald.CodeInvalid, Message: platform + " sent no authorization code back; start connecting again",
			Details: []herald.FieldProblem{{Field: "code", Problem: "is required"}}}
	}
	var short tokenAnswer
	_, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/oauth/access_token", Query: url.Values{
		"client_id": {c.AppID}, "client_secret": {c.AppSecret}, "redirect_uri": {redirect}, "code": {code}}, Out: &short})
	if err != nil {
		return UserToken{}, refused(platform, err)
	}
	if short.AccessToken == "" {
		return UserToken{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Meta's token answer has no access_token"}
	}
	start := c.now()
	var long tokenAnswer
	_, err = c.Do(ctx, Request{Method: http.MethodGet, Path: "/oauth/access_token", Query: url.Values{
		"grant_type": {"fb_exchange_token"}, "client_id": {c.AppID}, "client_secret": {c.AppSecret},
		"fb_exchange_token": {short.AccessToken}}, Out: &long})
	if err != nil {
		return UserToken{}, refused(platform, err)
	}
	if long.AccessToken == "" {
		return UserToken{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Meta's long-lived token answer has no access_token"}
	}
	ut := UserToken{Token: long.AccessToken}
	if long.ExpiresIn > 0 {
		t := start.Add(time.Duration(long.ExpiresIn) * time.Second).UTC()
		ut.ExpiresAt = &t
	}
	missing, err := c.MissingPermissions(ctx, ut.Token, scopes)
	if err != nil {
		return UserToken{}, err
	}
	if len(missing) > 0 {
		return UserToken{}, herald.Errorf(herald.CodeInvalid,
			"%s granted Herald less than it needs (missing %s); connect again and allow all of it", platform, strings.Join(missing, ", "))
	}
	return ut, nil
}

// refused words a refused code or token exchange for people.
func refused(platform string, err error) error {
	var e *connector.Error
	if errors.As(err, &e) && (e.Class == connector.Invalid || e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired) {
		return &herald.Error{Code: herald.CodeInvalid,
			Message: platform + " refused the authorization (" + e.Message + "); start connecting again", Err: err}
	}
	return err
}

// MissingPermissions lists the permissions of wanted that the token was
// not granted (GET /me/permissions).
func (c *Client) MissingPermissions(ctx context.Context, token string, wanted []string) ([]string, error) {
	var out struct {
		Data []struct {
			Permission string `json:"permission"`
			Status     string `json:"status"`
		} `json:"data"`
	}
	if _, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/me/permissions", Token: token, Out: &out}); err != nil {
		return nil, err
	}
	granted := map[string]bool{}
	for _, p := range out.Data {
		if p.Status == "granted" {
			granted[p.Permission] = true
		}
	}
	var missing []string
	for _, w := range wanted {
		if !granted[w] {
			missing = append(missing, w)
		}
	}
	return missing, nil
}

// Page is a Facebook Page the person manages, as GET /me/accounts gives it.
type Page struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Username    string   `json:"username"`
	AccessToken string   `json:"access_token"`
	Tasks       []string `json:"tasks"`
	Picture     *struct {
		Data struct {
			URL string `json:"url"`
		} `json:"data"`
	} `json:"picture"`
	Instagram *IGAccount `json:"instagram_business_account"`
}

// PictureURL is the page's picture, "" when none.
func (p Page) PictureURL() string {
	if p.Picture == nil {
		return ""
	}
	return p.Picture.Data.URL
}

// IGAccount is the Instagram professional account linked to a Page.
type IGAccount struct {
	ID                string `json:"id"`
	Username          string `json:"username"`
	Name              string `json:"name"`
	ProfilePictureURL string `json:"profile_picture_url"`
}

// maxPages bounds how many pages of /me/accounts are read.
const maxPages = 10

// Pages reads the pages the user token manages, with fields.
func (c *Client) Pages(ctx context.Context, userToken, fields string) ([]Page, error) {
	q := url.Values{"fields": {fields}, "limit": {"100"}}
	var all []Page
	for range maxPages {
		var out struct {
			Data   []Page `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
				Next string `json:"next"`
			} `json:"paging"`
		}
		if _, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/me/accounts", Query: q, Token: userToken, Out: &out}); err != nil {
			return nil, err
		}
		all = append(all, out.Data...)
		if out.Paging.Next == "" || out.Paging.Cursors.After == "" {
			break
		}
		q.Set("after", out.Paging.Cursors.After)
	}
	return all, nil
}

// ChoosePage picks the page the person meant: the one whose id, name or
// username equals choice (case-insensitive, "@" ignored), or the only one
// when choice is empty. With several pages and no choice it refuses,
// naming them, so the person can choose (Meta's dialog also lets them grant
// a single Page).
func ChoosePage(platform string, pages []Page, choice string) (Page, error) {
	choice = strings.TrimPrefix(strings.TrimSpace(choice), "@")
	if len(pages) == 0 {
		return Page{}, herald.Errorf(herald.CodeInvalid,
			"%s gave Herald no Page: choose at least one Page in Facebook's dialog (you must be able to create content on it)", platform)
	}
	if choice == "" {
		if len(pages) == 1 {
			return pages[0], nil
		}
		return Page{}, herald.Errorf(herald.CodeInvalid,
			"you manage several Pages (%s): connect again and type the one you want in the Page field, or grant Herald only that Page in Facebook's dialog",
			pageList(pages))
	}
	for _, p := range pages {
		if p.ID == choice || strings.EqualFold(p.Name, choice) || (p.Username != "" && strings.EqualFold(p.Username, choice)) {
			return p, nil
		}
	}
	return Page{}, herald.Errorf(herald.CodeInvalid, "none of the Pages Herald was granted is %q; they are: %s", choice, pageList(pages))
}

func pageList(pages []Page) string {
	var names []string
	for _, p := range pages {
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
	}
	return strings.Join(names, ", ")
}
