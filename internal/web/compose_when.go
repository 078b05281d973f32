package web

// The composer's guards: one draft per composer session, and times that
// have passed said in the viewer's words.

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// draftKeyTTL is how long a composer session's draft is remembered: long
// past any page left open while typing.
const draftKeyTTL = 24 * time.Hour

// newDraftKey names a new composer session.
func newDraftKey() string { return rand.Text() }

// draftKeyOf is the draft key a form sent, "" when it is not one.
func draftKeyOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 16 || len(s) > 64 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		return ""
	}
	return s
}

// draftKeys remembers the post each composer session created, so that
// the session saves that post again (an autosave racing the Save button,
// a page brought back by the browser's Back button) instead of a second
// draft. It is kept in memory by each instance: a composer page talks to
// the instance that served it for the life of the page.
type draftKeys struct {
	create sync.Mutex // held from looking a session up to remembering its new post
	mu     sync.Mutex
	posts  map[string]draftKey
}

// draftKey is the post one composer session created.
type draftKey struct {
	Workspace, User, Post int64
	At                    time.Time
}

// lock serialises the creating of new posts from composer sessions, so
// two saves of one session cannot both create; release it once the post
// is created (or found).
func (d *draftKeys) lock(key string) (release func()) {
	if key == "" {
		return func() {}
	}
	d.create.Lock()
	return d.create.Unlock
}

// get is the post the session key created for actor, 0 for none.
func (d *draftKeys) get(key string, actor herald.Actor) int64 {
	if key == "" {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	k, ok := d.posts[key]
	if !ok || k.Workspace != actor.WorkspaceID || k.User != actor.UserID {
		return 0
	}
	return k.Post
}

// put remembers that the session key created post id, forgetting
// sessions older than draftKeyTTL.
func (d *draftKeys) put(key string, actor herald.Actor, id int64, now time.Time) {
	if key == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.posts == nil {
		d.posts = map[string]draftKey{}
	}
	for k, v := range d.posts {
		if now.Sub(v.At) > draftKeyTTL {
			delete(d.posts, k)
		}
	}
	d.posts[key] = draftKey{Workspace: actor.WorkspaceID, User: actor.UserID, Post: id, At: now}
}

// passedWords says that at has passed, in the zone the page shows times
// in: "Tue 1 Dec 09:00 (Europe/Berlin) has passed — pick a later time".
func passedWords(at, now time.Time, loc *time.Location) string {
	return whenWords(at, now, loc) + " has passed — pick a later time."
}

// whenWords is an instant as the composer names it: "Tue 1 Dec 09:00
// (Europe/Berlin)", with the year when it is not this one.
func whenWords(at, now time.Time, loc *time.Location) string {
	at = at.In(loc)
	layout := "Mon 2 Jan 15:04"
	if at.Year() != now.In(loc).Year() {
		layout = "Mon 2 Jan 2006 15:04"
	}
	return at.Format(layout) + " (" + loc.String() + ")"
}

// pastTime is the problem with the form's time for action, "" when there
// is none: a time that has passed cannot be set, nor scheduled at. A
// stored time left as it was is kept by a plain save (a failed post's
// time, say), and checked only when scheduling.
func (h *Handler) pastTime(v composeView, action string) string {
	now := h.d.Clock.Now()
	at, err := v.F.at(v.Loc)
	if err != nil || at == nil || at.After(now) {
		return ""
	}
	if action != doSchedule && v.Post != nil {
		for _, t := range v.Post.Targets {
			if t.ScheduledAt != nil && t.ScheduledAt.Equal(*at) {
				return ""
			}
		}
	}
	return passedWords(*at, now, v.Loc)
}
