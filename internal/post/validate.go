package post

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/voice"
)

// Keys opens sealed account credentials (keyring.(*Keyring) does).
type Keys interface {
	Open(s herald.Sealed, aad []byte) ([]byte, error)
}

// Option adjusts a Service.
type Option func(*Service)

// ChangesHook is told that a post was sent back with changes requested,
// once per request, after the change committed: reviewer is who sent it
// back, at when. The tasks service makes a task for the post's author.
type ChangesHook interface {
	ChangesRequested(ctx context.Context, reviewer herald.Actor, p herald.Post, comment string, at time.Time)
}

// WithChangesHook sets the hook told about changes requested.
func WithChangesHook(h ChangesHook) Option {
	return func(s *Service) { s.changes = h }
}

// MediaFitter returns a library file as a platform will get it under its
// limits: an image too large re-encoded smaller, as the dispatcher will
// send it (media.Fitter).
type MediaFitter interface {
	FitAsset(ctx context.Context, asset herald.MediaAsset, lim connector.Limits) (herald.MediaAsset, error)
}

// WithMediaFitter makes checks judge images as Herald will send them, so
// an image Herald can make small enough is not refused for its size.
func WithMediaFitter(f MediaFitter) Option {
	return func(s *Service) { s.fit = f }
}

// connecting is what talking to the platforms needs.
type connecting struct {
	registry *connector.Registry
	keys     Keys
}

// WithConnectors lets the service ask the platforms' connectors: to
// validate drafts the platforms' way, and to reply to and like inbox items.
func WithConnectors(reg *connector.Registry, keys Keys) Option {
	return func(s *Service) { s.conn = connecting{registry: reg, keys: keys} }
}

// PartCheck is what one platform says about one part of a target: the
// post itself ("text"), a thread part ("thread[0]") or the first comment.
type PartCheck struct {
	Part     string              `json:"part"`
	Length   int                 `json:"length" doc:"The text's length as the platform counts it"`
	Limit    int                 `json:"limit" doc:"The platform's character limit for this account; 0 when unknown or none"`
	Problems []connector.Problem `json:"problems"`
}

// TargetCheck is the verdict on one target of a draft.
type TargetCheck struct {
	Index     int             `json:"index" doc:"The target's position in the draft's targets"`
	AccountID int64           `json:"account_id"`
	Platform  herald.Platform `json:"platform,omitempty"`
	// Checked is false when the platform's rules could not be applied (no
	// validator for the platform, account disconnected, platform
	// unreachable); Problems says why.
	Checked     bool        `json:"checked"`
	Publishable bool        `json:"publishable" doc:"true when neither Herald nor the platform found a problem"`
	Length      int         `json:"length" doc:"The main text's length as the platform counts it"`
	Limit       int         `json:"limit" doc:"The platform's character limit; 0 when unknown or none"`
	Parts       []PartCheck `json:"parts"`
	// Problems lists every problem of the target, fields named like
	// "text", "thread[0].text", "first_comment", "media[1]", "account".
	Problems []connector.Problem `json:"problems"`
}

// Bounds on the work of one Validate call: every part of every target is
// checked by a connector, and every media reference is looked up, so a
// draft of 100 targets × 50 parts × 20 media would cost seconds of CPU.
const (
	maxValidateParts = 1000 // parts (main text, thread parts, first comments) over all targets
	maxValidateMedia = 1000 // media references over all parts
)

// checkValidateBounds refuses a draft too large to check in one request.
func checkValidateBounds(draft herald.Post) error {
	parts, media := 0, 0
	for _, t := range draft.Targets {
		parts += 1 + len(t.Variant.Thread)
		if t.Variant.FirstComment != "" {
			parts++
		}
		media += len(t.Variant.MediaIDs)
		for _, th := range t.Variant.Thread {
			media += len(th.MediaIDs)
		}
	}
	if parts <= maxValidateParts && media <= maxValidateMedia {
		return nil
	}
	return &herald.Error{Code: herald.CodeInvalid,
		Message: fmt.Sprintf("the draft is too large to check at once: %d parts and %d media references over %d targets; "+
			"at most %d parts and %d media references can be checked per request: check fewer targets at a time",
			parts, media, len(draft.Targets), maxValidateParts, maxValidateMedia),
		Details: []herald.FieldProblem{{Field: "targets", Problem: fmt.Sprintf("ask for at most %d parts and %d media references", maxValidateParts, maxValidateMedia)}}}
}

// mediaLookups looks each media asset up once per Validate call.
type mediaLookups map[int64]mediaLookup

type mediaLookup struct {
	asset herald.MediaAsset
	err   error
}

// Validation is the verdict on a draft.
type Validation struct {
	// Targets are the platforms' checks, by the target's index in the draft.
	Targets map[int]TargetCheck
	// Problems are the post's own problems: Herald's rules and the brand
	// voice rules that block.
	Problems []herald.FieldProblem
	// Voice is everything the brand voice rules found, warnings and
	// blocks, with the suggested replacement where there is one.
	Voice []voice.Finding
}

// LinkShortener tells how a post's texts are published when its links are
// tracked (links.Service): shorten is nil when they are not.
type LinkShortener interface {
	ShortenerFor(ctx context.Context, workspaceID int64, p herald.Post) (shorten func(string) string, err error)
}

// WithLinkShortener makes the platforms' checks count tracked links as the
// short links they will be published as.
func WithLinkShortener(l LinkShortener) Option {
	return func(s *Service) { s.links = l }
}

// asSent is the draft with its texts as they will be published: each
// tracked address replaced by a short link of the same length.
func (s *Service) asSent(ctx context.Context, workspaceID int64, draft herald.Post) (herald.Post, error) {
	if s.links == nil {
		return draft, nil
	}
	shorten, err := s.links.ShortenerFor(ctx, workspaceID, draft)
	if err != nil || shorten == nil {
		return draft, err
	}
	out := draft
	out.Text = shorten(draft.Text)
	out.Targets = make([]herald.Target, len(draft.Targets))
	for i, t := range draft.Targets {
		v := t.Variant
		v.Text = shorten(v.Text)
		v.FirstComment = shorten(v.FirstComment)
		v.Thread = make([]herald.ThreadPart, len(t.Variant.Thread))
		for j, tp := range t.Variant.Thread {
			tp.Text = shorten(tp.Text)
			v.Thread[j] = tp
		}
		if len(v.Thread) == 0 {
			v.Thread = t.Variant.Thread
		}
		t.Variant = v
		out.Targets[i] = t
	}
	return out, nil
}

// Validate checks a draft without storing anything (see ValidateDraft).
func (s *Service) Validate(ctx context.Context, actor herald.Actor, draft herald.Post) (map[int]TargetCheck, []herald.FieldProblem, error) {
	v, err := s.ValidateDraft(ctx, actor, draft)
	return v.Targets, v.Problems, err
}

// ValidateDraft checks a draft without storing anything: Herald's own
// rules and the workspace's brand voice rules (blocks returned as problems
// of the post, every finding in Voice), and each target's parts against
// its platform's rules, as that account sees them, counted the platform's
// way. A target naming an account outside the workspace gets a problem,
// not an error.
func (s *Service) ValidateDraft(ctx context.Context, actor herald.Actor, draft herald.Post) (Validation, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return Validation{}, err
	}
	if err := checkValidateBounds(draft); err != nil {
		return Validation{}, err
	}
	draft.WorkspaceID = actor.WorkspaceID
	ws, err := getWorkspace(ctx, s.store, actor.WorkspaceID)
	if err != nil {
		return Validation{}, err
	}
	names, err := voiceNames(ctx, s.store, ws)
	if err != nil {
		return Validation{}, err
	}
	return s.checkDraft(ctx, ws, names, draft, newCheckCache())
}

// checkDraft is ValidateDraft's work on one draft of the workspace ws,
// with the names its brand voice rules use and what earlier drafts of the
// same batch learnt in cache.
func (s *Service) checkDraft(ctx context.Context, ws herald.Workspace, names voice.Names, draft herald.Post, cache *checkCache) (Validation, error) {
	pr := herald.Problems{}
	if err := draft.Validate(); err != nil {
		var he *herald.Error
		if !errors.As(err, &he) {
			return Validation{}, err
		}
		pr = append(pr, he.Details...)
	}
	findings := applyVoice(ws, names, &draft, &pr)
	if findings == nil {
		findings = []voice.Finding{}
	}
	out := make(map[int]TargetCheck, len(draft.Targets))
	sent, err := s.asSent(ctx, ws.ID, draft)
	if err != nil {
		return Validation{}, err
	}
	for i, t := range sent.Targets {
		tc, err := s.checkTarget(ctx, ws.ID, sent, t, cache)
		if err != nil {
			return Validation{}, err
		}
		tc.Index = i
		tc.Publishable = len(tc.Problems) == 0 && tc.Checked
		out[i] = tc
	}
	return Validation{Targets: out, Problems: pr, Voice: findings}, nil
}

// checkCache keeps what one validation learns about accounts and media,
// so that checking many drafts at once reads each only once.
type checkCache struct {
	media    mediaLookups
	accounts map[int64]*accountCheck
}

func newCheckCache() *checkCache {
	return &checkCache{media: mediaLookups{}, accounts: map[int64]*accountCheck{}}
}

// accountCheck is one account as the platform's validator sees it, or why
// its posts cannot be checked (fail).
type accountCheck struct {
	account  herald.Account
	acct     connector.Account
	validate connector.Validator
	limit    int
	limits   *connector.Limits // nil: unknown
	fail     string
}

// checkedAccount resolves a target's account for validation, once per cache.
func (s *Service) checkedAccount(ctx context.Context, workspaceID, id int64, cache *checkCache) (*accountCheck, error) {
	if ac, ok := cache.accounts[id]; ok {
		return ac, nil
	}
	ac := &accountCheck{}
	a, err := s.store.GetAccount(ctx, workspaceID, id)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		ac.fail = fmt.Sprintf("account %d is not in this workspace", id)
	case err != nil:
		return nil, fmt.Errorf("post: validate: get account %d: %w", id, err)
	default:
		ac.account = a
		s.resolveValidator(ctx, ac)
	}
	cache.accounts[id] = ac
	return ac, nil
}

// resolveValidator finds the account's connector, opens its credentials and
// reads its limits, or says in ac.fail why its posts cannot be checked.
func (s *Service) resolveValidator(ctx context.Context, ac *accountCheck) {
	a := ac.account
	if s.conn.registry == nil {
		ac.fail = "this Herald server cannot ask the platforms to check posts"
		return
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		ac.fail = fmt.Sprintf("this Herald server has no %s connector", a.Platform)
		return
	}
	v, ok := c.(connector.Validator)
	if !ok {
		ac.fail = fmt.Sprintf("%s posts cannot be checked before publishing", a.Platform)
		return
	}
	if a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
		ac.fail = fmt.Sprintf("the %s account %s must be reconnected before its posts can be checked", a.Platform, a.Handle)
		return
	}
	plain, err := s.conn.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		s.logger.ErrorContext(ctx, "account credentials do not open", "account_id", a.ID, "error", err)
		ac.fail = fmt.Sprintf("the credentials of the %s account %s cannot be opened; reconnect it", a.Platform, a.Handle)
		return
	}
	ac.validate = v
	ac.acct = connector.Account{Account: a, Credentials: plain}
	if l, ok := c.(connector.Limiter); ok {
		if lim, err := l.Limits(ctx, ac.acct); err == nil {
			ac.limit = lim.MaxChars
			ac.limits = &lim
		}
	}
}

// checkTarget asks the target's connector about each of its parts.
func (s *Service) checkTarget(ctx context.Context, workspaceID int64, p herald.Post, t herald.Target, cache *checkCache) (TargetCheck, error) {
	tc := TargetCheck{AccountID: t.AccountID, Parts: []PartCheck{}, Problems: []connector.Problem{}}
	fail := func(field, msg string) (TargetCheck, error) {
		tc.Problems = append(tc.Problems, connector.Problem{Field: field, Problem: msg})
		return tc, nil
	}
	if t.AccountID <= 0 {
		return fail("account", "no account is chosen")
	}
	ac, err := s.checkedAccount(ctx, workspaceID, t.AccountID, cache)
	if err != nil {
		return tc, err
	}
	if ac.account.ID != 0 {
		tc.Platform = ac.account.Platform
	}
	if ac.fail != "" {
		return fail("account", ac.fail)
	}
	a, v, acct, limit := ac.account, ac.validate, ac.acct, ac.limit
	seen := cache.media
	type part struct {
		name  string
		field string
		p     connector.Part
	}
	media := func(ids []int64, field string) ([]connector.Media, error) {
		var out []connector.Media
		for j, id := range ids {
			got, ok := seen[id]
			if !ok {
				got.asset, got.err = s.store.GetMedia(ctx, workspaceID, id)
				seen[id] = got
			}
			m, err := got.asset, got.err
			if errors.Is(err, herald.ErrNotFound) {
				tc.Problems = append(tc.Problems, connector.Problem{Field: fmt.Sprintf("%s[%d]", field, j),
					Problem: fmt.Sprintf("media %d is not in this workspace's library", id)})
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("post: validate: get media %d: %w", id, err)
			}
			if s.fit != nil && ac.limits != nil {
				fitted, err := s.fit.FitAsset(ctx, m, *ac.limits)
				if err != nil {
					s.logger.WarnContext(ctx, "fitting media failed", "media_id", m.ID, "error", err)
				} else {
					m = fitted
				}
			}
			out = append(out, connector.Media{Asset: m, Open: noFile})
		}
		return out, nil
	}
	base := connector.Part{WorkspaceID: workspaceID, TargetID: t.ID, Options: t.Variant.Options}
	main := base
	main.Text = effectiveText(p, t)
	if main.Media, err = media(t.Variant.MediaIDs, "media"); err != nil {
		return tc, err
	}
	parts := []part{{"text", "", main}}
	for j, th := range t.Variant.Thread {
		pp := base
		pp.Index, pp.Text = j+1, th.Text
		if pp.Media, err = media(th.MediaIDs, fmt.Sprintf("thread[%d].media", j)); err != nil {
			return tc, err
		}
		parts = append(parts, part{fmt.Sprintf("thread[%d]", j), fmt.Sprintf("thread[%d].", j), pp})
	}
	if t.Variant.FirstComment != "" {
		pp := base
		pp.Comment, pp.Text = true, t.Variant.FirstComment
		parts = append(parts, part{"first_comment", "first_comment.", pp})
	}
	for k, pt := range parts {
		n, probs, err := v.Validate(ctx, acct, pt.p)
		if err != nil {
			var ce *connector.Error
			msg := err.Error()
			if errors.As(err, &ce) && ce.Message != "" {
				msg = ce.Message
			}
			s.logger.WarnContext(ctx, "validation by the platform failed", "account_id", a.ID, "error", err)
			return fail("account", "the platform could not check the post: "+msg)
		}
		pc := PartCheck{Part: pt.name, Length: n, Limit: limit, Problems: []connector.Problem{}}
		for _, pb := range probs {
			pc.Problems = append(pc.Problems, pb)
			if pt.field != "" {
				// The first comment is one text: "first_comment.text" reads as "first_comment".
				if pt.name == "first_comment" && pb.Field == "text" {
					pb.Field = "first_comment"
				} else {
					pb.Field = pt.field + pb.Field
				}
			}
			tc.Problems = append(tc.Problems, pb)
		}
		if k == 0 {
			tc.Length = n
		}
		tc.Parts = append(tc.Parts, pc)
	}
	tc.Limit = limit
	tc.Checked = true
	return tc, nil
}

// noFile is the media opener during validation, which never uploads.
func noFile(context.Context) (io.ReadCloser, error) {
	return nil, errors.New("post: media files are not read while validating")
}
