package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// PartKey is the stable key of one part of a target: the same across
// retries and instances, so platforms can deduplicate and reconcilers can
// find it, and different for every installation (installation is
// Store.InstallationID), so a platform that still holds the key of another
// installation's post never answers with that post. index is the thread
// position (0 for the post itself); the first comment's key ends in "c".
// Keys stay short and plain (letters, digits and "-"), as every platform's
// key or record-key derivation accepts them.
func PartKey(installation string, targetID int64, index int, comment bool) string {
	part := strconv.Itoa(index)
	if comment {
		part = "c"
	}
	return "herald-" + installation + "-" + strconv.FormatInt(targetID, 10) + "-" + part
}

// result is how an attempt ended.
type result struct {
	to      herald.TargetState
	outcome herald.AttemptOutcome
	status  int
	err     string // the platform's words, or ours
	dueAt   *time.Time
	requeue bool
	notice  *herald.Notification
}

// attempt is one claim being worked on.
type attempt struct {
	d        *Dispatcher
	c        herald.Claim
	pub      connector.Publisher
	acct     connector.Account
	progress herald.Progress
	saved    bool // progress changed in this attempt
	found    bool // a part was confirmed by reconciliation
	// pending is set while a part may have reached the platform unseen:
	// it must be reconciled before anything is sent.
	pending   bool
	refreshed bool
	lastErr   error     // the last platform error in full, for the log
	deadline  time.Time // no call starts after this: the lease must outlive the attempt
}

// run works on one claim from start to completion; leaseUntil is when
// the claim's lease ends, and no call starts before notBefore (the release
// time of a target held back for its account's rate limit; zero if none).
func (d *Dispatcher) run(c herald.Claim, leaseUntil, notBefore time.Time) {
	ctx := d.workCtx
	t := c.Target
	if t.DueAt != nil && t.DueAt.After(notBefore) {
		notBefore = *t.DueAt
	}
	if !notBefore.IsZero() {
		// Claimed a little early: publish at the due instant, not before.
		if wait := notBefore.Sub(d.clock.Now()); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return
			}
		}
	}
	select {
	case <-d.calls:
		defer func() { d.calls <- struct{}{} }()
	case <-ctx.Done():
		return
	}
	d.metrics.inFlight.Inc()
	defer d.metrics.inFlight.Dec()
	start := d.clock.Now()
	if t.DueAt != nil {
		late := max(start.Sub(*t.DueAt), 0)
		d.metrics.lateness.Observe(late.Seconds())
		if late > d.cfg.OverdueAfter {
			d.overdue(ctx, t.WorkspaceID, t.ID, t.AccountID, late)
		}
	}
	a := &attempt{d: d, c: c, progress: cloneProgress(t.Progress),
		deadline: leaseUntil.Add(-d.cfg.Lease/10 - d.cfg.CallTimeout)}
	res := a.do(ctx)
	if ctx.Err() != nil {
		// Abandoned after the grace period: the lease expires and another
		// instance reconciles; writing now could contradict it.
		d.log.Warn("publish attempt abandoned at shutdown", slog.Int64("target_id", t.ID), slog.Int("attempt", c.Attempt))
		return
	}
	end := d.clock.Now()
	cp := herald.Completion{
		WorkspaceID: t.WorkspaceID, TargetID: t.ID, AttemptID: c.AttemptID, Owner: d.cfg.Instance,
		To: res.to, Outcome: res.outcome, HTTPStatus: res.status, Error: res.err, DueAt: res.dueAt,
		FinishedAt: end, DurationMS: end.Sub(start).Milliseconds(),
	}
	if a.saved {
		p := a.progress
		cp.Progress = &p
	}
	if res.to == herald.StatePublished && len(a.progress.Parts) > 0 {
		cp.RemoteID, cp.RemoteURL = a.progress.Parts[0].ID, a.progress.Parts[0].URL
	}
	if res.to != herald.StateRetrying {
		d.forgetOverdue(t.ID)
	}
	d.metrics.outcomes.WithLabelValues(string(c.Account.Platform), string(res.outcome)).Inc()
	level := slog.LevelInfo
	if res.to != herald.StatePublished {
		level = slog.LevelWarn
	}
	d.log.Log(ctx, level, "publish attempt",
		slog.Int64("target_id", t.ID), slog.Int64("workspace_id", t.WorkspaceID),
		slog.Int64("account_id", t.AccountID), slog.String("platform", string(c.Account.Platform)),
		slog.Int("attempt", c.Attempt), slog.Bool("recovered", c.Recovered),
		slog.Int64("duration_ms", cp.DurationMS), slog.Int("status", res.status),
		slog.String("outcome", string(res.outcome)), slog.String("state", string(res.to)),
		slog.String("remote_id", cp.RemoteID), slog.String("error", res.err))
	if a.lastErr != nil && res.to != herald.StatePublished {
		d.log.DebugContext(ctx, "publish attempt error in full", slog.Int64("target_id", t.ID), slog.Any("error", a.lastErr))
	}
	if res.notice != nil {
		d.sendNotification(ctx, *res.notice)
	}
	d.completer.add(ctx, completion{Completion: cp, requeue: res.requeue, account: t.AccountID})
}

// do publishes every part not yet confirmed, in order.
func (a *attempt) do(ctx context.Context) result {
	d, c := a.d, a.c
	// Whether an earlier send may have reached the platform unseen is known
	// before anything else can end the attempt, so that every ending
	// records it (an ambiguous outcome) and no later attempt sends blindly.
	a.pending = c.Recovered
	if !a.pending && c.Attempt > 1 {
		prev, err := a.previousUnsettled(ctx)
		if err != nil {
			a.pending = true // unknown: assume the worst
			d.log.ErrorContext(ctx, "reading earlier attempts failed", slog.Int64("target_id", c.Target.ID), slog.Any("error", err))
			return a.transient(0, "earlier attempts could not be read")
		}
		a.pending = prev
	}
	pub, ok := d.deps.Connectors.Get(c.Account.Platform)
	if !ok {
		return a.transient(0, fmt.Sprintf("no connector is configured for platform %q", c.Account.Platform))
	}
	a.pub = pub
	creds, err := d.deps.Open(c.Account.Credentials, c.Account.CredentialsAAD())
	if err != nil {
		d.log.ErrorContext(ctx, "opening account credentials failed", slog.Int64("account_id", c.Account.ID), slog.Any("error", err))
		return a.transient(0, "the account's stored credentials could not be decrypted; check the keyring or reconnect the account")
	}
	a.acct = connector.Account{Account: c.Account, Credentials: creds}

	v := c.Target.Variant
	text := v.Text
	if text == "" {
		text = c.PostText
	}
	type spec struct {
		index   int
		comment bool
		text    string
		media   []int64
	}
	specs := []spec{{index: 0, text: text, media: v.MediaIDs}}
	for i, tp := range v.Thread {
		specs = append(specs, spec{index: i + 1, text: tp.Text, media: tp.MediaIDs})
	}
	if strings.TrimSpace(v.FirstComment) != "" {
		specs = append(specs, spec{comment: true, index: -1, text: v.FirstComment})
	}
	if d.deps.Links != nil && slices.ContainsFunc(specs, func(s spec) bool { return strings.Contains(s.text, "://") }) {
		texts := make([]string, len(specs))
		for i, s := range specs {
			texts[i] = s.text
		}
		tracked, err := d.deps.Links.TrackLinks(ctx, c.Target, c.Account.Platform, texts)
		if err != nil || len(tracked) != len(specs) {
			d.log.ErrorContext(ctx, "tracking links failed", slog.Int64("target_id", c.Target.ID), slog.Any("error", err))
			return a.transient(0, "the post's tracked links could not be made; it will be tried again")
		}
		for i := range specs {
			specs[i].text = tracked[i]
		}
	}
	for i, s := range specs {
		if s.comment && a.progress.FirstComment != nil || !s.comment && s.index < len(a.progress.Parts) {
			continue // confirmed by an earlier attempt
		}
		media, res, ok := a.media(ctx, s.media)
		if !ok {
			return res
		}
		if media, res, ok = a.fit(ctx, media); !ok {
			return res
		}
		p := connector.Part{
			WorkspaceID: c.Target.WorkspaceID, TargetID: c.Target.ID, Index: s.index, Comment: s.comment,
			Text: s.text, Media: media, Options: v.Options, Key: PartKey(d.installation, c.Target.ID, s.index, s.comment),
		}
		a.checkpoints(&p)
		if s.index != 0 {
			root := a.progress.Parts[0]
			p.Root = &root
			if s.comment {
				p.ReplyTo = &root
			} else {
				prev := a.progress.Parts[s.index-1]
				p.ReplyTo = &prev
			}
		}
		ref, res, ok := a.part(ctx, p)
		if !ok {
			return res
		}
		a.confirm(ctx, p, ref, i == len(specs)-1)
	}
	outcome := herald.OutcomePublished
	if a.found {
		outcome = herald.OutcomeReconciled
	}
	return result{to: herald.StatePublished, outcome: outcome}
}

// part publishes one part (reconciling first when an earlier send may have
// reached the platform) and returns its reference, or the attempt's end.
func (a *attempt) part(ctx context.Context, p connector.Part) (herald.RemoteRef, result, bool) {
	d := a.d
	if _, blocked := d.blocks.Until(a.c.Account.ID, d.clock.Now()); blocked {
		// Another target of this account hit the limit while this one was
		// being claimed: no request before the reset.
		return herald.RemoteRef{}, a.holdBack(0, "waiting for the platform's rate limit to reset"), false
	}
	if d.clock.Now().After(a.deadline) {
		return herald.RemoteRef{}, a.transient(0, "the attempt ran out of time before every part was published; it resumes after the last confirmed part"), false
	}
	if a.pending {
		ref, found, res, ok := a.reconcile(ctx, p)
		if !ok {
			return herald.RemoteRef{}, res, false
		}
		if found {
			return ref, result{}, true
		}
	}
	ref, err := a.call(ctx, p)
	if err == nil {
		return ref, result{}, true
	}
	a.lastErr = err
	var ce *connector.Error
	status, msg := 0, err.Error()
	if errors.As(err, &ce) {
		status = ce.Status
		if ce.Message != "" {
			msg = ce.Message
		}
	}
	switch connector.ClassOf(err) {
	case connector.RateLimited:
		a.limited(ce)
		return herald.RemoteRef{}, a.holdBack(status, msg), false
	case connector.AuthExpired:
		return herald.RemoteRef{}, a.authExpired(ctx, status, msg), false
	case connector.AuthRevoked:
		return herald.RemoteRef{}, a.authRevoked(ctx, status, msg), false
	case connector.Invalid:
		return herald.RemoteRef{}, a.failed(herald.OutcomeInvalid, status, msg), false
	case connector.Ambiguous:
		a.pending = true
		ref, found, res, ok := a.reconcile(ctx, p)
		if !ok {
			return herald.RemoteRef{}, res, false
		}
		if found {
			return ref, result{}, true
		}
		// Not there: the lookup (or the platform's deduplication) makes a
		// later send safe. Keep the attempt ambiguous so the next one
		// looks again first, in case the post lands late, and so that
		// giving up leaves it unconfirmed rather than failed.
		a.pending = true
		return herald.RemoteRef{}, a.retry(herald.OutcomeAmbiguous, status, msg), false
	default:
		r := a.transient(status, msg)
		if ce != nil && ce.RetryAfter > 0 && r.dueAt != nil {
			// The platform said when to come back: not sooner than that.
			if after := d.clock.Now().Add(ce.RetryAfter); after.After(*r.dueAt) {
				r.dueAt = &after
			}
		}
		return herald.RemoteRef{}, r, false
	}
}

// call makes one platform call, refreshing an expired token once.
func (a *attempt) call(ctx context.Context, p connector.Part) (herald.RemoteRef, error) {
	ref, err := a.callOnce(ctx, p)
	if err == nil || connector.ClassOf(err) != connector.AuthExpired || a.refreshed {
		return ref, err
	}
	a.refreshed = true
	if rerr := a.refresh(ctx); rerr != nil {
		a.d.log.WarnContext(ctx, "token refresh failed", slog.Int64("account_id", a.c.Account.ID), slog.Any("error", rerr))
		return herald.RemoteRef{}, &connector.Error{Class: connector.AuthExpired,
			Message: "the access token expired and could not be refreshed: " + platformMessage(rerr), Err: rerr}
	}
	return a.callOnce(ctx, p)
}

func (a *attempt) callOnce(ctx context.Context, p connector.Part) (herald.RemoteRef, error) {
	cctx, cancel := context.WithTimeout(ctx, a.d.cfg.CallTimeout)
	defer cancel()
	return a.pub.Publish(cctx, a.acct, p)
}

// reconcile looks for p on the platform. ok is false when the attempt must
// end (res says how); otherwise found says whether p is already there, and
// when it is not, sending is safe.
func (a *attempt) reconcile(ctx context.Context, p connector.Part) (ref herald.RemoteRef, found bool, res result, ok bool) {
	d := a.d
	idem := false
	if ip, is := a.pub.(connector.IdempotentPublisher); is && ip.Idempotent(ctx, a.acct) {
		idem = true
	}
	if cp := a.progress.Checkpoint; cp != nil && cp.Part == partName(p) {
		// A step saved during the call whose answer was lost is what the
		// lookup settles from (the container whose status tells).
		p.Checkpoint = maps.Clone(cp.State)
	}
	rec, hasRec := a.pub.(connector.Reconciler)
	if !hasRec {
		if idem {
			a.pending = false // the platform deduplicates by key: sending again is safe
			return herald.RemoteRef{}, false, result{}, true
		}
		return herald.RemoteRef{}, false, a.unconfirmed(
			"the platform did not answer in time and Herald cannot check whether it published the post"), false
	}
	cctx, cancel := context.WithTimeout(ctx, d.cfg.CallTimeout)
	ref, found, err := rec.Find(cctx, a.acct, p)
	cancel()
	if err != nil {
		a.lastErr = err
	}
	if err == nil {
		a.pending = false
		if found {
			a.found = true
		}
		return ref, found, result{}, true
	}
	if idem {
		a.pending = false
		return herald.RemoteRef{}, false, result{}, true
	}
	var ce *connector.Error
	status := 0
	if errors.As(err, &ce) {
		status = ce.Status
	}
	msg := "checking whether the platform already has the post failed: " + platformMessage(err)
	switch connector.ClassOf(err) {
	case connector.RateLimited:
		a.limited(ce)
		return herald.RemoteRef{}, false, a.holdBack(status, msg), false
	case connector.Invalid:
		// The platform cannot be asked (no lookup): nobody can tell.
		return herald.RemoteRef{}, false, a.unconfirmed(msg), false
	case connector.AuthExpired, connector.AuthRevoked:
		// Settle the account first; the check happens on the next attempt.
		if connector.ClassOf(err) == connector.AuthRevoked {
			return herald.RemoteRef{}, false, a.authRevoked(ctx, status, msg), false
		}
		return herald.RemoteRef{}, false, a.authExpired(ctx, status, msg), false
	}
	return herald.RemoteRef{}, false, a.retry(herald.OutcomeAmbiguous, status, msg), false
}

// partName names a part in checkpoints: its index, "c" for the comment.
func partName(p connector.Part) string {
	if p.Comment {
		return "c"
	}
	return strconv.Itoa(p.Index)
}

// checkpoints hands p the step an earlier attempt saved for it, and lets
// the connector save the next one: kept with the target's progress under
// this attempt's lease, so a crash between two steps resumes after the
// first.
func (a *attempt) checkpoints(p *connector.Part) {
	name := partName(*p)
	if cp := a.progress.Checkpoint; cp != nil && cp.Part == name {
		p.Checkpoint = maps.Clone(cp.State)
	}
	p.Save = func(ctx context.Context, state map[string]string) error {
		prev := a.progress.Checkpoint
		a.progress.Checkpoint = &herald.Checkpoint{Part: name, State: maps.Clone(state)}
		if err := a.d.store.SaveProgress(ctx, a.c.Target.ID, a.d.cfg.Instance, a.progress); err != nil {
			a.progress.Checkpoint = prev
			return &connector.Error{Class: connector.Transient, Message: "Herald could not save how far the post got", Err: err}
		}
		a.saved = true
		return nil
	}
}

// confirm records a published part; the progress is saved at once unless
// this was the last part (the completion then carries it).
func (a *attempt) confirm(ctx context.Context, p connector.Part, ref herald.RemoteRef, last bool) {
	if cp := a.progress.Checkpoint; cp != nil && cp.Part == partName(p) {
		a.progress.Checkpoint = nil
	}
	if p.Comment {
		r := ref
		a.progress.FirstComment = &r
	} else {
		a.progress.Parts = append(a.progress.Parts, ref)
	}
	a.saved = true
	if last {
		return
	}
	if err := a.d.store.SaveProgress(ctx, a.c.Target.ID, a.d.cfg.Instance, a.progress); err != nil {
		// The completion carries the progress too; only a crash before it
		// would need the reconciler.
		a.d.log.ErrorContext(ctx, "saving thread progress failed", slog.Int64("target_id", a.c.Target.ID), slog.Any("error", err))
	}
}

// previousUnsettled reports whether the attempt before this one may have
// reached the platform unseen (ambiguous, or never finished).
func (a *attempt) previousUnsettled(ctx context.Context) (bool, error) {
	atts, err := a.d.store.ListAttempts(ctx, a.c.Target.WorkspaceID, a.c.Target.ID)
	if err != nil {
		return false, fmt.Errorf("list attempts: %w", err)
	}
	var prev *herald.Attempt
	for i := range atts {
		if atts[i].ID != a.c.AttemptID && atts[i].Number < a.c.Attempt && (prev == nil || atts[i].Number > prev.Number) {
			prev = &atts[i]
		}
	}
	if prev == nil {
		return false, nil
	}
	switch prev.Outcome {
	case herald.OutcomeAmbiguous, herald.OutcomeLeaseLost, "":
		return true, nil
	}
	return false, nil
}

// fit makes each file what the platform takes under the account's limits
// (Deps.FitMedia), the same bytes on every attempt.
func (a *attempt) fit(ctx context.Context, media []connector.Media) ([]connector.Media, result, bool) {
	fit := a.d.deps.FitMedia
	l, ok := a.pub.(connector.Limiter)
	if fit == nil || !ok || len(media) == 0 {
		return media, result{}, true
	}
	lim, err := l.Limits(ctx, a.acct)
	if err != nil {
		a.d.log.WarnContext(ctx, "reading the account's limits failed; files are sent as stored", slog.Any("error", err))
		return media, result{}, true
	}
	for i, m := range media {
		fitted, err := fit(ctx, m, lim)
		if err != nil {
			a.d.log.ErrorContext(ctx, "fitting media failed", slog.Int64("media_id", m.Asset.ID), slog.Any("error", err))
			return nil, a.transient(0, fmt.Sprintf("%s could not be made small enough for the platform", m.Asset.Filename)), false
		}
		media[i] = fitted
	}
	return media, result{}, true
}

// media resolves a part's media ids.
func (a *attempt) media(ctx context.Context, ids []int64) ([]connector.Media, result, bool) {
	if len(ids) == 0 {
		return nil, result{}, true
	}
	out := make([]connector.Media, 0, len(ids))
	for _, id := range ids {
		asset, err := a.d.store.GetMedia(ctx, a.c.Target.WorkspaceID, id)
		if errors.Is(err, herald.ErrNotFound) {
			return nil, a.failed(herald.OutcomeInvalid, 0,
				fmt.Sprintf("media %d is no longer in the library; edit the post to remove or replace it", id)), false
		}
		if err != nil {
			a.d.log.ErrorContext(ctx, "reading media failed", slog.Int64("media_id", id), slog.Any("error", err))
			return nil, a.transient(0, fmt.Sprintf("media %d could not be read", id)), false
		}
		key := asset.StorageKey
		open := a.d.deps.OpenMedia
		out = append(out, connector.Media{Asset: asset, Open: func(ctx context.Context) (io.ReadCloser, error) {
			return open(ctx, key)
		}})
	}
	return out, result{}, true
}
