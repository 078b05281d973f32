package competitor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// dueBatch is how many due accounts CollectDue reads at a time.
const dueBatch = 50

// access returns the platform's reader and one of the workspace's
// connected (or expiring) accounts on it, credentials opened, to read
// with. A platform without a reader, or a workspace without such an
// account, is a CodeInvalid error saying what to do.
func (s *Service) access(ctx context.Context, workspaceID int64, p herald.Platform) (connector.PublicReader, connector.Account, error) {
	r, ok := s.reader(p)
	if !ok {
		return nil, connector.Account{}, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("public accounts cannot be read on %s", p.Name())}
	}
	accts, err := s.store.ListAccounts(ctx, workspaceID)
	if err != nil {
		return nil, connector.Account{}, fmt.Errorf("competitor: accounts: %w", err)
	}
	var last error
	for _, a := range accts {
		if a.Platform != p || (a.Status != herald.AccountConnected && a.Status != herald.AccountExpiring) {
			continue
		}
		plain, err := s.open(a.Credentials, a.CredentialsAAD())
		if err != nil {
			last = err
			s.logger.WarnContext(ctx, "competitor: account credentials do not open", "account_id", a.ID, "error", err)
			continue
		}
		return r, connector.Account{Account: a, Credentials: plain}, nil
	}
	msg := fmt.Sprintf("the workspace has no connected %s account to read public accounts with; connect one first", p.Name())
	return nil, connector.Account{}, &herald.Error{Code: herald.CodeInvalid, Message: msg, Err: last}
}

// resolveAll looks each account up on its platform. Problems name the
// account's field (accounts[i+offset].handle or .platform).
func (s *Service) resolveAll(ctx context.Context, workspaceID int64, in []AccountInput, offset int) ([]herald.CompetitorAccount, error) {
	var p herald.Problems
	out := make([]herald.CompetitorAccount, 0, len(in))
	for i, a := range in {
		f := fmt.Sprintf("accounts[%d]", i+offset)
		r, acct, err := s.access(ctx, workspaceID, a.Platform)
		if err != nil {
			var he *herald.Error
			if errors.As(err, &he) && he.Code == herald.CodeInvalid {
				p.Add(f+".platform", "%s", he.Message)
				continue
			}
			return nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, CallTimeout)
		prof, err := r.PublicProfile(cctx, acct, a.Handle)
		cancel()
		switch {
		case errors.Is(err, connector.ErrNoSuchProfile):
			p.Add(f+".handle", "%q was not found on %s; check the spelling", a.Handle, a.Platform.Name())
			continue
		case err != nil:
			var ce *connector.Error
			if errors.As(err, &ce) && ce.Class != connector.Transient && ce.Class != connector.RateLimited {
				p.Add(f+".handle", "%q could not be looked up on %s: %s", a.Handle, a.Platform.Name(), ce.Message)
				continue
			}
			return nil, &herald.Error{Code: herald.CodeUnavailable, Message: fmt.Sprintf(
				"%s did not answer the lookup of %q; try again in a moment", a.Platform.Name(), a.Handle), Err: err}
		}
		out = append(out, herald.CompetitorAccount{WorkspaceID: workspaceID, Platform: a.Platform, Handle: a.Handle,
			RemoteID: prof.RemoteID, DisplayName: prof.DisplayName, URL: prof.URL})
	}
	if err := p.Err("the competitor's accounts could not all be found"); err != nil {
		return nil, err
	}
	return out, nil
}

// renumber makes resolveAll's field names (accounts[i] of the new
// accounts) name the accounts of the whole input, at idx[i].
func renumber(err error, idx []int) error {
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Details) == 0 {
		return err
	}
	out := *he
	out.Details = slices.Clone(he.Details)
	for k, d := range out.Details {
		rest, ok := strings.CutPrefix(d.Field, "accounts[")
		if !ok {
			continue
		}
		n, tail, ok := strings.Cut(rest, "]")
		i, err := strconv.Atoi(n)
		if ok && err == nil && i >= 0 && i < len(idx) {
			out.Details[k].Field = fmt.Sprintf("accounts[%d]%s", idx[i], tail)
		}
	}
	return &out
}

// collectNew reads accounts just added, so the page has figures at once;
// failures are recorded on the accounts, not returned.
func (s *Service) collectNew(ctx context.Context, accts []herald.CompetitorAccount) {
	for _, a := range accts {
		if err := s.Collect(ctx, a); err != nil {
			s.logger.WarnContext(ctx, "competitor: first reading failed", "workspace_id", a.WorkspaceID,
				"competitor_account_id", a.ID, "error", err)
		}
	}
}

// CollectDue reads every tracked account not yet read on the current UTC
// day (an account whose reading failed is tried again after RetryAfter)
// and returns how many readings succeeded. One account's failure is
// recorded on it and does not stop the others.
func (s *Service) CollectDue(ctx context.Context) (int, error) {
	done := 0
	tried := map[int64]bool{}
	for {
		due, err := s.store.CompetitorAccountsDue(ctx, s.clock.Now(), RetryAfter, dueBatch)
		if err != nil {
			return done, fmt.Errorf("competitor: accounts due: %w", err)
		}
		fresh := 0
		for _, a := range due {
			if tried[a.ID] {
				continue
			}
			tried[a.ID], fresh = true, fresh+1
			if err := ctx.Err(); err != nil {
				return done, fmt.Errorf("competitor: collect: %w", err)
			}
			if err := s.Collect(ctx, a); err != nil {
				s.logger.WarnContext(ctx, "competitor: reading failed", "workspace_id", a.WorkspaceID,
					"competitor_account_id", a.ID, "platform", string(a.Platform), "error", err)
				continue
			}
			done++
		}
		if fresh == 0 || len(due) < dueBatch {
			return done, nil
		}
	}
}

// Collect reads one tracked account: its profile's counts into the
// current UTC day's row (replacing an earlier reading of that day), the
// posts of the day so far, and the posts of the day before into that
// day's row if it has one (its counts only settle once the day is over).
// A failure is recorded on the account (LastError) and returned.
func (s *Service) Collect(ctx context.Context, a herald.CompetitorAccount) error {
	err := s.collect(ctx, a)
	if err != nil {
		msg := err.Error()
		var ce *connector.Error
		var he *herald.Error
		switch {
		case errors.Is(err, connector.ErrNoSuchProfile):
			msg = fmt.Sprintf("%s was not found on %s (renamed or deleted?)", a.Handle, a.Platform.Name())
		case errors.As(err, &ce) && ce.Message != "":
			msg = ce.Message
		case errors.As(err, &he):
			msg = he.Message
		}
		if rerr := s.store.SetCompetitorError(context.WithoutCancel(ctx), a.WorkspaceID, a.ID, msg, s.clock.Now()); rerr != nil {
			return errors.Join(err, fmt.Errorf("competitor: record the failure: %w", rerr))
		}
	}
	return err
}

func (s *Service) collect(ctx context.Context, a herald.CompetitorAccount) error {
	r, acct, err := s.access(ctx, a.WorkspaceID, a.Platform)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	prof, err := r.PublicProfile(ctx, acct, a.Handle)
	if err != nil {
		return fmt.Errorf("competitor: profile of %s on %s: %w", a.Handle, a.Platform, err)
	}
	now := s.clock.Now().UTC()
	day := herald.ListenDay(now)
	yesterday := day.Add(-24 * time.Hour)
	posts, err := r.PublicPosts(ctx, acct, prof.RemoteID, yesterday)
	if err != nil {
		return fmt.Errorf("competitor: posts of %s on %s: %w", a.Handle, a.Platform, err)
	}
	prev, err := s.store.ListCompetitorDays(ctx, a.WorkspaceID, a.CompetitorID, yesterday, day)
	if err != nil {
		return fmt.Errorf("competitor: days: %w", err)
	}
	if i := slices.IndexFunc(prev, func(d herald.CompetitorDay) bool { return d.AccountID == a.ID }); i >= 0 {
		d := prev[i]
		d.PostsDay, d.Engagements, d.TopPosts = dayPosts(posts, yesterday, day)
		d.CollectedAt = now
		if err := s.store.PutCompetitorDay(ctx, d); err != nil {
			return fmt.Errorf("competitor: day before: %w", err)
		}
	}
	d := herald.CompetitorDay{AccountID: a.ID, WorkspaceID: a.WorkspaceID, Day: day, Followers: prof.Followers,
		Following: prof.Following, PostsTotal: prof.Posts, CollectedAt: now}
	d.PostsDay, d.Engagements, d.TopPosts = dayPosts(posts, day, day.Add(24*time.Hour))
	if err := s.store.PutCompetitorDay(ctx, d); err != nil {
		return fmt.Errorf("competitor: day: %w", err)
	}
	return nil
}

// dayPosts sums the posts published in [from, to): how many, their
// engagements (-1 when no post gives any count; 0 without posts) and the
// most engaged few.
func dayPosts(posts []connector.PublicPost, from, to time.Time) (n, engagements int64, top []herald.CompetitorPost) {
	given := false
	for _, p := range posts {
		if p.PostedAt.Before(from) || !p.PostedAt.Before(to) {
			continue
		}
		n++
		if e := p.Engagements(); e >= 0 {
			engagements += e
			given = true
		}
		top = append(top, herald.CompetitorPost{RemoteID: p.RemoteID, URL: p.URL, Engagements: p.Engagements(),
			Excerpt: excerpt(p.Text), PostedAt: p.PostedAt})
	}
	if n > 0 && !given {
		engagements = -1
	}
	slices.SortStableFunc(top, func(x, y herald.CompetitorPost) int {
		return cmp.Or(cmp.Compare(y.Engagements, x.Engagements), y.PostedAt.Compare(x.PostedAt))
	})
	if len(top) > herald.MaxTopPosts {
		top = top[:herald.MaxTopPosts]
	}
	return n, engagements, top
}

// excerpt is the start of a post's text, on one line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= herald.MaxExcerpt {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:herald.MaxExcerpt-1])) + "…"
}
