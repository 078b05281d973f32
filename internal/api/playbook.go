package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
)

// PlaybookEntryPath addresses one playbook text.
type PlaybookEntryPath struct {
	WorkspaceParam
	Entry int64 `path:"entry" minimum:"1" doc:"Playbook text id"`
}

// PlaybookEntryBody is a playbook text as written.
type PlaybookEntryBody struct {
	Kind  herald.PlaybookKind `json:"kind" enum:"statement,reply" doc:"statement: a holding statement published as a post; reply: an answer to a post"`
	Title string              `json:"title" minLength:"1" maxLength:"100"`
	Body  string              `json:"body" minLength:"1" maxLength:"5000" doc:"The text exactly as it goes out; changing it takes the approval away"`
}

func (b PlaybookEntryBody) input() crisis.PlaybookInput {
	return crisis.PlaybookInput{Kind: b.Kind, Title: b.Title, Body: b.Body}
}

// PlaybookEntryInput creates a playbook text.
type PlaybookEntryInput struct {
	WorkspaceParam
	Body PlaybookEntryBody
}

// PlaybookEntryUpdateInput replaces a playbook text.
type PlaybookEntryUpdateInput struct {
	PlaybookEntryPath
	Body PlaybookEntryBody
}

// PlaybookEntryOutput is one playbook text.
type PlaybookEntryOutput struct {
	Body herald.PlaybookEntry
}

// PlaybookOutput is the workspace's playbook.
type PlaybookOutput struct {
	Body struct {
		Entries   []herald.PlaybookEntry `json:"entries" nullable:"false" doc:"Statements first, then replies, by title"`
		Checklist []herald.PlaybookStep  `json:"checklist" nullable:"false" doc:"Copied into every incident when it opens"`
	}
}

// ChecklistInput replaces the workspace's checklist.
type ChecklistInput struct {
	WorkspaceParam
	Body struct {
		Steps []herald.PlaybookStep `json:"steps" maxItems:"50" nullable:"false"`
	}
}

// StatementInput publishes an approved statement from an open incident.
type StatementInput struct {
	IncidentPath
	Body struct {
		EntryID    int64   `json:"entry_id" minimum:"1" doc:"An approved playbook statement"`
		AccountIDs []int64 `json:"account_ids" minItems:"1" doc:"The workspace's accounts to publish it from"`
	}
}

// IncidentReplyInput answers a listening match from an open incident.
type IncidentReplyInput struct {
	IncidentPath
	Body struct {
		MatchID    int64  `json:"match_id" minimum:"1" doc:"The listening match answered"`
		AccountID  int64  `json:"account_id" minimum:"1" doc:"The workspace's account that replies (same platform as the match)"`
		EntryID    int64  `json:"entry_id,omitempty" doc:"An approved playbook reply; or give text"`
		Text       string `json:"text,omitempty" maxLength:"10000" doc:"Your own words (roles that reply without review only)"`
		RequestKey string `json:"request_key,omitempty" maxLength:"200" doc:"Names this request: asking again with it sends nothing twice"`
	}
}

// SentOutput is what a response from an incident did.
type SentOutput struct {
	Body crisis.Sent
}

// IncidentStepInput ticks or unticks a checklist step.
type IncidentStepInput struct {
	IncidentPath
	Step int64 `path:"step" minimum:"1" doc:"Checklist step id"`
	Body struct {
		Done bool `json:"done"`
	}
}

// IncidentStepOutput is one checklist step.
type IncidentStepOutput struct {
	Body herald.IncidentStep
}

// MatchReplyInput answers a listening match in one's own words.
type MatchReplyInput struct {
	WorkspaceParam
	Match int64 `path:"match" minimum:"1" doc:"Listening match id"`
	Body  struct {
		AccountID  int64  `json:"account_id" minimum:"1" doc:"The workspace's account that replies (same platform as the match)"`
		Text       string `json:"text" minLength:"1" maxLength:"10000"`
		RequestKey string `json:"request_key,omitempty" maxLength:"200" doc:"Names this request: asking again with it sends nothing twice"`
	}
}

// MatchReplyOutput is the reply and the inbox item that keeps the
// conversation.
type MatchReplyOutput struct {
	Body struct {
		Reply herald.Reply     `json:"reply"`
		Item  herald.InboxItem `json:"item"`
	}
}

func (a *API) registerPlaybook() {
	tags := []string{"Crisis"}
	base := "/api/v1/workspaces/{workspace}"
	register(a, huma.Operation{OperationID: "get-playbook", Method: http.MethodGet, Path: base + "/playbook",
		Summary: "Get the crisis playbook", Tags: tags,
		Description: "The pre-approved holding statements and replies, and the checklist every incident starts with."},
		func(ctx context.Context, in *WorkspaceParam) (*PlaybookOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			es, steps, err := a.d.Crisis.Playbook(ctx, actor)
			if err != nil {
				return nil, err
			}
			out := &PlaybookOutput{}
			out.Body.Entries, out.Body.Checklist = herald.NonNil(es), herald.NonNil(steps)
			return out, nil
		})
	register(a, huma.Operation{OperationID: "create-playbook-entry", Method: http.MethodPost, Path: base + "/playbook/entries",
		Summary: "Write a playbook text", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "It cannot be used until someone who approves and holds posts approves it."},
		func(ctx context.Context, in *PlaybookEntryInput) (*PlaybookEntryOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			e, err := a.d.Crisis.CreatePlaybookEntry(ctx, actor, in.Body.input())
			return &PlaybookEntryOutput{Body: e}, err
		})
	register(a, huma.Operation{OperationID: "update-playbook-entry", Method: http.MethodPut, Path: base + "/playbook/entries/{entry}",
		Summary: "Change a playbook text", Tags: tags, Description: "A changed kind or wording loses its approval."},
		func(ctx context.Context, in *PlaybookEntryUpdateInput) (*PlaybookEntryOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			e, err := a.d.Crisis.UpdatePlaybookEntry(ctx, actor, in.Entry, in.Body.input())
			return &PlaybookEntryOutput{Body: e}, err
		})
	register(a, huma.Operation{OperationID: "approve-playbook-entry", Method: http.MethodPost, Path: base + "/playbook/entries/{entry}/approve",
		Summary: "Approve a playbook text", Tags: tags,
		Description: "Approves the text as it stands for use during an open incident without another review."},
		func(ctx context.Context, in *PlaybookEntryPath) (*PlaybookEntryOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			e, err := a.d.Crisis.ApprovePlaybookEntry(ctx, actor, in.Entry)
			return &PlaybookEntryOutput{Body: e}, err
		})
	register(a, huma.Operation{OperationID: "delete-playbook-entry", Method: http.MethodDelete, Path: base + "/playbook/entries/{entry}",
		Summary: "Delete a playbook text", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *PlaybookEntryPath) (*struct{}, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			return nil, a.d.Crisis.DeletePlaybookEntry(ctx, actor, in.Entry)
		})
	register(a, huma.Operation{OperationID: "set-playbook-checklist", Method: http.MethodPut, Path: base + "/playbook/checklist",
		Summary: "Replace the crisis checklist", Tags: tags,
		Description: "Steps with their owners (members; 0: whoever is on duty). Open incidents keep the checklist they opened with."},
		func(ctx context.Context, in *ChecklistInput) (*PlaybookOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			if _, err := a.d.Crisis.SetPlaybookSteps(ctx, actor, in.Body.Steps); err != nil {
				return nil, err
			}
			es, steps, err := a.d.Crisis.Playbook(ctx, actor)
			if err != nil {
				return nil, err
			}
			out := &PlaybookOutput{}
			out.Body.Entries, out.Body.Checklist = herald.NonNil(es), herald.NonNil(steps)
			return out, nil
		})
	register(a, huma.Operation{OperationID: "publish-incident-statement", Method: http.MethodPost, Path: base + "/incidents/{incident}/statements",
		Summary: "Publish a pre-approved statement", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "While the incident is open, publishes an approved playbook statement now from the chosen accounts without another review; in a drill nothing is sent."},
		func(ctx context.Context, in *StatementInput) (*SentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			s, err := a.d.Crisis.PublishStatement(ctx, actor, in.Incident, in.Body.EntryID, in.Body.AccountIDs)
			return &SentOutput{Body: s}, err
		})
	register(a, huma.Operation{OperationID: "reply-from-incident", Method: http.MethodPost, Path: base + "/incidents/{incident}/replies",
		Summary: "Reply to a listening match from an incident", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "While the incident is open: an approved playbook reply (any role that writes posts) or your own words (roles that reply without review), sent once through the inbox; in a drill nothing is sent."},
		func(ctx context.Context, in *IncidentReplyInput) (*SentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			s, err := a.d.Crisis.Reply(ctx, actor, in.Incident, crisis.ReplyInput{MatchID: in.Body.MatchID, AccountID: in.Body.AccountID,
				EntryID: in.Body.EntryID, Text: in.Body.Text, RequestKey: in.Body.RequestKey})
			if err != nil && s.Reply == nil {
				return nil, err
			}
			return &SentOutput{Body: s}, nil
		})
	register(a, huma.Operation{OperationID: "set-incident-step", Method: http.MethodPut, Path: base + "/incidents/{incident}/steps/{step}",
		Summary: "Tick a checklist step", Tags: tags},
		func(ctx context.Context, in *IncidentStepInput) (*IncidentStepOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			st, err := a.d.Crisis.SetStepDone(ctx, actor, in.Incident, in.Step, in.Body.Done)
			return &IncidentStepOutput{Body: st}, err
		})
	if a.d.Listen == nil || a.d.Posts == nil {
		return
	}
	register(a, huma.Operation{OperationID: "reply-to-listen-match", Method: http.MethodPost, Path: base + "/listen/matches/{match}/replies",
		Summary: "Reply to a listening match", Tags: []string{"Listening"}, DefaultStatus: http.StatusCreated,
		Description: "Answers a public post found by listening from one of the workspace's accounts on its platform. The post becomes an inbox item of that account and the reply is sent once through the inbox (roles that reply without review)."},
		func(ctx context.Context, in *MatchReplyInput) (*MatchReplyOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			m, err := a.d.Listen.Match(ctx, actor, in.Match)
			if err != nil {
				return nil, err
			}
			r, it, err := a.d.Posts.ReplyToMatch(ctx, actor, m, in.Body.AccountID, in.Body.Text, in.Body.RequestKey)
			if err != nil && r.ID == 0 {
				return nil, err
			}
			out := &MatchReplyOutput{}
			out.Body.Reply, out.Body.Item = r, it
			return out, nil
		})
}
