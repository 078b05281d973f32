package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/herald"
)

// accountRoutes registers the pages of the social accounts: connecting, status, posting schedules and pausing.
func (h *Handler) accountRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /accounts", h.lastAccounts)
	m.Handle("GET /w/{ws}/accounts", h.inWorkspace(h.accountList))
	m.Handle("POST /w/{ws}/accounts/connect", h.inWorkspace(h.accountConnect))
	m.Handle("POST /w/{ws}/accounts/connect-password", h.inWorkspace(h.accountConnectPassword))
	m.Handle("POST /w/{ws}/accounts/{id}/pause", h.inWorkspace(h.accountPause(true)))
	m.Handle("POST /w/{ws}/accounts/{id}/resume", h.inWorkspace(h.accountPause(false)))
	m.Handle("GET /w/{ws}/accounts/{id}/disconnect", h.inWorkspace(h.disconnectForm))
	m.Handle("POST /w/{ws}/accounts/{id}/disconnect", h.inWorkspace(h.disconnect))
	m.Handle("GET /w/{ws}/accounts/{id}/schedule", h.inWorkspace(h.scheduleForm))
	m.Handle("POST /w/{ws}/accounts/{id}/schedule", h.inWorkspace(h.scheduleSave))
}

// expirySoon is how close a token's expiry is when the page warns.
const expirySoon = 7 * 24 * time.Hour

// platformInfo is how the pages speak of one platform and its connect forms.
type platformInfo struct {
	Label string
	// The OAuth form's instance field; empty when the platform has one server.
	InstanceLabel, InstanceHint, InstanceExample string
	// InstanceOptional: the instance field may be left empty (a Page or
	// organization to choose among those the person manages).
	InstanceOptional bool
	// The password form's fields.
	IDLabel, IDHint, IDExample, PWLabel, PWHint string
	// Where app passwords are made, when the platform has them.
	PWLink, PWLinkText string
	// What to check when the platform refuses the password.
	PWFix string
	// Note is what else the person must know before connecting.
	Note string
}

// testPlatformURL is where `herald dev fake-platform` listens by default;
// a test checks it agrees with the command and the README.
const testPlatformURL = "http://127.0.0.1:8181"

// fetchNote is the note of platforms that fetch media from an address.
const fetchNote = "%s fetches each image and video from this Herald server's own address (its base URL, under /media/public/), " +
	"so this server must be reachable from the internet over https; otherwise %s refuses the post."

var platforms = map[herald.Platform]platformInfo{
	herald.PlatformMastodon: {Label: "Mastodon",
		InstanceLabel: "Your server", InstanceExample: "mastodon.social",
		InstanceHint: "The server you signed up on, such as mastodon.social or fosstodon.org. You approve Herald there, then come back here."},
	herald.PlatformBluesky: {Label: "Bluesky",
		IDLabel: "Handle", IDExample: "yourname.bsky.social", IDHint: "Your Bluesky handle, such as yourname.bsky.social, or your own domain.",
		PWLabel: "App password",
		PWHint: "Not your account password: in Bluesky open Settings → Privacy and security → App passwords, add one named Herald, " +
			"and paste it here. Herald keeps it encrypted; you can revoke it there at any time.",
		PWLink: "https://bsky.app/settings/app-passwords", PWLinkText: "Make an app password on Bluesky",
		PWFix: "Check the handle, and that you pasted an app password (xxxx-xxxx-xxxx-xxxx), not your account password."},
	herald.PlatformX: {Label: "X"},
	herald.PlatformFacebook: {Label: "Facebook Page",
		InstanceLabel: "Page (optional)", InstanceOptional: true, InstanceExample: "Your Page's name",
		InstanceHint: "Leave it empty if you manage one Page, or grant Herald only the Page you want in Facebook's dialog; " +
			"otherwise type the Page's name, @username or id. You approve Herald on Facebook, then come back here."},
	herald.PlatformInstagram: {Label: "Instagram",
		InstanceLabel: "Instagram account (optional)", InstanceOptional: true, InstanceExample: "@yourbusiness",
		InstanceHint: "A professional (business or creator) account linked to a Facebook Page. Leave it empty if only one of your Pages " +
			"has one; otherwise type its @username. You approve Herald on Facebook, then come back here.",
		Note: fmt.Sprintf(fetchNote, "Instagram", "Instagram")},
	herald.PlatformPinterest: {Label: "Pinterest"},
	herald.PlatformYouTube:   {Label: "YouTube"},
	herald.PlatformLinkedIn: {Label: "LinkedIn",
		InstanceLabel: "Organization page (optional)", InstanceOptional: true, InstanceExample: "yourcompany",
		InstanceHint: "Leave it empty to post as yourself; to post as a company page you administer, type its vanity name " +
			"(linkedin.com/company/yourcompany), its id or its name. You approve Herald on LinkedIn, then come back here."},
	herald.PlatformThreads: {Label: "Threads", Note: fmt.Sprintf(fetchNote, "Threads", "Threads")},
	herald.PlatformTelegram: {Label: "Telegram",
		IDLabel: "Channel or group", IDExample: "@yourchannel",
		IDHint:  "The channel or group Herald posts to: its @username, its t.me link, or for a private one its numeric id (such as -1001234567890).",
		PWLabel: "Bot token",
		PWHint: "Make a bot with @BotFather (/newbot) and paste the token it gives you. Then add the bot to the channel or group " +
			"as an administrator allowed to post messages (and to delete and pin them). Herald keeps the token encrypted.",
		PWLink: "https://t.me/BotFather", PWLinkText: "Open @BotFather",
		PWFix: "Check the @username, that the token is the one @BotFather gave, and that the bot is an administrator allowed to post."},
	herald.PlatformDiscord: {Label: "Discord",
		IDLabel: "Post as", IDExample: "Herald News",
		IDHint:  "The name your posts appear under in the channel (type the webhook's own name to keep it).",
		PWLabel: "Webhook URL",
		PWHint: "In Discord open the channel's settings → Integrations → Webhooks, make a webhook and use Copy Webhook URL. " +
			"It is a secret (whoever has it can post there): Herald keeps it encrypted.",
		PWLink: "https://support.discord.com/hc/en-us/articles/228383668", PWLinkText: "How to make a webhook",
		PWFix: "Check that you pasted the whole webhook URL (https://discord.com/api/webhooks/…) and that the webhook still exists."},
	herald.PlatformFake: {Label: "Test platform",
		InstanceLabel: "Platform address", InstanceExample: testPlatformURL,
		InstanceHint: "The test platform's base URL (herald dev fake-platform listens on " + testPlatformURL +
			"). Add #name to sign in as name, such as " + testPlatformURL + "#alice.",
		IDLabel: "Platform address", IDExample: testPlatformURL, IDHint: "The test platform's base URL (herald dev fake-platform listens on " + testPlatformURL + ").",
		PWLabel: "Access token", PWHint: "Any token the test platform accepts; it names the account.",
		PWFix: "Check the address and the token."},
}

// platformLabel names a platform for people.
func platformLabel(p herald.Platform) string {
	if i, ok := platforms[p]; ok {
		return i.Label
	}
	switch p {
	case herald.PlatformLinkedIn:
		return "LinkedIn"
	case herald.PlatformYouTube:
		return "YouTube"
	}
	s := string(p)
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// accountView is one account's card on the accounts page.
type accountView struct {
	A        herald.Account
	Platform string
	Instance string // the server's host, where the platform has many
	// Software is what the server runs and what it means for retries,
	// where Herald learned it.
	Software string
	// Status in words and what to do about it.
	StatusLabel, StatusHelp string
	StatusOK                bool
	// Token expiry in words; Warn when soon or past.
	Expiry     string
	ExpiryWarn bool
	// How it is reconnected: "oauth", "password" or "" (not on this server).
	Reconnect         string
	ReconnectInstance string
	CanDisconnect     bool
	// Audience is the account's latest daily snapshot, nil before the
	// first.
	Audience *herald.AccountSnapshot
}

// connectForm is one connect form: a platform and one way to connect.
type connectForm struct {
	Key      string // "oauth-mastodon", "password-bluesky", …
	Platform herald.Platform
	Info     platformInfo
	OAuth    bool // else password
}

// formState is what a failed form posted, to show it again with its
// problems.
type formState struct {
	Key    string
	Values url.Values
	Err    *herald.Error
}

// value is the posted value of field when key is the failed form.
func (f formState) value(key, field string) string {
	if f.Key != key {
		return ""
	}
	return f.Values.Get(field)
}

// problem is what is wrong with field of form key.
func (f formState) problem(key, field string) string {
	if f.Key != key {
		return ""
	}
	return fieldProblem(f.Err, field)
}

// accountsData is the accounts page.
type accountsData struct {
	Accounts []accountView
	Forms    []connectForm
	// NotSetUp are the platforms this build connects that the server's
	// operator has not set up: their cards say what to set.
	NotSetUp  []account.NotSetUp
	CanManage bool
	Failed    formState
	// ConnectErr is why connecting at the platform did not finish.
	ConnectErr string
}

// shown reports whether the page has the form key, to show its error by it.
func (d accountsData) shown(key string) bool {
	if !d.CanManage {
		return false
	}
	for _, f := range d.Forms {
		if f.Key == key {
			return true
		}
	}
	for _, v := range d.Accounts {
		if v.Reconnect != "" && key == "reconnect-"+strconv.FormatInt(v.A.ID, 10) {
			return true
		}
	}
	return false
}

// lastAccounts is the accounts page of the workspace the viewer used last
// (where the connect callback sends people when it cannot tell the
// workspace); the query string goes along.
func (h *Handler) lastAccounts(w http.ResponseWriter, r *http.Request) {
	pr, ok := herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 {
		h.toSignin(w, r)
		return
	}
	_, wss, err := h.d.Workspaces.Me(r.Context(), pr)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if len(wss) == 0 {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	last := h.d.Sessions.GetInt64(r.Context(), workspaceKey)
	dest := wss[0].ID
	for _, uw := range wss {
		if uw.ID == last {
			dest = last
		}
	}
	target := accountsURL(dest)
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// accountList is the accounts page. After the connect callback it says
// what happened: ?connected=<id> becomes a flash message, and with
// ?connect_error the forms show why connecting failed (the callback left
// it in the session, so a link cannot put words on the page).
func (h *Handler) accountList(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	if id, err := strconv.ParseInt(q.Get("connected"), 10, 64); err == nil && id > 0 {
		if a, err := h.d.Accounts.Get(r.Context(), p.Actor, id); err == nil {
			h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Connected %s on %s.", a.Handle, platformLabel(a.Platform)))
		}
		http.Redirect(w, r, accountsURL(p.Current.ID), http.StatusSeeOther)
		return nil
	}
	d := accountsData{}
	if q.Has("connect_error") {
		d.ConnectErr = h.d.Sessions.PopString(r.Context(), api.ConnectErrorKey)
	}
	return h.renderAccounts(w, r, p, d, http.StatusOK)
}

// renderAccounts loads the accounts and renders the page with d's form
// state.
func (h *Handler) renderAccounts(w http.ResponseWriter, r *http.Request, p *page, d accountsData, status int) error {
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	methods := h.d.Accounts.ConnectMethods()
	d.CanManage = p.Can(herald.ActAccountsManage)
	now := h.d.Clock.Now()
	software, err := h.d.Accounts.Software(r.Context(), p.Actor, accts)
	if err != nil {
		return err
	}
	var audience map[int64]herald.AccountSnapshot
	if h.d.Analytics != nil {
		if audience, err = h.d.Analytics.Latest(r.Context(), p.Actor); err != nil {
			return err
		}
	}
	for _, a := range accts {
		v := viewAccount(a, methods, now)
		if s, ok := audience[a.ID]; ok {
			v.Audience = &s
		}
		if sw, ok := software[account.SoftwareKey(a.Platform, a.InstanceURL)]; ok {
			v.Software = account.RetryWords(sw)
		}
		d.Accounts = append(d.Accounts, v)
	}
	if d.CanManage {
		for _, m := range methods {
			info := platforms[m.Platform]
			if info.Label == "" {
				info.Label = platformLabel(m.Platform)
			}
			if m.OAuth {
				d.Forms = append(d.Forms, connectForm{Key: "oauth-" + string(m.Platform), Platform: m.Platform, Info: info, OAuth: true})
			}
			if m.Password {
				d.Forms = append(d.Forms, connectForm{Key: "password-" + string(m.Platform), Platform: m.Platform, Info: info})
			}
		}
		d.NotSetUp = h.d.Accounts.NotSetUp()
	}
	if d.Failed.Err != nil && !d.shown(d.Failed.Key) {
		// No form of the page is the one that failed (a platform this
		// server does not enable, say): say it above the forms.
		d.ConnectErr = d.Failed.Err.Message
	}
	p.Title = "Accounts"
	h.render(w, r, status, accountsPage(p, d))
	return nil
}

// viewAccount describes an account for its card.
func viewAccount(a herald.Account, methods []account.ConnectMethod, now time.Time) accountView {
	v := accountView{A: a, Platform: platformLabel(a.Platform)}
	if u, err := url.Parse(a.InstanceURL); err == nil && u.Host != "" {
		v.Instance = u.Host
	}
	switch a.Status {
	case herald.AccountConnected:
		v.StatusLabel, v.StatusOK = "Connected", true
		v.StatusHelp = "Herald can publish here."
	case herald.AccountExpiring:
		v.StatusLabel = "Expiring soon"
		v.StatusHelp = "Its access runs out soon and Herald cannot renew it by itself: reconnect it before then, or its posts wait."
	case herald.AccountExpired:
		v.StatusLabel = "Expired"
		v.StatusHelp = "Its access ran out: its scheduled posts wait until you reconnect it."
	case herald.AccountRevoked:
		v.StatusLabel = "Disconnected"
		v.StatusHelp = "Herald may no longer act for it: its scheduled posts wait until you reconnect it."
	default:
		v.StatusLabel = string(a.Status)
	}
	if a.TokenExpiresAt != nil {
		left := a.TokenExpiresAt.Sub(now)
		if left > 0 {
			v.Expiry = "Access expires in " + span(left)
		} else {
			v.Expiry = "Access expired " + span(-left) + " ago"
		}
		v.ExpiryWarn = left < expirySoon
	}
	for _, m := range methods {
		if m.Platform != a.Platform {
			continue
		}
		switch {
		case m.OAuth:
			v.Reconnect, v.ReconnectInstance = "oauth", a.InstanceURL
			if a.Platform == herald.PlatformFacebook || a.Platform == herald.PlatformInstagram {
				// Reconnect the same Page (or the Page the Instagram account is linked to).
				v.ReconnectInstance = a.RemoteID
			}
			if a.Platform == herald.PlatformFake && a.InstanceURL != "" {
				// The test platform signs in as the account named after "#".
				v.ReconnectInstance += "#" + a.RemoteID
			}
		case m.Password:
			v.Reconnect = "password"
		}
	}
	v.CanDisconnect = !(a.Status == herald.AccountRevoked && a.Credentials.Empty())
	return v
}

// span is a duration in rough words: "3 days", "5 hours", "1 minute".
func span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return count(int(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return count(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return count(int(d/time.Minute), "minute")
	}
	return "less than a minute"
}

// connectFailed shows the accounts page again with err next to the form
// key, when err is something the person can fix there; other errors
// (forbidden, say) become the error page.
func (h *Handler) connectFailed(w http.ResponseWriter, r *http.Request, p *page, key string, err error) error {
	he := publicError(err)
	switch he.Code {
	case herald.CodeInvalid, herald.CodeBadRequest, herald.CodeConflict, herald.CodeUnavailable, herald.CodeRateLimited:
	default:
		return err
	}
	vals := url.Values{}
	for k, v := range r.PostForm {
		if k != "password" {
			vals[k] = v
		}
	}
	return h.renderAccounts(w, r, p, accountsData{Failed: formState{Key: key, Values: vals, Err: he}}, statusOf(he))
}

// accountConnect starts connecting through the platform's sign-in page:
// the next page sends the browser there.
func (h *Handler) accountConnect(w http.ResponseWriter, r *http.Request, p *page) error {
	platform := herald.Platform(r.PostFormValue("platform"))
	key := r.PostFormValue("form")
	if key == "" {
		key = "oauth-" + string(platform)
	}
	u, err := h.d.Accounts.BeginConnect(r.Context(), p.Actor, platform, r.PostFormValue("instance"))
	if err != nil {
		return h.connectFailed(w, r, p, key, err)
	}
	// A redirect answering a form may not leave this site (the policy's
	// form-action 'self'); a page that leads there may.
	p.Title = "Continue to " + platformLabel(platform)
	h.render(w, r, http.StatusOK, continuePage(p, platformLabel(platform), u))
	return nil
}

// accountConnectPassword connects with an identifier and a password.
func (h *Handler) accountConnectPassword(w http.ResponseWriter, r *http.Request, p *page) error {
	platform := herald.Platform(r.PostFormValue("platform"))
	key := r.PostFormValue("form")
	if key == "" {
		key = "password-" + string(platform)
	}
	a, err := h.d.Accounts.ConnectWithPassword(r.Context(), p.Actor, platform, r.PostFormValue("identifier"), r.PostFormValue("password"))
	if err != nil {
		return h.connectFailed(w, r, p, key, err)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Connected %s on %s.", a.Handle, platformLabel(a.Platform)))
	http.Redirect(w, r, accountsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// accountPause pauses (or resumes) publishing to account {id}.
func (h *Handler) accountPause(pause bool) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		id, err := pathID(r, "id", "account")
		if err != nil {
			return err
		}
		a, err := h.d.Accounts.Update(r.Context(), p.Actor, id, account.Patch{Paused: &pause})
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("Publishing to %s on %s is paused: its scheduled posts wait until you resume it.", a.Handle, platformLabel(a.Platform))
		if !pause {
			msg = fmt.Sprintf("Publishing to %s on %s resumed: posts whose time passed meanwhile are published now.", a.Handle, platformLabel(a.Platform))
		}
		h.d.Sessions.Put(r.Context(), flashKey, msg)
		http.Redirect(w, r, accountsURL(p.Current.ID), http.StatusSeeOther)
		return nil
	}
}

// waitingStates are the target states that wait to be published.
var waitingStates = []herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateRetrying}

// disconnectData is the confirmation step before disconnecting.
type disconnectData struct {
	A        herald.Account
	Platform string
	Waiting  int
	More     bool // more are waiting than were counted
}

// maxWaitingCount bounds how many waiting posts the confirmation counts.
const maxWaitingCount = 100

// waiting counts the posts with a target on account id still to be
// published, up to maxWaitingCount.
func (h *Handler) waiting(ctx context.Context, actor herald.Actor, id int64) (int, bool, error) {
	posts, next, err := h.d.Posts.List(ctx, actor, herald.PostFilter{AccountID: id, States: waitingStates,
		Page: herald.Page{Limit: maxWaitingCount}})
	if err != nil {
		return 0, false, err
	}
	n := 0
	for _, po := range posts {
		if slices.ContainsFunc(po.Targets, func(t herald.Target) bool {
			return t.AccountID == id && slices.Contains(waitingStates, t.State)
		}) {
			n++
		}
	}
	return n, next != "", nil
}

// disconnectForm is the confirmation step: it says what happens to the
// account's scheduled posts.
func (h *Handler) disconnectForm(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActAccountsManage); err != nil {
		return err
	}
	id, err := pathID(r, "id", "account")
	if err != nil {
		return err
	}
	a, err := h.d.Accounts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	d := disconnectData{A: a, Platform: platformLabel(a.Platform)}
	if d.Waiting, d.More, err = h.waiting(r.Context(), p.Actor, id); err != nil {
		return err
	}
	p.Title = "Disconnect " + a.Handle
	h.render(w, r, http.StatusOK, disconnectPage(p, d))
	return nil
}

// disconnect forgets the account's credentials.
func (h *Handler) disconnect(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "id", "account")
	if err != nil {
		return err
	}
	a, err := h.d.Accounts.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	if err := h.d.Accounts.Disconnect(r.Context(), p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Disconnected %s on %s. Its scheduled posts wait until you reconnect it.",
		a.Handle, platformLabel(a.Platform)))
	http.Redirect(w, r, accountsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// URLs of the accounts pages.
func accountsURL(ws int64) string { return wsURL(ws) + "accounts" }

func accountURL(ws, id int64, verb string) string {
	return accountsURL(ws) + "/" + strconv.FormatInt(id, 10) + "/" + verb
}

// Helpers of the accounts templates.

// initial is the letter shown for an account without an avatar.
func initial(a herald.Account) string {
	for _, s := range []string{a.DisplayName, strings.TrimPrefix(a.Handle, "@")} {
		for _, r := range s {
			return strings.ToUpper(string(r))
		}
	}
	return "?"
}

// reconnectIdentifier is what a password reconnect signs in with.
func reconnectIdentifier(a herald.Account) string {
	if a.Platform == herald.PlatformFake {
		return a.InstanceURL
	}
	return strings.TrimPrefix(a.Handle, "@")
}

func labelOr(label, fallback string) string {
	if label == "" {
		return fallback
	}
	return label
}

// sentence starts s with a capital and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// describedBy lists the ids that describe input id.
func describedBy(id, problem, hint string) string {
	var ids []string
	if hint != "" {
		ids = append(ids, id+"-hint")
	}
	if problem != "" {
		ids = append(ids, id+"-problem")
	}
	return strings.Join(ids, " ")
}
