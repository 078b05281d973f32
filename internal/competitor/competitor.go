// Package competitor is competitor tracking and share of voice, part of
// listening: brands a workspace compares itself with, their public
// accounts read once a day (collect.go, through the connectors'
// PublicReader), the comparison with the workspace's own accounts and the
// share of the tracked brands' mentions each brand has (compare.go).
package competitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Limits.
const (
	// MaxCompetitors is how many competitors one workspace may track.
	MaxCompetitors = 20
	// MaxAccounts is how many accounts one competitor may have.
	MaxAccounts = 10
	// MaxName is the longest competitor name, in characters.
	MaxName = 100
	// RetryAfter is how long after a failed reading an account is tried
	// again (the same day).
	RetryAfter = time.Hour
	// CallTimeout bounds the reading of one account.
	CallTimeout = 2 * time.Minute
)

// Opener opens sealed account credentials (the keyring does).
type Opener func(sealed herald.Sealed, aad []byte) ([]byte, error)

// Service manages competitors, collects their public metrics and compares
// them. It is safe for concurrent use.
type Service struct {
	store      herald.Store
	connectors *connector.Registry
	open       Opener
	clock      herald.Clock
	logger     *slog.Logger
}

// New returns a Service. connectors gives each platform's connector;
// those implementing connector.PublicReader can be tracked.
func New(store herald.Store, connectors *connector.Registry, open Opener, clock herald.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, connectors: connectors, open: open, clock: clock, logger: logger}
}

// AccountInput names a public account to track.
type AccountInput struct {
	Platform herald.Platform `json:"platform"`
	Handle   string          `json:"handle"`
}

// Input is a competitor as people enter it.
type Input struct {
	Name     string         `json:"name"`
	TopicID  int64          `json:"topic_id,omitempty"`
	Accounts []AccountInput `json:"accounts"`
}

// Platforms returns the platforms whose accounts can be tracked, in the
// registry's order.
func (s *Service) Platforms() []herald.Platform {
	var out []herald.Platform
	for _, p := range s.connectors.Platforms() {
		if _, ok := s.reader(p); ok {
			out = append(out, p)
		}
	}
	return out
}

// reader returns the platform's public reader.
func (s *Service) reader(p herald.Platform) (connector.PublicReader, bool) {
	c, ok := s.connectors.Get(p)
	if !ok {
		return nil, false
	}
	r, ok := c.(connector.PublicReader)
	return r, ok
}

// normalize trims the input and drops leading @ from handles.
func normalize(in Input) Input {
	in.Name = strings.TrimSpace(in.Name)
	accts := make([]AccountInput, 0, len(in.Accounts))
	for _, a := range in.Accounts {
		a.Platform = herald.Platform(strings.ToLower(strings.TrimSpace(string(a.Platform))))
		a.Handle = strings.TrimPrefix(strings.TrimSpace(a.Handle), "@")
		accts = append(accts, a)
	}
	in.Accounts = accts
	return in
}

// validate checks what needs no platform: the name, the platforms, empty
// and repeated handles.
func (s *Service) validate(in Input) error {
	var p herald.Problems
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		p.Add("name", "is empty; name the competitor, for example after its brand")
	case n > MaxName:
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxName)
	}
	herald.CheckLine(&p, "name", in.Name)
	if in.TopicID < 0 {
		p.Add("topic_id", "is %d; use a listening topic's id, or 0 for none", in.TopicID)
	}
	if len(in.Accounts) > MaxAccounts {
		p.Add("accounts", "has %d accounts; a competitor may have at most %d", len(in.Accounts), MaxAccounts)
	}
	known := s.Platforms()
	seen := map[string]bool{}
	for i, a := range in.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		if !slices.Contains(known, a.Platform) {
			p.Add(f+".platform", "is %q; accounts can be tracked on %s", a.Platform, platformList(known))
			continue
		}
		if a.Handle == "" {
			p.Add(f+".handle", "is empty; give the account's handle on %s", a.Platform.Name())
			continue
		}
		k := string(a.Platform) + " " + strings.ToLower(a.Handle)
		if seen[k] {
			p.Add(f+".handle", "%q on %s is listed twice", a.Handle, a.Platform.Name())
		}
		seen[k] = true
	}
	return p.Err("the competitor is not valid")
}

func platformList(ps []herald.Platform) string {
	if len(ps) == 0 {
		return "no platform (no connector can read public accounts)"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}

// List returns the workspace's competitors by name, with their accounts.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.Competitor, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	cs, err := s.store.ListCompetitors(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("competitor: list: %w", err)
	}
	return cs, nil
}

// Get returns one competitor.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Competitor, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.Competitor{}, err
	}
	return s.get(ctx, s.store, actor.WorkspaceID, id)
}

func (s *Service) get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Competitor, error) {
	c, err := tx.GetCompetitor(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Competitor{}, herald.NotFound("competitor")
	}
	if err != nil {
		return herald.Competitor{}, fmt.Errorf("competitor: get %d: %w", id, err)
	}
	return c, nil
}

// Create adds a competitor with its accounts, each looked up on its
// platform first (a handle the platform does not know is refused), then
// read once.
func (s *Service) Create(ctx context.Context, actor herald.Actor, in Input) (herald.Competitor, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.Competitor{}, err
	}
	in = normalize(in)
	if err := s.validate(in); err != nil {
		return herald.Competitor{}, err
	}
	if err := s.checkTopic(ctx, actor.WorkspaceID, in.TopicID); err != nil {
		return herald.Competitor{}, err
	}
	accts, err := s.resolveAll(ctx, actor.WorkspaceID, in.Accounts, 0)
	if err != nil {
		return herald.Competitor{}, err
	}
	now := s.clock.Now()
	c := herald.Competitor{WorkspaceID: actor.WorkspaceID, Name: in.Name, TopicID: in.TopicID, CreatedBy: actor.UserID,
		CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		existing, err := tx.ListCompetitors(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxCompetitors {
			return &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf(
				"the workspace tracks %d competitors, the most allowed; remove one first", len(existing))}
		}
		if err := tx.CreateCompetitor(ctx, &c); err != nil {
			return err
		}
		for i := range accts {
			accts[i].CompetitorID, accts[i].CreatedAt = c.ID, now
			if err := tx.AddCompetitorAccount(ctx, &accts[i]); err != nil {
				return err
			}
		}
		c.Accounts = accts
		e := herald.NewAudit(actor, "competitor.create", "competitor", c.ID, nil, c, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Competitor{}, nameErr("create", in.Name, err)
	}
	s.collectNew(ctx, accts)
	return s.get(ctx, s.store, actor.WorkspaceID, c.ID)
}

// Update replaces a competitor's name, topic and accounts: accounts it
// already tracks (same platform and handle, ignoring case) are kept with
// their history, new ones are looked up and read once, missing ones are
// removed with their history.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, in Input) (herald.Competitor, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.Competitor{}, err
	}
	in = normalize(in)
	if err := s.validate(in); err != nil {
		return herald.Competitor{}, err
	}
	before, err := s.get(ctx, s.store, actor.WorkspaceID, id)
	if err != nil {
		return herald.Competitor{}, err
	}
	if err := s.checkTopic(ctx, actor.WorkspaceID, in.TopicID); err != nil {
		return herald.Competitor{}, err
	}
	keep := map[int64]bool{}
	var fresh []AccountInput
	var freshIdx []int
	for i, a := range in.Accounts {
		j := slices.IndexFunc(before.Accounts, func(b herald.CompetitorAccount) bool {
			return b.Platform == a.Platform && strings.EqualFold(b.Handle, a.Handle)
		})
		if j >= 0 {
			keep[before.Accounts[j].ID] = true
			continue
		}
		fresh, freshIdx = append(fresh, a), append(freshIdx, i)
	}
	accts, err := s.resolveAll(ctx, actor.WorkspaceID, fresh, 0)
	if err != nil {
		return herald.Competitor{}, renumber(err, freshIdx)
	}
	now := s.clock.Now()
	after := before
	after.Name, after.TopicID, after.UpdatedAt = in.Name, in.TopicID, now
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.UpdateCompetitor(ctx, &after); err != nil {
			return err
		}
		for _, a := range before.Accounts {
			if !keep[a.ID] {
				if err := tx.DeleteCompetitorAccount(ctx, actor.WorkspaceID, a.ID); err != nil {
					return err
				}
			}
		}
		for i := range accts {
			accts[i].CompetitorID, accts[i].CreatedAt = id, now
			if err := tx.AddCompetitorAccount(ctx, &accts[i]); err != nil {
				return err
			}
		}
		e := herald.NewAudit(actor, "competitor.update", "competitor", id, before, in, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Competitor{}, nameErr("update", in.Name, err)
	}
	s.collectNew(ctx, accts)
	return s.get(ctx, s.store, actor.WorkspaceID, id)
}

// Delete removes a competitor with its accounts and their history.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	now := s.clock.Now()
	return s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := s.get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteCompetitor(ctx, actor.WorkspaceID, id); err != nil {
			return fmt.Errorf("competitor: delete %d: %w", id, err)
		}
		e := herald.NewAudit(actor, "competitor.delete", "competitor", id, before, nil, now)
		return tx.AppendAudit(ctx, &e)
	})
}

// Settings returns the workspace's share-of-voice settings.
func (s *Service) Settings(ctx context.Context, actor herald.Actor) (herald.CompetitorSettings, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.CompetitorSettings{}, err
	}
	cs, err := s.store.GetCompetitorSettings(ctx, actor.WorkspaceID)
	if err != nil {
		return cs, fmt.Errorf("competitor: settings: %w", err)
	}
	return cs, nil
}

// SetOwnTopic sets the listening topic that counts the workspace's own
// brand's mentions (0: none).
func (s *Service) SetOwnTopic(ctx context.Context, actor herald.Actor, topicID int64) (herald.CompetitorSettings, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.CompetitorSettings{}, err
	}
	if err := s.checkTopic(ctx, actor.WorkspaceID, topicID); err != nil {
		return herald.CompetitorSettings{}, err
	}
	cs := herald.CompetitorSettings{WorkspaceID: actor.WorkspaceID, OwnTopicID: topicID}
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.PutCompetitorSettings(ctx, cs); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "competitor.settings", "workspace", actor.WorkspaceID, nil, cs, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.CompetitorSettings{}, fmt.Errorf("competitor: settings: %w", err)
	}
	return cs, nil
}

// checkTopic refuses a topic that is not the workspace's.
func (s *Service) checkTopic(ctx context.Context, workspaceID, topicID int64) error {
	if topicID == 0 {
		return nil
	}
	if topicID < 0 {
		return (&herald.Problems{{Field: "topic_id", Problem: "is negative; use a listening topic's id, or 0 for none"}}).
			Err("the competitor is not valid")
	}
	_, err := s.store.GetListenTopic(ctx, workspaceID, topicID)
	if errors.Is(err, herald.ErrNotFound) {
		var p herald.Problems
		p.Add("topic_id", "is %d, which is not a listening topic of this workspace", topicID)
		return p.Err("the listening topic does not exist")
	}
	if err != nil {
		return fmt.Errorf("competitor: topic %d: %w", topicID, err)
	}
	return nil
}

// nameErr turns a name clash into an error naming the field.
func nameErr(op, name string, err error) error {
	var he *herald.Error
	if errors.As(err, &he) {
		clash := he.Message == herald.CompetitorClash(name) || len(he.Details) > 0 && he.Details[0].Field == "name"
		if he.Code == herald.CodeConflict && clash {
			return &herald.Error{Code: herald.CodeConflict, Message: herald.CompetitorClash(name) + "; choose another name",
				Details: []herald.FieldProblem{{Field: "name", Problem: "is taken by another competitor"}}, Err: err}
		}
		return err
	}
	return fmt.Errorf("competitor: %s: %w", op, err)
}
