package evergreen

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Horizon is how far ahead recycling fills free slots.
const Horizon = 7 * 24 * time.Hour

// takingStates are the states in which a target holds its slot.
var takingStates = []herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateRetrying}

// Recycle fills, in every workspace whose recycling is enabled, the free
// slots of the coming week, and returns how many copies it made. Each
// account is filled in its own transaction, so one failure holds up no
// other; the store's unique keys make a second runner's copy for a slot a
// conflict, which rolls that runner's account back.
func (s *Service) Recycle(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.store.ListEvergreenWorkspaces(ctx)
	if err != nil {
		return 0, fmt.Errorf("evergreen: list workspaces: %w", err)
	}
	total := 0
	var errs []error
	for _, id := range ids {
		n, err := s.RecycleWorkspace(ctx, id, now)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// RecycleWorkspace fills one workspace's free slots of the coming week
// (nothing when its recycling is off) and returns how many copies it made.
func (s *Service) RecycleWorkspace(ctx context.Context, workspaceID int64, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	st, err := settings(ctx, s.store, workspaceID)
	if err != nil || !st.Enabled {
		return 0, err
	}
	accts, err := s.store.ListAccounts(ctx, workspaceID)
	if err != nil {
		return 0, fmt.Errorf("evergreen: list accounts: %w", err)
	}
	total := 0
	var errs []error
	for _, a := range accts {
		if !st.Includes(a.ID) || a.PausedAt != nil || len(a.PostingSchedule.Slots) == 0 ||
			(a.Status != herald.AccountConnected && a.Status != herald.AccountExpiring) {
			continue
		}
		var made []herald.EvergreenCopy
		err := s.store.InTx(ctx, func(tx herald.Tx) error {
			made = nil
			// One runner at a time per account: a second one waits here,
			// then reads the first one's copies, so that its choice of
			// slots and its cooldowns rest on the same state (PostgreSQL
			// reads committed rows statement by statement).
			if _, err := tx.LockAccount(ctx, workspaceID, a.ID); err != nil {
				return fmt.Errorf("evergreen: lock account %d: %w", a.ID, err)
			}
			f, err := newFiller(ctx, tx, st, a, accts, now)
			if err != nil {
				return err
			}
			made, err = f.fill(ctx, tx)
			return err
		})
		if errors.Is(err, herald.ErrConflict) {
			// Another runner filled this account's slots first.
			s.logger.InfoContext(ctx, "evergreen slots filled by another runner", "workspace_id", workspaceID, "account_id", a.ID)
			continue
		}
		if err != nil {
			s.logger.ErrorContext(ctx, "evergreen recycling", "workspace_id", workspaceID, "account_id", a.ID, "error", err)
			errs = append(errs, fmt.Errorf("evergreen: recycle on account %d: %w", a.ID, err))
			continue
		}
		for _, c := range made {
			s.logger.InfoContext(ctx, "evergreen post recycled", "workspace_id", workspaceID, "origin_id", c.OriginID,
				"account_id", c.AccountID, "slot_at", c.SlotAt, "post_id", *c.PostID, "variant", c.Variant)
		}
		total += len(made)
	}
	return total, errors.Join(errs...)
}

// use is one time a text or a post went out (or is to go out).
type use struct {
	at   time.Time
	text string // normalised
}

// candidate is an evergreen post that can go out on the account.
type candidate struct {
	origin herald.Post
	target herald.Target // the origin's published target on the account
	texts  []string      // the post's own text, then the variants
	uses   []time.Time   // the post on the account: publications and pending copies
	last   []time.Time   // per text, its last use on the account (zero: never)
}

// filler decides and makes one account's copies within one transaction.
type filler struct {
	st       herald.EvergreenSettings
	acct     herald.Account
	loc      *time.Location
	now, end time.Time
	cooldown time.Duration
	cands    []*candidate
	taken    map[int64]bool // slots in use (unix microseconds)
	total    int            // targets holding a slot in [now, end)
	slots    int            // the posting schedule's slots in [now, end)
	recycled int            // of which recycled copies
	platform []use          // texts on the account's platform around the window
}

func newFiller(ctx context.Context, tx herald.Tx, st herald.EvergreenSettings, a herald.Account, accts []herald.Account, now time.Time) (*filler, error) {
	ws, err := tx.GetWorkspace(ctx, a.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("evergreen: get workspace: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		return nil, err
	}
	f := &filler{st: st, acct: a, loc: loc, now: now, end: now.Add(Horizon), cooldown: st.Cooldown(), taken: map[int64]bool{}}
	if err := f.loadCandidates(ctx, tx); err != nil || len(f.cands) == 0 {
		return f, err
	}
	if err := f.loadQueue(ctx, tx); err != nil {
		return nil, err
	}
	if err := f.loadPlatform(ctx, tx, accts); err != nil {
		return nil, err
	}
	return f, nil
}

// loadCandidates finds the evergreen posts published on the account and
// their uses there.
func (f *filler) loadCandidates(ctx context.Context, tx herald.Tx) error {
	es, err := tx.ListEvergreen(ctx, f.acct.WorkspaceID)
	if err != nil {
		return fmt.Errorf("evergreen: list: %w", err)
	}
	for _, e := range es {
		p, err := tx.GetPost(ctx, e.WorkspaceID, e.PostID)
		if err != nil {
			return fmt.Errorf("evergreen: get post %d: %w", e.PostID, err)
		}
		i := slices.IndexFunc(p.Targets, func(t herald.Target) bool {
			return t.AccountID == f.acct.ID && t.State == herald.StatePublished
		})
		if i < 0 {
			continue
		}
		t := p.Targets[i]
		base := t.Variant.Text
		if base == "" {
			base = p.Text
		}
		c := &candidate{origin: p, target: t, texts: append([]string{base}, e.Variants...)}
		c.last = make([]time.Time, len(c.texts))
		if t.PublishedAt != nil {
			c.uses = append(c.uses, *t.PublishedAt)
			c.last[0] = *t.PublishedAt
		}
		copies, err := tx.ListEvergreenCopies(ctx, e.WorkspaceID, e.PostID)
		if err != nil {
			return fmt.Errorf("evergreen: list copies of %d: %w", e.PostID, err)
		}
		for _, cp := range copies {
			if cp.AccountID != f.acct.ID {
				continue
			}
			if cp.Variant < len(c.last) && cp.SlotAt.After(c.last[cp.Variant]) {
				c.last[cp.Variant] = cp.SlotAt
			}
			at, ok, err := copyUse(ctx, tx, cp)
			if err != nil {
				return err
			}
			if ok {
				c.uses = append(c.uses, at)
			}
		}
		f.cands = append(f.cands, c)
	}
	return nil
}

// copyUse returns when a copy went or goes out: its publication, or its
// slot while it still holds it; false when a person deleted or stopped it.
func copyUse(ctx context.Context, tx herald.Tx, c herald.EvergreenCopy) (time.Time, bool, error) {
	if c.PostID == nil {
		return time.Time{}, false, nil
	}
	p, err := tx.GetPost(ctx, c.WorkspaceID, *c.PostID)
	if errors.Is(err, herald.ErrNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("evergreen: get copy %d: %w", *c.PostID, err)
	}
	for _, t := range p.Targets {
		if t.AccountID != c.AccountID {
			continue
		}
		switch {
		case t.State == herald.StatePublished && t.PublishedAt != nil:
			return *t.PublishedAt, true, nil
		case t.State != herald.StateCancelled && t.State != herald.StateFailed && t.State != herald.StateDraft:
			return c.SlotAt, true, nil
		}
	}
	return time.Time{}, false, nil
}

// loadQueue counts the account's targets holding a slot in the window and
// marks their slots, and every recycled copy's slot, taken.
func (f *filler) loadQueue(ctx context.Context, tx herald.Tx) error {
	copies, err := tx.ListAccountEvergreenCopies(ctx, f.acct.WorkspaceID, f.acct.ID, f.now, f.end)
	if err != nil {
		return fmt.Errorf("evergreen: list the account's copies: %w", err)
	}
	isCopy := map[int64]bool{}
	for _, c := range copies {
		f.taken[c.SlotAt.UnixMicro()] = true
		if c.PostID != nil {
			isCopy[*c.PostID] = true
		}
	}
	from, to := f.now, f.end
	return eachPost(ctx, tx, herald.PostFilter{WorkspaceID: f.acct.WorkspaceID, AccountID: f.acct.ID, States: takingStates,
		From: &from, To: &to}, func(p herald.Post) {
		for _, t := range p.Targets {
			if t.AccountID != f.acct.ID || t.ScheduledAt == nil || !slices.Contains(takingStates, t.State) ||
				t.ScheduledAt.Before(f.now) || !t.ScheduledAt.Before(f.end) {
				continue
			}
			f.taken[t.ScheduledAt.UnixMicro()] = true
			f.total++
			if isCopy[p.ID] {
				f.recycled++
			}
		}
	})
}

// loadPlatform gathers the texts published or scheduled on the account's
// platform (every account of the workspace on it) within a cooldown of the
// window.
func (f *filler) loadPlatform(ctx context.Context, tx herald.Tx, accts []herald.Account) error {
	from, to := f.now.Add(-f.cooldown-24*time.Hour), f.end.Add(f.cooldown)
	seen := map[int64]bool{}
	for _, a := range accts {
		if a.Platform != f.acct.Platform {
			continue
		}
		err := eachPost(ctx, tx, herald.PostFilter{WorkspaceID: a.WorkspaceID, AccountID: a.ID, From: &from, To: &to},
			func(p herald.Post) {
				for _, t := range p.Targets {
					if t.AccountID != a.ID || seen[t.ID] {
						continue
					}
					seen[t.ID] = true
					text := t.Variant.Text
					if text == "" {
						text = p.Text
					}
					switch {
					case t.State == herald.StatePublished && t.PublishedAt != nil:
						f.platform = append(f.platform, use{at: *t.PublishedAt, text: herald.NormalizeText(text)})
					case slices.Contains(takingStates, t.State) && t.ScheduledAt != nil:
						f.platform = append(f.platform, use{at: *t.ScheduledAt, text: herald.NormalizeText(text)})
					}
				}
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachPost calls fn for every post f selects, page by page.
func eachPost(ctx context.Context, tx herald.Tx, f herald.PostFilter, fn func(herald.Post)) error {
	f.Page = herald.Page{Limit: herald.MaxPageLimit}
	for {
		posts, next, err := tx.ListPosts(ctx, f)
		if err != nil {
			return fmt.Errorf("evergreen: list posts: %w", err)
		}
		for _, p := range posts {
			fn(p)
		}
		if next == "" {
			return nil
		}
		f.Cursor = next
	}
}

// allowed reports whether one more copy keeps the account's recycled share
// at most the maximum. The share is of the account's queue in the window:
// its posting slots there, or its scheduled posts when they are more, so
// an account with an empty queue still gets copies (25 % of 14 slots a
// week is 3), and one whose slots are all taken by its own posts gets none.
func (f *filler) allowed() bool {
	return (f.recycled+1)*100 <= f.st.MaxSharePercent*max(f.slots, f.total+1)
}

// countSlots counts the posting schedule's slots in [now, end), taken or not.
func (f *filler) countSlots() {
	none := map[int64]bool{}
	for cursor := f.now; f.slots < herald.MaxPostingSlots*2; f.slots++ {
		slot, ok := post.NextSlot(f.acct.PostingSchedule, f.loc, cursor, none, f.end.Sub(cursor))
		if !ok || !slot.Before(f.end) {
			return
		}
		none[slot.UnixMicro()] = true
		cursor = slot
	}
}

// fill makes copies slot by slot until the share is reached or the week's
// slots run out, and returns them.
func (f *filler) fill(ctx context.Context, tx herald.Tx) ([]herald.EvergreenCopy, error) {
	var made []herald.EvergreenCopy
	f.countSlots()
	cursor := f.now
	for len(f.cands) > 0 && f.allowed() {
		slot, ok := post.NextSlot(f.acct.PostingSchedule, f.loc, cursor, f.taken, f.end.Sub(cursor))
		if !ok || !slot.Before(f.end) {
			break
		}
		cursor = slot
		f.taken[slot.UnixMicro()] = true
		c, variant, ok := f.choose(slot)
		if !ok {
			continue
		}
		cp, err := f.create(ctx, tx, c, variant, slot)
		if err != nil {
			return nil, err
		}
		made = append(made, cp)
		f.total++
		f.recycled++
		c.uses = append(c.uses, slot)
		c.last[variant] = slot
		f.platform = append(f.platform, use{at: slot, text: herald.NormalizeText(c.texts[variant])})
	}
	return made, nil
}

// choose picks, for slot, the evergreen post longest unused on the account
// that is out of its cooldown, and its text least recently used there that
// the platform has not seen within the cooldown.
func (f *filler) choose(slot time.Time) (*candidate, int, bool) {
	order := slices.Clone(f.cands)
	slices.SortStableFunc(order, func(a, b *candidate) int {
		return cmp.Or(latest(a.uses).Compare(latest(b.uses)), cmp.Compare(a.origin.ID, b.origin.ID))
	})
	for _, c := range order {
		if slices.ContainsFunc(c.uses, func(u time.Time) bool { return within(u, slot, f.cooldown) }) {
			continue
		}
		idx := make([]int, len(c.texts))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return c.last[a].Compare(c.last[b]) })
		for _, i := range idx {
			norm := herald.NormalizeText(c.texts[i])
			if !slices.ContainsFunc(f.platform, func(u use) bool { return u.text == norm && within(u.at, slot, f.cooldown) }) {
				return c, i, true
			}
		}
	}
	return nil, 0, false
}

// create makes the copy's post, scheduled at slot, and its record.
func (f *filler) create(ctx context.Context, tx herald.Tx, c *candidate, variant int, slot time.Time) (herald.EvergreenCopy, error) {
	v := c.target.Variant
	v.Text = c.texts[variant]
	v.MediaIDs = slices.Clone(v.MediaIDs)
	v.Thread = slices.Clone(v.Thread)
	p := herald.Post{WorkspaceID: c.origin.WorkspaceID, AuthorID: c.origin.AuthorID, Title: c.origin.Title,
		Text: c.texts[variant], LabelIDs: slices.Clone(c.origin.LabelIDs), Links: c.origin.Links, CreatedAt: f.now, UpdatedAt: f.now,
		Targets: []herald.Target{{AccountID: f.acct.ID, Variant: v, State: herald.StateScheduled, ScheduledAt: &slot,
			CreatedAt: f.now, UpdatedAt: f.now}}}
	if err := tx.CreatePost(ctx, &p); err != nil {
		return herald.EvergreenCopy{}, fmt.Errorf("evergreen: create copy of post %d: %w", c.origin.ID, err)
	}
	cp := herald.EvergreenCopy{WorkspaceID: p.WorkspaceID, OriginID: c.origin.ID, AccountID: f.acct.ID, SlotAt: slot,
		PostID: &p.ID, Variant: variant, Text: c.texts[variant], CreatedAt: f.now}
	if err := tx.CreateEvergreenCopy(ctx, &cp); err != nil {
		return herald.EvergreenCopy{}, fmt.Errorf("evergreen: record copy of post %d at %s: %w", c.origin.ID, slot.Format(time.RFC3339), err)
	}
	e := herald.NewAudit(herald.Actor{WorkspaceID: p.WorkspaceID}, "evergreen.recycle", "post", p.ID, nil, cp, f.now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return herald.EvergreenCopy{}, fmt.Errorf("evergreen: audit: %w", err)
	}
	return cp, nil
}

// latest returns the latest of ts, zero for none.
func latest(ts []time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// within reports whether a and b are less than d apart.
func within(a, b time.Time, d time.Duration) bool {
	diff := a.Sub(b)
	if diff < 0 {
		diff = -diff
	}
	return diff < d
}
