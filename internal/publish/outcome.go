package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// transient ends the attempt with a retry after backoff, or fails the target
// once it has had its attempts.
func (a *attempt) transient(status int, msg string) result {
	return a.retry(herald.OutcomeTransient, status, msg)
}

// retry ends the attempt as retrying after an exponential backoff with full
// jitter. After MaxAttempts the target fails, or becomes unconfirmed when a
// part may have reached the platform unseen.
func (a *attempt) retry(outcome herald.AttemptOutcome, status int, msg string) result {
	if a.pending {
		outcome = herald.OutcomeAmbiguous // the next attempt must look before it sends
	}
	if a.c.Attempt >= a.d.cfg.MaxAttempts {
		giveUp := fmt.Sprintf("gave up after %d attempts: %s", a.c.Attempt, msg)
		if a.pending {
			r := a.unconfirmed(giveUp)
			r.status = status
			return r
		}
		return a.failed(outcome, status, giveUp)
	}
	due := a.d.clock.Now().Add(backoff(a.c.Attempt, a.d.cfg.BackoffBase, a.d.cfg.BackoffCap))
	return result{to: herald.StateRetrying, outcome: outcome, status: status, err: msg, dueAt: &due, requeue: true}
}

// rateLimited ends the attempt as retrying at the account's reset time.
func (a *attempt) rateLimited(status int, until time.Time, msg string) result {
	outcome := herald.OutcomeRateLimited
	if a.pending {
		outcome = herald.OutcomeAmbiguous
	}
	u := until
	return result{to: herald.StateRetrying, outcome: outcome, status: status, err: msg, dueAt: &u, requeue: true}
}

// failed ends the attempt and the target, telling people.
func (a *attempt) failed(outcome herald.AttemptOutcome, status int, msg string) result {
	t := a.c.Target
	return result{to: herald.StateFailed, outcome: outcome, status: status, err: msg,
		notice: &herald.Notification{Kind: herald.NotifyTargetFailed, WorkspaceID: t.WorkspaceID,
			TargetID: t.ID, PostID: t.PostID, AccountID: t.AccountID,
			Title: fmt.Sprintf("Not published to %s %s", a.c.Account.Platform, a.c.Account.Handle),
			Key:   fmt.Sprintf("target:%d:attempt:%d:failed", t.ID, a.c.AttemptID),
			Message: fmt.Sprintf("Post target %d could not be published to %s %s: %s", t.ID,
				a.c.Account.Platform, a.c.Account.Handle, msg)}}
}

// unconfirmed ends the attempt with the target for a person to decide: the
// platform may or may not have it, and sending again could post it twice.
func (a *attempt) unconfirmed(msg string) result {
	t := a.c.Target
	return result{to: herald.StateUnconfirmed, outcome: herald.OutcomeAmbiguous, err: msg,
		notice: &herald.Notification{Kind: herald.NotifyTargetUnconfirmed, WorkspaceID: t.WorkspaceID,
			TargetID: t.ID, PostID: t.PostID, AccountID: t.AccountID,
			Title: fmt.Sprintf("Check whether a post reached %s %s", a.c.Account.Platform, a.c.Account.Handle),
			Key:   fmt.Sprintf("target:%d:attempt:%d:unconfirmed", t.ID, a.c.AttemptID),
			Message: fmt.Sprintf("Herald cannot tell whether post target %d reached %s %s (%s). Check the account, then mark the post published or schedule it again.",
				t.ID, a.c.Account.Platform, a.c.Account.Handle, msg)}}
}

// authExpired marks the account expired (keeping its stored credentials,
// refresh token included) and leaves the target waiting for a reconnect.
func (a *attempt) authExpired(ctx context.Context, status int, msg string) result {
	reason := "the access token expired and could not be refreshed; reconnect the account (" + msg + ")"
	return a.accountDown(ctx, herald.AccountExpired, herald.OutcomeAuthExpired, herald.NotifyAccountExpired, status, msg, reason)
}

// authRevoked marks the account revoked and leaves the target waiting.
func (a *attempt) authRevoked(ctx context.Context, status int, msg string) result {
	reason := "the platform withdrew Herald's access; reconnect the account (" + msg + ")"
	return a.accountDown(ctx, herald.AccountRevoked, herald.OutcomeAuthRevoked, herald.NotifyAccountRevoked, status, msg, reason)
}

func (a *attempt) accountDown(ctx context.Context, to herald.AccountStatus, outcome herald.AttemptOutcome,
	kind herald.NotificationKind, status int, msg, reason string) result {
	d := a.d
	if a.pending {
		outcome = herald.OutcomeAmbiguous
	}
	changed, err := a.setAccountStatus(ctx, to, reason)
	if err != nil {
		// The account still looks connected: retry later rather than at once.
		d.log.ErrorContext(ctx, "recording the account status failed", slog.Int64("account_id", a.c.Account.ID), slog.Any("error", err))
		return a.retry(outcome, status, msg)
	}
	now := d.clock.Now()
	// Due now: the store skips targets of expired and revoked accounts, so
	// the target waits and goes out as soon as the account is reconnected.
	r := result{to: herald.StateRetrying, outcome: outcome, status: status, err: msg, dueAt: &now}
	if changed {
		acc := a.c.Account
		r.notice = &herald.Notification{Kind: kind, WorkspaceID: acc.WorkspaceID, AccountID: acc.ID,
			TargetID: a.c.Target.ID, PostID: a.c.Target.PostID,
			Title: fmt.Sprintf("Reconnect %s %s", acc.Platform, acc.Handle),
			Link:  fmt.Sprintf("/w/%d/accounts", acc.WorkspaceID),
			Key:   fmt.Sprintf("account:%d:%s:attempt:%d", acc.ID, to, a.c.AttemptID),
			Message: fmt.Sprintf("The %s account %s needs to be reconnected: %s. Its posts wait until then.",
				acc.Platform, acc.Handle, reason)}
	}
	return r
}

// setAccountStatus records the account's new status from a fresh read (so
// nothing else on the row, credentials included, is overwritten), and
// reports whether it changed.
func (a *attempt) setAccountStatus(ctx context.Context, to herald.AccountStatus, reason string) (bool, error) {
	d := a.d
	unlock := d.refresh.Lock(a.c.Account.ID)
	defer unlock()
	acc, err := d.store.GetAccount(ctx, a.c.Account.WorkspaceID, a.c.Account.ID)
	if err != nil {
		return false, fmt.Errorf("read account: %w", err)
	}
	if !bytes.Equal(acc.Credentials.Ciphertext, a.c.Account.Credentials.Ciphertext) && acc.Status == herald.AccountConnected {
		// Reconnected or refreshed meanwhile: the failure was about old credentials.
		return false, nil
	}
	if acc.Status == to {
		return false, nil
	}
	acc.Status = to
	acc.StatusReason = reason
	acc.UpdatedAt = d.clock.Now()
	if err := d.store.UpdateAccount(ctx, &acc); err != nil {
		return false, fmt.Errorf("update account: %w", err)
	}
	return true, nil
}

// refresh renews the account's token once per account at a time: when
// another attempt refreshed it meanwhile, its new credentials are used.
// The new credentials are sealed and stored before use.
func (a *attempt) refresh(ctx context.Context) error {
	d := a.d
	unlock := d.refresh.Lock(a.c.Account.ID)
	defer unlock()
	acc, err := d.store.GetAccount(ctx, a.c.Account.WorkspaceID, a.c.Account.ID)
	if err != nil {
		return fmt.Errorf("read account: %w", err)
	}
	if !bytes.Equal(acc.Credentials.Ciphertext, a.c.Account.Credentials.Ciphertext) && acc.Status == herald.AccountConnected {
		creds, err := d.deps.Open(acc.Credentials, acc.CredentialsAAD())
		if err != nil {
			return fmt.Errorf("open refreshed credentials: %w", err)
		}
		a.useAccount(acc, creds)
		return nil
	}
	if acc.Status == herald.AccountExpired || acc.Status == herald.AccountRevoked {
		// Another attempt already tried and failed: do not hammer the platform.
		return fmt.Errorf("the account is %s: %s", acc.Status, acc.StatusReason)
	}
	r, ok := a.pub.(connector.Refresher)
	if !ok {
		return errors.New("this platform's tokens cannot be refreshed automatically")
	}
	cctx, cancel := context.WithTimeout(ctx, d.cfg.CallTimeout)
	creds, expiresAt, err := r.Refresh(cctx, a.acct)
	cancel()
	if err != nil {
		return fmt.Errorf("refresh token: %w", err)
	}
	sealed, err := d.deps.Seal(creds, acc.CredentialsAAD())
	if err != nil {
		return fmt.Errorf("seal refreshed credentials: %w", err)
	}
	acc.Credentials = sealed
	acc.TokenExpiresAt = expiresAt
	acc.Status = herald.AccountConnected
	acc.StatusReason = ""
	acc.UpdatedAt = d.clock.Now()
	if err := d.store.UpdateAccount(ctx, &acc); err != nil {
		return fmt.Errorf("store refreshed credentials: %w", err)
	}
	a.useAccount(acc, creds)
	d.log.InfoContext(ctx, "access token refreshed", slog.Int64("account_id", acc.ID))
	return nil
}

func (a *attempt) useAccount(acc herald.Account, creds []byte) {
	a.c.Account = acc
	a.acct = connector.Account{Account: acc, Credentials: creds}
}

// platformMessage is the platform's own words when it gave some.
func platformMessage(err error) string {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return err.Error()
}

// cloneProgress copies p so an attempt never shares slices with its claim.
func cloneProgress(p herald.Progress) herald.Progress {
	out := herald.Progress{Parts: make([]herald.RemoteRef, 0, len(p.Parts)+1)}
	for _, r := range p.Parts {
		out.Parts = append(out.Parts, cloneRef(r))
	}
	if p.FirstComment != nil {
		r := cloneRef(*p.FirstComment)
		out.FirstComment = &r
	}
	if p.Checkpoint != nil {
		out.Checkpoint = &herald.Checkpoint{Part: p.Checkpoint.Part, State: maps.Clone(p.Checkpoint.State)}
	}
	return out
}

func cloneRef(r herald.RemoteRef) herald.RemoteRef {
	r.Meta = maps.Clone(r.Meta)
	return r
}
