package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditKinds are the kinds of object the audit log can be filtered by, in
// words.
var auditKinds = []struct{ Type, Label string }{
	{"workspace", "The workspace"},
	{"user", "Members"},
	{"invitation", "Invitations"},
	{"token", "API tokens"},
	{"account", "Accounts"},
	{"post", "Posts"},
	{"target", "Post targets"},
	{"media", "Media"},
	{"label", "Labels"},
	{"campaign", "Campaigns"},
	{"inbox_item", "Inbox"},
}

// auditRow is one audit entry as shown.
type auditRow struct {
	At    time.Time
	Who   string
	What  string
	Token string // "through API token #3" when a token acted
	Link  string // the object's page, when it has one
}

// auditData is the audit log tab.
type auditData struct {
	Rows    []auditRow
	Members []herald.Member
	Who     int64  // the actor filter
	What    string // the object type filter
	Next    string // the next page's URL, if there is one
	First   string // the first page's URL, when on a later one
	Loc     *time.Location
}

func (h *Handler) settingsAudit(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActAuditRead); err != nil {
		return err
	}
	q := r.URL.Query()
	d := auditData{What: q.Get("what"), Loc: p.location()}
	if v := q.Get("who"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return herald.Errorf(herald.CodeInvalid, "the person %q is not a member id: pick someone from the list", v)
		}
		d.Who = id
	}
	if d.What != "" && !slices.ContainsFunc(auditKinds, func(k struct{ Type, Label string }) bool { return k.Type == d.What }) {
		return herald.Errorf(herald.CodeInvalid, "%q is not a kind of change the log knows: pick one from the list", d.What)
	}
	ms, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.Members = ms
	names := make(map[int64]string, len(ms))
	for _, m := range ms {
		names[m.UserID] = m.Name
	}
	cursor := q.Get("cursor")
	entries, next, err := h.d.Workspaces.Audit(ctx, p.Actor, herald.AuditFilter{ObjectType: d.What, ActorID: d.Who,
		Page: herald.Page{Cursor: cursor, Limit: auditPageSize}})
	if err != nil {
		return err
	}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRowOf(p.Current.ID, e, names))
	}
	base := auditURL(settingsURL(p.Current.ID, "audit"), d.Who, d.What, "")
	if next != "" {
		d.Next = auditURL(settingsURL(p.Current.ID, "audit"), d.Who, d.What, next)
	}
	if cursor != "" {
		d.First = base
	}
	p.Title = "Audit log"
	h.render(w, r, http.StatusOK, settingsAuditPage(p, d))
	return nil
}

// auditURL is the audit page with its filters and cursor.
func auditURL(base string, who int64, what, cursor string) string {
	var qs []string
	if who != 0 {
		qs = append(qs, "who="+strconv.FormatInt(who, 10))
	}
	if what != "" {
		qs = append(qs, "what="+what)
	}
	if cursor != "" {
		qs = append(qs, "cursor="+url.QueryEscape(cursor))
	}
	if len(qs) == 0 {
		return base
	}
	return base + "?" + strings.Join(qs, "&")
}

// auditRowOf puts an entry in words.
func auditRowOf(ws int64, e herald.AuditEntry, names map[int64]string) auditRow {
	row := auditRow{At: e.At, Who: "Herald"}
	if e.ActorID != nil {
		row.Who = personName(names, *e.ActorID)
	}
	if e.ActorName != "" {
		row.Who = e.ActorName + " (review link)"
	}
	if e.TokenID != nil {
		row.Token = "through API token #" + strconv.FormatInt(*e.TokenID, 10)
	}
	row.What = auditWords(e, names)
	if e.ObjectType == "post" && !strings.HasSuffix(e.Action, ".delete") {
		row.Link = postURL(ws, e.ObjectID)
	}
	return row
}

func personName(names map[int64]string, id int64) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "a former member (#" + strconv.FormatInt(id, 10) + ")"
}

// auditObject is the fields of the objects audit entries keep that the
// log puts in words.
type auditObject struct {
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	Role       herald.Role       `json:"role"`
	TimeZone   string            `json:"time_zone"`
	BrandRules herald.BrandRules `json:"brand_rules"`
	Handle     string            `json:"handle"`
	Platform   string            `json:"platform"`
	Status     string            `json:"status"`
	Filename   string            `json:"filename"`
}

func decodeAudit(raw json.RawMessage) auditObject {
	var o auditObject
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &o) // a shape the log does not know reads as empty
	}
	return o
}

// auditWords says what an entry records, as a sentence without its subject.
func auditWords(e herald.AuditEntry, names map[int64]string) string {
	before, after := decodeAudit(e.Before), decodeAudit(e.After)
	switch e.Action {
	case "workspace.create":
		return fmt.Sprintf("created the workspace “%s”", after.Name)
	case "workspace.update":
		return "changed the workspace: " + workspaceChanges(before, after)
	case "workspace.brand_voice":
		return "changed the brand voice rules: " + workspaceChanges(before, after)
	case "workspace.logo.set":
		if len(e.Before) > 0 {
			return "replaced the logo on reports"
		}
		return "added a logo to reports"
	case "workspace.logo.remove":
		return "removed the logo from reports"
	case "member.role":
		return fmt.Sprintf("changed the role of %s from %s to %s", personName(names, e.ObjectID), before.Role, after.Role)
	case "member.join":
		return "joined the workspace as " + string(after.Role)
	case "member.remove":
		return fmt.Sprintf("removed %s (%s) from the workspace", personName(names, e.ObjectID), before.Role)
	case "member.leave":
		return "left the workspace"
	case "invitation.create":
		return fmt.Sprintf("invited %s as %s", after.Email, after.Role)
	case "invitation.replace":
		return fmt.Sprintf("replaced the earlier invitation of %s with a new link", before.Email)
	case "invitation.revoke":
		return fmt.Sprintf("revoked the invitation of %s", before.Email)
	case "token.create":
		return fmt.Sprintf("created the API token “%s” (%s)", after.Name, after.Role)
	case "token.revoke":
		return fmt.Sprintf("revoked the API token “%s”", before.Name)
	case "crisis.hold":
		return "held all publishing with the crisis switch"
	case "crisis.resume":
		return "resumed publishing after the crisis switch"
	case "publishing.pause":
		return "paused publishing"
	case "publishing.resume":
		return "resumed publishing"
	}
	return objectWords(e, before, after, names)
}

// auditSentences are the sentences (without their subject) of actions on
// one object; %s is the object in words ("post #12", "the account @acme
// on Mastodon").
var auditSentences = map[string]string{
	"post.create":           "wrote %s",
	"post.update":           "edited %s",
	"post.delete":           "deleted %s",
	"post.submit":           "submitted %s for approval",
	"post.approve":          "approved %s",
	"post.request_changes":  "sent %s back for changes",
	"post.schedule":         "scheduled %s",
	"post.unschedule":       "moved %s back to drafts",
	"post.cancel":           "cancelled %s",
	"post.publish_now":      "published %s at once",
	"post.queue":            "added %s to the queue",
	"post.reschedule":       "moved %s to another time",
	"post.comment":          "commented on %s",
	"post.comment_delete":   "deleted a comment on %s",
	"post.series_extend":    "added more posts to the series of %s",
	"post.series_cancel":    "cancelled the rest of the series of %s",
	"target.retry":          "retried publishing %s",
	"target.resolve":        "settled whether %s was published",
	"target.delete_remote":  "deleted %s from the platform",
	"target.edit_remote":    "edited %s on the platform",
	"account.connect":       "connected %s",
	"account.reconnect":     "reconnected %s",
	"account.disconnect":    "disconnected %s",
	"account.pause":         "paused publishing to %s",
	"account.resume":        "resumed publishing to %s",
	"account.update":        "changed the settings of %s",
	"account.schedule":      "changed the posting schedule of %s",
	"media.upload":          "uploaded %s",
	"media.update":          "changed the details of %s",
	"media.delete":          "deleted %s",
	"label.create":          "created %s",
	"label.update":          "changed %s",
	"label.delete":          "deleted %s",
	"campaign.create":       "created %s",
	"campaign.update":       "changed %s",
	"campaign.delete":       "deleted %s",
	"inbox.like":            "liked %s",
	"inbox.reply":           "replied to %s",
	"inbox.reply_unsettled": "replied to %s, but the platform did not confirm it",
	"inbox.reply_resolved":  "decided about an unconfirmed reply to %s",
	"member.sign_out":       "signed %s out on every device",
	"user.create":           "created the sign-in of %s",
	"user.password":         "changed the password of %s",
	"workspace.delete":      "deleted %s",
	"review.decide":         "gave a review decision on %s",
	"review_link.create":    "created %s",
	"review_link.revoke":    "revoked %s",
}

// objectWords puts an action on one object in words: a known action as
// its sentence, any other as "<verb>ed <object>".
func objectWords(e herald.AuditEntry, before, after auditObject, names map[int64]string) string {
	_, verb, _ := strings.Cut(e.Action, ".")
	what := objectName(e, before, after, names)
	if s, ok := auditSentences[e.Action]; ok {
		return fmt.Sprintf(s, what)
	}
	return pastTense(verb) + " " + what
}

// objectName names an entry's object for people.
func objectName(e herald.AuditEntry, before, after auditObject, names map[int64]string) string {
	name := cmp.Or(after.Name, before.Name)
	switch e.ObjectType {
	case "post":
		return fmt.Sprintf("post #%d", e.ObjectID)
	case "target":
		return fmt.Sprintf("one account's copy of a post (#%d)", e.ObjectID)
	case "account":
		if h := cmp.Or(after.Handle, before.Handle); h != "" {
			s := "the account " + h
			if p := cmp.Or(after.Platform, before.Platform); p != "" {
				s += " on " + platformLabel(herald.Platform(p))
			}
			return s
		}
		return fmt.Sprintf("account #%d", e.ObjectID)
	case "media":
		if f := cmp.Or(after.Filename, before.Filename); f != "" {
			return "the file “" + f + "”"
		}
		return fmt.Sprintf("file #%d", e.ObjectID)
	case "label", "campaign":
		if name != "" {
			return fmt.Sprintf("the %s “%s”", e.ObjectType, name)
		}
	case "review_link":
		if name != "" {
			return "the review link “" + name + "”"
		}
		return fmt.Sprintf("review link #%d", e.ObjectID)
	case "inbox_item":
		return fmt.Sprintf("a message in the inbox (#%d)", e.ObjectID)
	case "user":
		return personName(names, e.ObjectID)
	case "workspace":
		if name != "" {
			return "the workspace “" + name + "”"
		}
		return "the workspace"
	}
	return fmt.Sprintf("%s #%d", strings.ReplaceAll(e.ObjectType, "_", " "), e.ObjectID)
}

// pastTense puts an action's verb nobody wrote a sentence for in words:
// "publish_now" → "published now", "submit" → "submitted".
func pastTense(verb string) string {
	v := strings.ReplaceAll(verb, "_", " ")
	first, rest, _ := strings.Cut(v, " ")
	if rest != "" {
		rest = " " + rest
	}
	switch {
	case first == "":
		return "changed"
	case strings.HasSuffix(first, "e"):
		return first + "d" + rest
	case strings.HasSuffix(first, "y") && len(first) > 1 && !strings.ContainsRune("aeiou", rune(first[len(first)-2])):
		return first[:len(first)-1] + "ied" + rest
	case doublesLast(first):
		return first + first[len(first)-1:] + "ed" + rest
	}
	return first + "ed" + rest
}

// doublesLast reports whether a verb doubles its last consonant before
// -ed (submit → submitted, stop → stopped): those stressed on a last
// syllable of one vowel and one consonant, as a short list says.
func doublesLast(verb string) bool {
	if strings.HasSuffix(verb, "mit") { // submit, resubmit, permit, commit
		return true
	}
	switch verb {
	case "stop", "plan", "ship", "tag", "pin", "flag", "drop", "unpin", "untag":
		return true
	}
	return false
}

// workspaceChanges lists what a workspace update changed.
func workspaceChanges(before, after auditObject) string {
	var out []string
	if before.Name != after.Name {
		out = append(out, fmt.Sprintf("name “%s” → “%s”", before.Name, after.Name))
	}
	if before.TimeZone != after.TimeZone {
		out = append(out, fmt.Sprintf("time zone %s → %s", before.TimeZone, after.TimeZone))
	}
	b, a := before.BrandRules, after.BrandRules
	if b.Voice != a.Voice {
		out = append(out, "brand voice")
	}
	if !slices.Equal(b.BannedWords, a.BannedWords) {
		out = append(out, "banned words")
	}
	if !slices.Equal(b.RequiredHashtags, a.RequiredHashtags) {
		out = append(out, "required hashtags")
	}
	if !reflect.DeepEqual(voiceChecks(b), voiceChecks(a)) {
		out = append(out, "brand voice rules")
	}
	if b.RequireApproval != a.RequireApproval {
		if a.RequireApproval {
			out = append(out, "every post now needs approval")
		} else {
			out = append(out, "posts no longer all need approval")
		}
	}
	if len(out) == 0 {
		return "its settings"
	}
	return strings.Join(out, "; ")
}

// voiceChecks is the rules in their newer form alone, to tell whether
// they changed (the older lists are compared on their own).
func voiceChecks(r herald.BrandRules) herald.BrandRules {
	r.Voice, r.BannedWords, r.RequiredHashtags, r.RequireApproval = "", nil, nil, false
	return r
}
