package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// InboxRulePath addresses one inbox rule.
type InboxRulePath struct {
	WorkspaceParam
	Rule int64 `path:"rule" minimum:"1" doc:"Inbox rule id"`
}

// InboxRuleBody is a rule as a person writes it.
type InboxRuleBody struct {
	Name       string                     `json:"name" maxLength:"100" doc:"A name the item page shows (\"tagged by rule …\")"`
	Enabled    *bool                      `json:"enabled,omitempty" doc:"Default true"`
	Conditions herald.InboxRuleConditions `json:"conditions" doc:"All must hold; an empty one holds for every item; a list holds when any value matches. pattern is an RE2 regular expression."`
	Actions    herald.InboxRuleActions    `json:"actions" doc:"At least one. assign_to: one member id, or several for round-robin"`
}

// input is the service's form of b.
func (b InboxRuleBody) input() inbox.RuleInput {
	on := b.Enabled == nil || *b.Enabled
	return inbox.RuleInput{Name: b.Name, Enabled: on, Conditions: b.Conditions, Actions: b.Actions}
}

// InboxRuleCreateInput adds a rule.
type InboxRuleCreateInput struct {
	WorkspaceParam
	Body InboxRuleBody
}

// InboxRuleUpdateInput replaces a rule.
type InboxRuleUpdateInput struct {
	InboxRulePath
	Body InboxRuleBody
}

// InboxRuleOrderInput orders the rules.
type InboxRuleOrderInput struct {
	WorkspaceParam
	Body struct {
		IDs []int64 `json:"ids" maxItems:"500" doc:"Every rule of the workspace once, in the order they should apply"`
	}
}

// InboxRuleOutput is one rule.
type InboxRuleOutput struct {
	Body herald.InboxRule
}

// InboxRuleList lists rules.
type InboxRuleList struct {
	Body ListBody[herald.InboxRule]
}

// InboxRuleHitList lists what rules did to an item.
type InboxRuleHitList struct {
	Body ListBody[herald.InboxRuleHit]
}

// InboxTagList lists the workspace's tags.
type InboxTagList struct {
	Body ListBody[string]
}

func (a *API) registerInboxRules() {
	tags := []string{"Inbox rules"}
	base := "/api/v1/workspaces/{workspace}/inbox-rules"
	rule := func(ctx context.Context, ws int64, f func(herald.Actor) (herald.InboxRule, error)) (*InboxRuleOutput, error) {
		actor, err := a.actor(ctx, ws)
		if err != nil {
			return nil, err
		}
		r, err := f(actor)
		if err != nil {
			return nil, err
		}
		return &InboxRuleOutput{Body: r}, nil
	}
	register(a, huma.Operation{
		OperationID: "list-inbox-rules", Method: http.MethodGet, Path: base, Summary: "List inbox rules", Tags: tags,
		Description: "The rules applied, in this order, to every new inbox item on arrival (not to reopened ones). Everyone who reads the inbox sees them.",
	}, func(ctx context.Context, in *WorkspaceParam) (*InboxRuleList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rs, err := a.d.Inbox.ListRules(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &InboxRuleList{Body: list(rs, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-inbox-rule", Method: http.MethodPost, Path: base, Summary: "Add an inbox rule", Tags: tags,
		DefaultStatus: http.StatusCreated, Description: "Adds a rule after the others; managers and up.",
	}, func(ctx context.Context, in *InboxRuleCreateInput) (*InboxRuleOutput, error) {
		return rule(ctx, in.Workspace, func(actor herald.Actor) (herald.InboxRule, error) {
			return a.d.Inbox.CreateRule(ctx, actor, in.Body.input())
		})
	})
	register(a, huma.Operation{
		OperationID: "test-inbox-rule", Method: http.MethodPost, Path: base + "/test", Summary: "Test an inbox rule", Tags: tags,
		Description: "Runs the rule in the body against the workspace's latest 500 items and lists those it would match. Nothing is saved or changed.",
	}, func(ctx context.Context, in *InboxRuleCreateInput) (*InboxList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		items, err := a.d.Inbox.TestRule(ctx, actor, in.Body.input())
		if err != nil {
			return nil, err
		}
		return &InboxList{Body: list(items, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "order-inbox-rules", Method: http.MethodPost, Path: base + "/order", Summary: "Order the inbox rules",
		Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *InboxRuleOrderInput) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Inbox.ReorderRules(ctx, actor, in.Body.IDs)
	})
	register(a, huma.Operation{
		OperationID: "get-inbox-rule", Method: http.MethodGet, Path: base + "/{rule}", Summary: "Get an inbox rule", Tags: tags,
	}, func(ctx context.Context, in *InboxRulePath) (*InboxRuleOutput, error) {
		return rule(ctx, in.Workspace, func(actor herald.Actor) (herald.InboxRule, error) {
			return a.d.Inbox.GetRule(ctx, actor, in.Rule)
		})
	})
	register(a, huma.Operation{
		OperationID: "update-inbox-rule", Method: http.MethodPut, Path: base + "/{rule}", Summary: "Replace an inbox rule", Tags: tags,
	}, func(ctx context.Context, in *InboxRuleUpdateInput) (*InboxRuleOutput, error) {
		return rule(ctx, in.Workspace, func(actor herald.Actor) (herald.InboxRule, error) {
			return a.d.Inbox.UpdateRule(ctx, actor, in.Rule, in.Body.input())
		})
	})
	for _, sw := range []struct {
		verb string
		on   bool
	}{{"enable", true}, {"disable", false}} {
		register(a, huma.Operation{
			OperationID: sw.verb + "-inbox-rule", Method: http.MethodPost, Path: base + "/{rule}/" + sw.verb,
			Summary: "Switch an inbox rule " + map[bool]string{true: "on", false: "off"}[sw.on], Tags: tags,
		}, func(ctx context.Context, in *InboxRulePath) (*InboxRuleOutput, error) {
			return rule(ctx, in.Workspace, func(actor herald.Actor) (herald.InboxRule, error) {
				return a.d.Inbox.SetRuleEnabled(ctx, actor, in.Rule, sw.on)
			})
		})
	}
	register(a, huma.Operation{
		OperationID: "delete-inbox-rule", Method: http.MethodDelete, Path: base + "/{rule}", Summary: "Delete an inbox rule",
		Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "What the rule did stays recorded on the items, under its name.",
	}, func(ctx context.Context, in *InboxRulePath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Inbox.DeleteRule(ctx, actor, in.Rule)
	})
	register(a, huma.Operation{
		OperationID: "list-inbox-item-rule-hits", Method: http.MethodGet,
		Path: "/api/v1/workspaces/{workspace}/inbox/{item}/rule-hits", Summary: "What rules did to an inbox item", Tags: tags,
	}, func(ctx context.Context, in *InboxItemPath) (*InboxRuleHitList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		hits, err := a.d.Inbox.RuleHits(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &InboxRuleHitList{Body: list(hits, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "list-inbox-tags", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox-tags",
		Summary: "List the inbox's tags", Tags: tags, Description: "The tags in use on the workspace's inbox items, by name.",
	}, func(ctx context.Context, in *WorkspaceParam) (*InboxTagList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		names, err := a.d.Inbox.TagNames(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &InboxTagList{Body: list(names, "")}, nil
	})
}

// InboxWorkChange is the part of an inbox change about tags and priority.
type InboxWorkChange struct {
	AddTags    []string `json:"add_tags,omitempty" maxItems:"50" doc:"Tags to add (unique per item, ignoring case)"`
	RemoveTags []string `json:"remove_tags,omitempty" maxItems:"50" doc:"Tags to remove, ignoring case"`
	Priority   string   `json:"priority,omitempty" enum:"normal,high,urgent," doc:"The items' priority"`
}

// empty reports whether c changes nothing.
func (c InboxWorkChange) empty() bool {
	return len(c.AddTags) == 0 && len(c.RemoveTags) == 0 && c.Priority == ""
}

// apply makes the change to ids.
func (c InboxWorkChange) apply(ctx context.Context, a *API, actor herald.Actor, ids []int64) error {
	if len(c.AddTags) > 0 {
		if err := a.d.Inbox.AddTags(ctx, actor, ids, c.AddTags); err != nil {
			return err
		}
	}
	if len(c.RemoveTags) > 0 {
		if err := a.d.Inbox.RemoveTags(ctx, actor, ids, c.RemoveTags); err != nil {
			return err
		}
	}
	if c.Priority != "" {
		return a.d.Inbox.SetPriority(ctx, actor, ids, herald.InboxPriority(c.Priority))
	}
	return nil
}

// InboxWorkFilter is the part of the inbox list's query about tags,
// analysis and priority.
type InboxWorkFilter struct {
	Tag       string `query:"tag" maxLength:"50" doc:"Only items with this tag, ignoring case"`
	Sentiment string `query:"sentiment" enum:"positive,neutral,negative," doc:"Only items read as this sentiment"`
	Priority  string `query:"priority" enum:"normal,high,urgent," doc:"Only items of this priority"`
	Question  string `query:"question" enum:"yes,no," doc:"yes: only items that ask a question; no: only those that do not"`
	Overdue   string `query:"overdue" enum:"yes," doc:"yes: only items past the workspace's first-response target, not answered and not done"`
}

// set adds the filter to f.
func (w InboxWorkFilter) set(f *herald.InboxFilter) {
	f.Tag, f.Sentiment, f.Priority = w.Tag, w.Sentiment, herald.InboxPriority(w.Priority)
	if w.Question != "" {
		q := w.Question == "yes"
		f.HasQuestion = &q
	}
	if w.Overdue == "yes" {
		now := time.Now()
		f.OverdueAt = &now
	}
}
