package herald

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Post is the idea and its base content; its Targets are the post on each account.
type Post struct {
	ID          int64    `json:"id"`
	WorkspaceID int64    `json:"workspace_id"`
	AuthorID    int64    `json:"author_id"`
	Title       string   `json:"title,omitempty"` // internal name, never published
	Text        string   `json:"text"`            // base text; a target's variant overrides it
	CampaignID  *int64   `json:"campaign_id,omitempty"`
	LabelIDs    []int64  `json:"label_ids"`
	Targets     []Target `json:"targets"`
	// Recurrence is an RFC 5545 RRULE without DTSTART (e.g.
	// "FREQ=WEEKLY;BYDAY=MO"), set on the first post of a series; its
	// DTSTART is the first target's scheduled time in the workspace zone.
	Recurrence string `json:"recurrence,omitempty"`
	// SeriesID is the first post of the series this post belongs to (the
	// first post's own id for the first post), nil outside a series.
	SeriesID *int64 `json:"series_id,omitempty"`
	// OccurrenceAt is the occurrence of the series this post is; a series
	// never has two posts for one occurrence.
	OccurrenceAt *time.Time `json:"occurrence_at,omitempty"`
	// Links says whether the post's links are tracked and with which UTM
	// parameters; nil: tracked as the workspace's analytics settings say,
	// with the default parameters.
	Links     *LinkTracking `json:"links,omitempty"`
	Version   int64         `json:"version"` // bumped by every edit; the API's ETag
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// Validate checks the post's own fields and each target's variant.
func (p *Post) Validate() error {
	var pr Problems
	if utf8.RuneCountInString(p.Title) > 200 {
		pr.Add("title", "is longer than 200 characters")
	}
	CheckLine(&pr, "title", p.Title)
	if n := utf8.RuneCountInString(p.Text); n > MaxTextLen {
		pr.Add("text", "is %d characters; at most %d are allowed", n, MaxTextLen)
	}
	CheckText(&pr, "text", p.Text)
	CheckLine(&pr, "recurrence", p.Recurrence)
	if p.Links != nil {
		p.Links.UTM.validate(&pr, "links.utm")
	}
	seen := map[int64]bool{}
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.AccountID <= 0 {
			pr.Add(fieldf("targets", i, "account_id"), "is required")
		} else if seen[t.AccountID] {
			pr.Add(fieldf("targets", i, "account_id"), "account %d is targeted twice", t.AccountID)
		}
		seen[t.AccountID] = true
		t.Variant.validate(&pr, fieldf("targets", i, "variant"))
	}
	return pr.Err("the post is not valid")
}

func fieldf(list string, i int, field string) string {
	return list + "[" + strconv.Itoa(i) + "]." + field
}

// Variant is what one target publishes. An empty Text means "use the post's text".
type Variant struct {
	Text         string            `json:"text"`
	MediaIDs     []int64           `json:"media_ids,omitempty"`
	Thread       []ThreadPart      `json:"thread,omitempty"` // parts after the first, each a reply to the one before
	FirstComment string            `json:"first_comment,omitempty"`
	Options      map[string]string `json:"options,omitempty"` // platform options: visibility, spoiler_text, language, …
}

// ThreadPart is one later part of a thread.
type ThreadPart struct {
	Text     string  `json:"text"`
	MediaIDs []int64 `json:"media_ids,omitempty"`
}

func (v *Variant) validate(p *Problems, field string) {
	if n := utf8.RuneCountInString(v.Text); n > MaxTextLen {
		p.Add(field+".text", "is %d characters; at most %d are allowed", n, MaxTextLen)
	}
	CheckText(p, field+".text", v.Text)
	if len(v.Thread) > MaxThreadParts {
		p.Add(field+".thread", "has %d parts; at most %d are allowed", len(v.Thread), MaxThreadParts)
	}
	for i, part := range v.Thread {
		if strings.TrimSpace(part.Text) == "" && len(part.MediaIDs) == 0 {
			p.Add(fieldf(field+".thread", i, "text"), "is empty: a thread part needs text or media")
		}
		if n := utf8.RuneCountInString(part.Text); n > MaxTextLen {
			p.Add(fieldf(field+".thread", i, "text"), "is %d characters; at most %d are allowed", n, MaxTextLen)
		}
		CheckText(p, fieldf(field+".thread", i, "text"), part.Text)
	}
	if n := utf8.RuneCountInString(v.FirstComment); n > MaxTextLen {
		p.Add(field+".first_comment", "is %d characters; at most %d are allowed", n, MaxTextLen)
	}
	CheckText(p, field+".first_comment", v.FirstComment)
	for k, val := range v.Options {
		if k == "" || len(k) > 64 {
			p.Add(field+".options", "option names must be 1 to 64 characters")
		}
		CheckLine(p, field+".options", k)
		CheckText(p, field+".options."+k, val)
	}
}

// MediaIDsAll returns every media id the variant uses, thread parts included.
func (v Variant) MediaIDsAll() []int64 {
	ids := append([]int64(nil), v.MediaIDs...)
	for _, part := range v.Thread {
		ids = append(ids, part.MediaIDs...)
	}
	return ids
}

// TargetState is where a target is in its life.
type TargetState string

// Target states (see DESIGN.md).
const (
	StateDraft       TargetState = "draft"
	StateInReview    TargetState = "in_review"
	StateApproved    TargetState = "approved"
	StateScheduled   TargetState = "scheduled"
	StatePublishing  TargetState = "publishing"
	StatePublished   TargetState = "published"
	StateRetrying    TargetState = "retrying"
	StateUnconfirmed TargetState = "unconfirmed" // the platform may or may not have it: a person decides
	StateFailed      TargetState = "failed"
	StateHeld        TargetState = "held"
	StateCancelled   TargetState = "cancelled"
)

// TargetStates lists every state.
var TargetStates = []TargetState{StateDraft, StateInReview, StateApproved, StateScheduled,
	StatePublishing, StatePublished, StateRetrying, StateUnconfirmed, StateFailed, StateHeld,
	StateCancelled}

// Valid reports whether s is a known state.
func (s TargetState) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// transitions is the state machine: from → allowed destinations.
var transitions = map[TargetState][]TargetState{
	StateDraft:       {StateInReview, StateScheduled, StateCancelled},
	StateInReview:    {StateApproved, StateDraft, StateCancelled},
	StateApproved:    {StateScheduled, StateDraft, StateCancelled},
	StateScheduled:   {StatePublishing, StateHeld, StateDraft, StateCancelled},
	StatePublishing:  {StatePublished, StateRetrying, StateUnconfirmed, StateFailed},
	StateRetrying:    {StatePublishing, StateHeld, StateFailed, StateCancelled},
	StateUnconfirmed: {StatePublished, StateScheduled, StateFailed, StateCancelled},
	StateFailed:      {StateScheduled, StateDraft, StateCancelled},
	StateHeld:        {StateScheduled, StateInReview, StateCancelled},
	StateCancelled:   {StateDraft},
	StatePublished:   {},
}

// CanTransition reports whether from → to is a legal move.
func CanTransition(from, to TargetState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Editable reports whether a target in state s may have its content or
// schedule changed by a person (not while it is being or has been published).
func (s TargetState) Editable() bool {
	switch s {
	case StatePublishing, StatePublished, StateRetrying:
		return false
	}
	return true
}

// Target is a post on one account, with its own variant and state.
type Target struct {
	ID          int64       `json:"id"`
	PostID      int64       `json:"post_id"`
	WorkspaceID int64       `json:"workspace_id"`
	AccountID   int64       `json:"account_id"`
	Variant     Variant     `json:"variant"`
	State       TargetState `json:"state"`
	ScheduledAt *time.Time  `json:"scheduled_at,omitempty"` // UTC instant
	RemoteID    string      `json:"remote_id,omitempty"`
	RemoteURL   string      `json:"remote_url,omitempty"`
	LastError   string      `json:"last_error,omitempty"` // in the platform's own words
	PublishedAt *time.Time  `json:"published_at,omitempty"`
	// DueAt is when the dispatcher acts next: ScheduledAt once scheduled, the
	// retry time while retrying, nil otherwise. Transition keeps it right.
	DueAt *time.Time `json:"due_at,omitempty"`
	// Attempts counts publish attempts so far.
	Attempts int `json:"attempts"`
	// Progress is what a multi-part publication has confirmed (thread parts,
	// first comment), so it resumes after a crash.
	Progress Progress `json:"progress"`
	// HeldBy, HeldAt and HeldReason say who held the target and why.
	HeldBy     *int64     `json:"held_by,omitempty"`
	HeldAt     *time.Time `json:"held_at,omitempty"`
	HeldReason string     `json:"held_reason,omitempty"`
	// RemoteDeletedAt is when a person deleted the published post from its
	// platform through Herald; the target stays published (the state
	// machine has nothing after published) and keeps its remote id.
	RemoteDeletedAt *time.Time `json:"remote_deleted_at,omitempty"`
	// EditedAt is when the published post's text was last edited on its
	// platform through Herald.
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	Version   int64      `json:"version"` // bumped by every state change
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Ref returns the published post's reference on its platform: the first
// confirmed part (which carries platform specifics such as a Bluesky cid)
// when it is the post itself, else the remote id and URL.
func (t Target) Ref() RemoteRef {
	if len(t.Progress.Parts) > 0 && t.Progress.Parts[0].ID == t.RemoteID {
		r := t.Progress.Parts[0]
		if r.URL == "" {
			r.URL = t.RemoteURL
		}
		return r
	}
	return RemoteRef{ID: t.RemoteID, URL: t.RemoteURL}
}

// TargetTransition records one state change of a target.
type TargetTransition struct {
	ID       int64       `json:"id"`
	TargetID int64       `json:"target_id"`
	From     TargetState `json:"from"`
	To       TargetState `json:"to"`
	ActorID  *int64      `json:"actor_id,omitempty"` // nil for Herald itself (the dispatcher)
	// ActorName names an actor that is not a member (a review link).
	ActorName string    `json:"actor_name,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// Transition moves t to state to, refusing illegal moves with a conflict
// error, and returns the record to store with it. actorID is nil when Herald
// itself moves the target.
func (t *Target) Transition(to TargetState, actorID *int64, reason string, now time.Time) (TargetTransition, error) {
	if !to.Valid() {
		return TargetTransition{}, Errorf(CodeInvalid, "%q is not a target state", to)
	}
	if !CanTransition(t.State, to) {
		return TargetTransition{}, Errorf(CodeConflict, "a %s target cannot become %s", t.State, to)
	}
	tr := TargetTransition{TargetID: t.ID, From: t.State, To: to, ActorID: actorID, Reason: reason, At: now}
	t.State = to
	t.UpdatedAt = now
	switch to {
	case StateScheduled:
		t.DueAt = t.ScheduledAt
	case StateRetrying, StatePublishing:
		// the dispatcher sets the retry time; publishing keeps the due time it had
	default:
		t.DueAt = nil
	}
	if to == StateHeld {
		t.HeldBy, t.HeldAt, t.HeldReason = actorID, &now, reason
	} else if tr.From == StateHeld {
		t.HeldBy, t.HeldAt, t.HeldReason = nil, nil, ""
	}
	if to == StatePublished && t.PublishedAt == nil {
		at := now
		t.PublishedAt = &at
	}
	return tr, nil
}

// PostFilter selects posts for a listing. Zero fields do not filter.
type PostFilter struct {
	WorkspaceID int64
	States      []TargetState // posts with at least one target in one of these states
	AccountID   int64         // posts with a target on this account
	LabelID     int64
	CampaignID  int64
	SeriesID    int64      // posts of this series (its first post included)
	From, To    *time.Time // posts with a target scheduled in [From, To)
	// Drafts keeps the posts none of whose targets has left draft, posts
	// without targets (ideas) included.
	Drafts bool
	// Query keeps the posts whose title, text, or a target's own text or
	// thread part contains it, ignoring case (ASCII case in SQLite).
	Query string
	Page
}

// LikePattern is the SQL LIKE pattern matching any text that contains s,
// with \ as its escape character (LIKE … ESCAPE '\'), so the stores
// search for s's own % and _ literally.
func LikePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}

// Page asks for one page of a listing: at most Limit items after Cursor
// (an opaque string a previous page returned; "" for the first page).
type Page struct {
	Cursor string
	Limit  int
}

// Paging defaults.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// Normalize clamps Limit into [1, MaxPageLimit], defaulting to DefaultPageLimit.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}

// ShortTitle names a post in lists: its title, else the start of its text
// (spaces collapsed, 60 characters at most).
func ShortTitle(title, text string) string {
	if title != "" {
		return title
	}
	if r := []rune(strings.Join(strings.Fields(text), " ")); len(r) > 60 {
		return string(r[:59]) + "…"
	} else {
		return string(r)
	}
}
