package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
)

// feedsRoutes registers the Feeds settings tab.
func (h *Handler) feedsRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/feeds", h.inWorkspace(h.feeds))
	m.Handle("POST /w/{ws}/settings/feeds", h.inWorkspace(h.feedCreate))
	m.Handle("POST /w/{ws}/settings/feeds/{feed}", h.inWorkspace(h.feedUpdate))
	m.Handle("POST /w/{ws}/settings/feeds/{feed}/pause", h.inWorkspace(h.feedPause))
	m.Handle("POST /w/{ws}/settings/feeds/{feed}/check", h.inWorkspace(h.feedCheck))
	m.Handle("POST /w/{ws}/settings/feeds/{feed}/preview", h.inWorkspace(h.feedCheck))
	m.Handle("POST /w/{ws}/settings/feeds/{feed}/delete", h.inWorkspace(h.feedDelete))
}

// feedsURL is the Feeds settings tab.
func feedsURL(ws int64) string { return settingsURL(ws, "feeds") }

// feedURL is an action on one feed ("" for its edit form).
func feedURL(ws, id int64, action string) string {
	u := feedsURL(ws) + "/" + itoa(id)
	if action != "" {
		u += "/" + action
	}
	return u
}

// feedForm is what the new-feed form or one feed's edit form holds.
type feedForm struct {
	URL, Name, Mode, Template string
	AccountIDs, LabelIDs      []int64
	CampaignID                int64
	Err                       *herald.Error
}

// feedRow is one feed on the page.
type feedRow struct {
	F    herald.Feed
	Form feedForm
	Open bool // the edit form is shown open
	// Result is what "Check now" or "Preview" just did, shown under the feed.
	Result *feeds.Result
	// CheckErr is why "Check now" or "Preview" could not read the feed.
	CheckErr *herald.Error
}

// feedsData is the Feeds tab.
type feedsData struct {
	Rows      []feedRow
	New       feedForm
	Accounts  []herald.Account
	Labels    []herald.Label
	Campaigns []herald.Campaign
	CanManage bool
	Now       time.Time // for the feeds' next reads
}

func (h *Handler) feeds(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderFeeds(w, r, p, http.StatusOK, feedsData{New: feedForm{Mode: string(herald.FeedQueue),
		Template: herald.DefaultFeedTemplate}}, feedRow{})
}

// renderFeeds renders the tab; changed carries a refused edit, or a check's
// result, for the row of its feed.
func (h *Handler) renderFeeds(w http.ResponseWriter, r *http.Request, p *page, status int, d feedsData, changed feedRow) error {
	ctx := r.Context()
	fs, err := h.d.Feeds.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.CanManage = p.Can(herald.ActPostsWrite) && p.Can(herald.ActPostsSchedule)
	d.Now = h.d.Clock.Now()
	if d.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return err
	}
	if d.Labels, err = h.d.Labels.List(ctx, p.Actor); err != nil {
		return err
	}
	if p.Can(herald.ActCampaignsRead) {
		if d.Campaigns, err = h.d.Campaigns.List(ctx, p.Actor); err != nil {
			return err
		}
	}
	for _, f := range fs {
		row := feedRow{F: f, Form: feedFormOf(f)}
		if f.ID == changed.F.ID {
			row.Result, row.CheckErr = changed.Result, changed.CheckErr
			if changed.Open {
				row.Form, row.Open = changed.Form, true
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title = "Feeds"
	h.render(w, r, status, feedsPage(p, d))
	return nil
}

// feedFormOf fills the form from a stored feed.
func feedFormOf(f herald.Feed) feedForm {
	in := feedForm{URL: f.URL, Name: f.Name, Mode: string(f.Mode), Template: f.Template, AccountIDs: f.AccountIDs, LabelIDs: f.LabelIDs}
	if f.CampaignID != nil {
		in.CampaignID = *f.CampaignID
	}
	return in
}

// feedFormFrom reads the posted form.
func feedFormFrom(r *http.Request) feedForm {
	in := feedForm{URL: strings.TrimSpace(r.PostFormValue("url")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Mode: r.PostFormValue("mode"), Template: r.PostFormValue("template")}
	ids := func(key string) []int64 {
		var out []int64
		for _, v := range r.PostForm[key] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				out = append(out, id)
			}
		}
		return out
	}
	if err := r.ParseForm(); err == nil {
		in.AccountIDs, in.LabelIDs = ids("account_id"), ids("label_id")
	}
	in.CampaignID, _ = strconv.ParseInt(r.PostFormValue("campaign_id"), 10, 64)
	return in
}

func (in feedForm) feed() herald.Feed {
	f := herald.Feed{URL: in.URL, Name: in.Name, Mode: herald.FeedMode(in.Mode), AccountIDs: in.AccountIDs,
		Template: in.Template, LabelIDs: in.LabelIDs}
	if in.CampaignID > 0 {
		id := in.CampaignID
		f.CampaignID = &id
	}
	return f
}

func (h *Handler) feedCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := feedFormFrom(r)
	f, err := h.d.Feeds.Create(r.Context(), p.Actor, in.feed())
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderFeeds(w, r, p, statusOf(in.Err), feedsData{New: in}, feedRow{})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Added the feed “%s”. Herald reads it within a few minutes, "+
		"and every %s after; “Check now” reads it at once.", feedName(f), feeds.DefaultInterval))
	http.Redirect(w, r, feedsURL(p.Current.ID)+"#feed-"+itoa(f.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) feedUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "feed", "feed")
	if err != nil {
		return err
	}
	in := feedFormFrom(r)
	patch := feeds.Patch{URL: &in.URL, Name: &in.Name, AccountIDs: &in.AccountIDs, Template: &in.Template,
		LabelIDs: &in.LabelIDs, ClearCampaign: in.CampaignID == 0}
	mode := herald.FeedMode(in.Mode)
	patch.Mode = &mode
	if in.CampaignID > 0 {
		patch.CampaignID = &in.CampaignID
	}
	f, err := h.d.Feeds.Update(r.Context(), p.Actor, id, patch)
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderFeeds(w, r, p, statusOf(in.Err), feedsData{}, feedRow{F: herald.Feed{ID: id}, Form: in, Open: true})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the feed “%s”. Its posts are now made in your name.", feedName(f)))
	http.Redirect(w, r, feedsURL(p.Current.ID)+"#feed-"+itoa(f.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) feedPause(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "feed", "feed")
	if err != nil {
		return err
	}
	paused := r.PostFormValue("paused") == "true"
	f, err := h.d.Feeds.Update(r.Context(), p.Actor, id, feeds.Patch{Paused: &paused})
	if err != nil {
		return err
	}
	said := "Paused the feed “%s”: Herald does not read it until you resume it."
	if !paused {
		said = "Resumed the feed “%s”: Herald reads it again within a few minutes."
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf(said, feedName(f)))
	http.Redirect(w, r, feedsURL(p.Current.ID)+"#feed-"+itoa(f.ID), http.StatusSeeOther)
	return nil
}

// feedCheck reads a feed now: "Check now" uses its new entries, "Preview"
// only shows what they would become.
func (h *Handler) feedCheck(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "feed", "feed")
	if err != nil {
		return err
	}
	check := h.d.Feeds.Poll
	if strings.HasSuffix(r.URL.Path, "/preview") {
		check = h.d.Feeds.Preview
	}
	res, err := check(r.Context(), p.Actor, id)
	row := feedRow{F: herald.Feed{ID: id}, Result: &res}
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeForbidden || he.Code == herald.CodeNotFound {
			return err
		}
		row.Result, row.CheckErr = nil, he
	}
	return h.renderFeeds(w, r, p, http.StatusOK, feedsData{New: feedForm{Mode: string(herald.FeedQueue),
		Template: herald.DefaultFeedTemplate}}, row)
}

func (h *Handler) feedDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "feed", feedsURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			f, err := h.d.Feeds.Get(ctx, p.Actor, id)
			return feedName(f), err
		},
		func(ctx context.Context, id int64) error { return h.d.Feeds.Delete(ctx, p.Actor, id) },
		"Deleted the feed “%s”. The posts it made stay as they are.")
}

// feedName is a feed's name, else its address.
func feedName(f herald.Feed) string {
	if f.Name != "" {
		return f.Name
	}
	return f.URL
}

// feedState says in words how a feed's polling stands.
func feedState(f herald.Feed, now time.Time, loc *time.Location) string {
	switch {
	case f.Paused:
		return "Paused."
	case f.LastPolledAt == nil:
		return "Not read yet; Herald reads it within a few minutes."
	}
	s := "Last read " + fmtTime(*f.LastPolledAt, loc) + "."
	if f.NextPollAt.After(now) {
		s += " Next read " + fmtTime(f.NextPollAt, loc) + "."
	} else {
		s += " Next read within a few minutes."
	}
	return s
}

// feedFailure says how the feed's reads have been failing.
func feedFailure(f herald.Feed) string {
	if f.LastError == "" {
		return ""
	}
	s := "The last read failed: " + f.LastError + "."
	if f.Failures > 1 {
		s = fmt.Sprintf("The last %d reads failed; the last one: %s. Herald waits longer after each failure.", f.Failures, f.LastError)
	}
	return strings.ReplaceAll(s, "..", ".")
}

// entriesUsed says how many entries became posts.
func entriesUsed(n int) string {
	switch n {
	case 0:
		return "no entries used yet"
	case 1:
		return "1 entry became a post"
	}
	return fmt.Sprintf("%d entries became posts", n)
}

// feedAccounts names the accounts of a feed (and how many were removed).
func feedAccounts(ids []int64, accounts []herald.Account) string {
	var names []string
	for _, a := range accounts {
		if slices.Contains(ids, a.ID) {
			names = append(names, a.Handle)
		}
	}
	if len(names) < len(ids) {
		names = append(names, fmt.Sprintf("%d removed", len(ids)-len(names)))
	}
	return strings.Join(names, ", ")
}

// resultWords sums up a check.
func resultWords(res feeds.Result) string {
	var parts []string
	switch {
	case res.NotModified:
		return "The feed has not changed since the last read: nothing new."
	case res.Preview && len(res.Posts) == 0:
		parts = append(parts, fmt.Sprintf("The feed holds %s; none would become a post.", entries(res.Entries)))
	case res.Preview:
		parts = append(parts, fmt.Sprintf("The feed holds %s; the next read would make these posts:", entries(res.Entries)))
	case len(res.Posts) == 0:
		parts = append(parts, fmt.Sprintf("Read %s; nothing new to post.", entries(res.Entries)))
	case len(res.Posts) == 1:
		parts = append(parts, fmt.Sprintf("Read %s; 1 became a post:", entries(res.Entries)))
	default:
		parts = append(parts, fmt.Sprintf("Read %s; %d became posts:", entries(res.Entries), len(res.Posts)))
	}
	if res.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d older than the feed were passed over.", res.Skipped))
	}
	if res.Waiting > 0 {
		parts = append(parts, fmt.Sprintf("%d more wait for the next read.", res.Waiting))
	}
	return strings.Join(parts, " ")
}

// entries counts entries in words.
func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

// entryOutcome says what became of a used entry's post.
func entryOutcome(e feeds.EntryPost, loc *time.Location) string {
	switch {
	case e.PostID == 0:
		return ""
	case e.ScheduledAt != nil && e.State == herald.StateScheduled:
		return "queued for " + fmtTime(*e.ScheduledAt, loc)
	}
	return stateLabel(e.State)
}
