package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxWorkRoutes registers the conversation page's tag and priority forms.
func (h *Handler) inboxWorkRoutes(m *http.ServeMux) {
	m.Handle("POST /w/{ws}/inbox/{item}/tags", h.inWorkspace(h.inboxTag))
	m.Handle("POST /w/{ws}/inbox/{item}/untag", h.inWorkspace(h.inboxUntag))
	m.Handle("POST /w/{ws}/inbox/{item}/priority", h.inWorkspace(h.inboxPriority))
}

// inboxWorkFilter is the part of the filter bar about tags, analysis and
// priority.
type inboxWorkFilter struct {
	Tag, Sentiment, Priority, Question string
	Overdue                            bool
}

func inboxWorkFilterOf(q url.Values) inboxWorkFilter {
	return inboxWorkFilter{Tag: strings.TrimSpace(q.Get("tag")), Sentiment: q.Get("sentiment"),
		Priority: q.Get("priority"), Question: q.Get("question"), Overdue: q.Get("overdue") == "yes"}
}

// apply adds the filter to s.
func (f inboxWorkFilter) apply(s *herald.InboxFilter) {
	s.Tag, s.Sentiment, s.Priority = f.Tag, f.Sentiment, herald.InboxPriority(f.Priority)
	if f.Question == "yes" || f.Question == "no" {
		q := f.Question == "yes"
		s.HasQuestion = &q
	}
	if f.Overdue {
		now := time.Now()
		s.OverdueAt = &now
	}
}

// add puts the filter in q.
func (f inboxWorkFilter) add(q url.Values) {
	for k, v := range map[string]string{"tag": f.Tag, "sentiment": f.Sentiment, "priority": f.Priority, "question": f.Question} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Overdue {
		q.Set("overdue", "yes")
	}
}

// overdue reports whether it is past its response target now: due,
// unanswered and not done.
func overdue(it herald.InboxItem) bool {
	return it.DueAt != nil && it.FirstResponseAt == nil && it.State != herald.InboxDone && time.Now().After(*it.DueAt)
}

// inboxBulkWork does the bulk form's tag and priority actions; ok is false
// for an action it does not know.
func (h *Handler) inboxBulkWork(r *http.Request, p *page, ids []int64, action string) (done string, ok bool, err error) {
	ctx := r.Context()
	switch action {
	case "tag":
		return "Tagged " + count(len(ids), "item") + ".", true, h.d.Inbox.AddTags(ctx, p.Actor, ids, splitList(r.PostForm.Get("tags")))
	case "untag":
		return "Removed tags from " + count(len(ids), "item") + ".", true, h.d.Inbox.RemoveTags(ctx, p.Actor, ids, splitList(r.PostForm.Get("tags")))
	case "priority":
		pr := herald.InboxPriority(r.PostForm.Get("priority"))
		return "Set " + count(len(ids), "item") + " to " + string(pr) + " priority.", true, h.d.Inbox.SetPriority(ctx, p.Actor, ids, pr)
	}
	return "", false, nil
}

// inboxItemChange runs change on the item of the address and goes back to
// its page.
func (h *Handler) inboxItemChange(w http.ResponseWriter, r *http.Request, p *page,
	change func(id int64) (string, error)) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	done, err := change(it.ID)
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), done, err)
}

func (h *Handler) inboxTag(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.inboxItemChange(w, r, p, func(id int64) (string, error) {
		tags := splitList(r.PostForm.Get("tags"))
		return "Tagged " + strings.Join(tags, ", ") + ".", h.d.Inbox.AddTags(r.Context(), p.Actor, []int64{id}, tags)
	})
}

func (h *Handler) inboxUntag(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.inboxItemChange(w, r, p, func(id int64) (string, error) {
		tag := r.PostForm.Get("tag")
		return "Removed the tag " + tag + ".", h.d.Inbox.RemoveTags(r.Context(), p.Actor, []int64{id}, []string{tag})
	})
}

func (h *Handler) inboxPriority(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.inboxItemChange(w, r, p, func(id int64) (string, error) {
		pr := herald.InboxPriority(r.PostForm.Get("priority"))
		return "Priority set to " + string(pr) + ".", h.d.Inbox.SetPriority(r.Context(), p.Actor, []int64{id}, pr)
	})
}

// sentimentLabel is how the item reads, in words.
func sentimentLabel(it herald.InboxItem) string {
	switch it.Sentiment {
	case herald.SentimentPositive:
		return "Positive"
	case herald.SentimentNegative:
		return "Negative"
	case herald.SentimentNeutral:
		return "Neutral"
	}
	return ""
}
