package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// PostPath addresses one post.
type PostPath struct {
	WorkspaceParam
	Post int64 `path:"post" minimum:"1" doc:"Post id"`
}

// TargetPath addresses one target of a post.
type TargetPath struct {
	PostPath
	Target int64 `path:"target" minimum:"1" doc:"Target id"`
}

// ThreadPartBody is one later part of a thread.
type ThreadPartBody struct {
	Text     string  `json:"text,omitempty" maxLength:"100000"`
	MediaIDs []int64 `json:"media_ids,omitempty" maxItems:"20" doc:"Media asset ids of the workspace"`
}

// VariantBody is what one target publishes.
type VariantBody struct {
	Text         string            `json:"text,omitempty" maxLength:"100000" doc:"This account's text; empty to use the post's text"`
	MediaIDs     []int64           `json:"media_ids,omitempty" maxItems:"20" doc:"Media asset ids of the workspace"`
	Thread       []ThreadPartBody  `json:"thread,omitempty" maxItems:"50" doc:"Parts after the first, each a reply to the one before"`
	FirstComment string            `json:"first_comment,omitempty" maxLength:"100000" doc:"Published as a reply right after the post"`
	Options      map[string]string `json:"options,omitempty" doc:"Platform options such as visibility, spoiler_text, language"`
}

// TargetBody is the post on one account.
type TargetBody struct {
	AccountID   int64        `json:"account_id" minimum:"1" doc:"A connected account of the workspace"`
	Variant     *VariantBody `json:"variant,omitempty"`
	ScheduledAt *time.Time   `json:"scheduled_at,omitempty" doc:"When to publish: RFC 3339 with an offset, e.g. 2026-05-01T09:00:00+02:00"`
}

// PostCreateInput creates a post.
type PostCreateInput struct {
	WorkspaceParam
	Body struct {
		Title      string               `json:"title,omitempty" maxLength:"200" doc:"Internal name, never published"`
		Text       string               `json:"text,omitempty" maxLength:"100000" doc:"Base text; a target's variant text overrides it"`
		LabelIDs   []int64              `json:"label_ids,omitempty" maxItems:"50"`
		CampaignID *int64               `json:"campaign_id,omitempty" minimum:"1"`
		Targets    []TargetBody         `json:"targets,omitempty" maxItems:"100" doc:"One per account to publish to"`
		Action     string               `json:"action,omitempty" enum:"draft,submit,schedule,queue" default:"draft" doc:"draft keeps the targets drafts; submit sends them for review; schedule schedules them (roles that need approval must submit); queue schedules each in its account's next free posting slot"`
		Recurrence string               `json:"recurrence,omitempty" maxLength:"500" doc:"Repeat the post: an RFC 5545 RRULE without DTSTART, such as FREQ=WEEKLY;BYDAY=MO. The series starts at the first target's scheduled time, in the workspace's time zone; scheduling it creates the occurrences 30 days ahead"`
		Links      *herald.LinkTracking `json:"links,omitempty" doc:"Tracked links: track true or false (absent: the workspace's analytics setting) and UTM parameters replacing the defaults (source = platform, medium = social, campaign = the campaign's slug, content = the post id)"`
	}
}

// PostPatchInput changes a post; absent fields stay unchanged.
type PostPatchInput struct {
	PostPath
	IfMatch string `header:"If-Match" doc:"The ETag of the post as you read it; the update fails with 412 if the post changed since"`
	Body    struct {
		Title      *string              `json:"title,omitempty" maxLength:"200"`
		Text       *string              `json:"text,omitempty" maxLength:"100000"`
		LabelIDs   []int64              `json:"label_ids,omitempty" maxItems:"50" doc:"Replaces the labels; [] removes them all"`
		CampaignID *int64               `json:"campaign_id,omitempty" minimum:"0" doc:"0 unlinks the post from its campaign"`
		Targets    []TargetBody         `json:"targets,omitempty" maxItems:"100" doc:"Replaces the targets: matched to the current ones by account; accounts left out are removed"`
		Links      *herald.LinkTracking `json:"links,omitempty" doc:"Replaces the post's link tracking; {} returns to the workspace's default"`
	}
}

// PostActionInput is a state action with an optional comment.
type PostActionInput struct {
	PostPath
	Body *struct {
		Comment string `json:"comment,omitempty" maxLength:"2000" doc:"Recorded in each target's history"`
	}
}

// PostScheduleInput schedules a post.
type PostScheduleInput struct {
	PostPath
	Body *struct {
		ScheduledAt *time.Time `json:"scheduled_at,omitempty" doc:"One time for every target; left out, each target's own time is used"`
		Comment     string     `json:"comment,omitempty" maxLength:"2000"`
	}
}

// PostListInput filters the post listing.
type PostListInput struct {
	WorkspaceParam
	PageParams
	State    string `query:"state" doc:"Comma-separated target states; posts with a target in one of them"`
	Account  int64  `query:"account" minimum:"0" doc:"Posts with a target on this account"`
	Label    int64  `query:"label" minimum:"0" doc:"Posts with this label"`
	Campaign int64  `query:"campaign" minimum:"0" doc:"Posts of this campaign"`
	From     string `query:"from" doc:"Posts with a target scheduled at or after: an RFC 3339 instant, or a date YYYY-MM-DD (its start in the workspace's time zone)"`
	To       string `query:"to" doc:"Posts with a target scheduled before: an RFC 3339 instant, or a date YYYY-MM-DD (the end of that day in the workspace's time zone)"`
}

// PostOutput is one post with its ETag.
type PostOutput struct {
	ETag string `header:"ETag" doc:"The post's version; send it back as If-Match to update safely"`
	Body herald.Post
}

// PostList lists posts.
type PostList struct {
	Body ListBody[herald.Post]
}

// TransitionList lists a target's state changes.
type TransitionList struct {
	Body ListBody[herald.TargetTransition]
}

func postOut(p herald.Post) *PostOutput {
	if p.LabelIDs == nil {
		p.LabelIDs = []int64{}
	}
	if p.Targets == nil {
		p.Targets = []herald.Target{}
	}
	return &PostOutput{ETag: etag(p.Version), Body: p}
}

func targetsFrom(in []TargetBody) []herald.Target {
	var out []herald.Target
	for _, t := range in {
		ht := herald.Target{AccountID: t.AccountID, ScheduledAt: t.ScheduledAt}
		if v := t.Variant; v != nil {
			ht.Variant = herald.Variant{Text: v.Text, MediaIDs: v.MediaIDs, FirstComment: v.FirstComment, Options: v.Options}
			for _, part := range v.Thread {
				ht.Variant.Thread = append(ht.Variant.Thread, herald.ThreadPart{Text: part.Text, MediaIDs: part.MediaIDs})
			}
		}
		out = append(out, ht)
	}
	return out
}

func (a *API) registerPosts() {
	tags := []string{"Posts"}
	base := "/api/v1/workspaces/{workspace}/posts"
	register(a, huma.Operation{
		OperationID: "list-posts", Method: http.MethodGet, Path: base,
		Summary: "List posts", Tags: tags,
		Description: "The workspace's posts with their targets, newest first. Target filters (state, account, from, to) hold for one and the same target.",
	}, func(ctx context.Context, in *PostListInput) (*PostList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f := herald.PostFilter{AccountID: in.Account, LabelID: in.Label, CampaignID: in.Campaign, Page: in.Page()}
		if f.States, f.From, f.To, err = a.targetFilter(ctx, actor, in.State, in.From, in.To); err != nil {
			return nil, err
		}
		posts, next, err := a.d.Posts.List(ctx, actor, f)
		if err != nil {
			return nil, err
		}
		return &PostList{Body: list(posts, next)}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-post", Method: http.MethodPost, Path: base,
		Summary: "Create a post", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Writes a post with one target per account. With action submit the targets go to review; " +
			"with schedule they are scheduled at their scheduled_at (for roles that need no approval).",
	}, func(ctx context.Context, in *PostCreateInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.Create(ctx, actor, herald.Post{Title: in.Body.Title, Text: in.Body.Text,
			LabelIDs: in.Body.LabelIDs, CampaignID: in.Body.CampaignID, Targets: targetsFrom(in.Body.Targets),
			Recurrence: in.Body.Recurrence, Links: in.Body.Links},
			post.Action(in.Body.Action))
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "get-post", Method: http.MethodGet, Path: base + "/{post}",
		Summary: "Get a post", Tags: tags, Description: "The post with its targets; the ETag header is its version.",
	}, func(ctx context.Context, in *PostPath) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.Get(ctx, actor, in.Post)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "update-post", Method: http.MethodPatch, Path: base + "/{post}",
		Summary: "Update a post", Tags: tags,
		Description: "Changes the fields sent. Send If-Match with the ETag you read to be told (412) when someone " +
			"else changed the post since; without it, a concurrent change is a 409. Targets being or already " +
			"published cannot change.",
	}, func(ctx context.Context, in *PostPatchInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ifMatch, hasIfMatch, err := parseIfMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		cur, err := a.d.Posts.Get(ctx, actor, in.Post)
		if err != nil {
			return nil, err
		}
		p := cur
		b := in.Body
		if b.Title != nil {
			p.Title = *b.Title
		}
		if b.Text != nil {
			p.Text = *b.Text
		}
		if b.LabelIDs != nil {
			p.LabelIDs = b.LabelIDs
		}
		if b.CampaignID != nil {
			p.CampaignID = b.CampaignID
			if *b.CampaignID == 0 {
				p.CampaignID = nil
			}
		}
		if b.Targets != nil {
			p.Targets = targetsFrom(b.Targets)
		}
		if b.Links != nil {
			p.Links = b.Links
			if p.Links.Track == nil && p.Links.UTM == (herald.UTM{}) {
				p.Links = nil
			}
		}
		p, err = a.d.Posts.Update(ctx, actor, p, ifMatch, hasIfMatch)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "delete-post", Method: http.MethodDelete, Path: base + "/{post}",
		Summary: "Delete a post", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the post and its targets from Herald (not from the platforms). Refused while a target is being published.",
	}, func(ctx context.Context, in *PostPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Posts.Delete(ctx, actor, in.Post)
	})

	a.registerPostActions(base+"/{post}", tags, []postAction{
		{"submit-post", "submit", "Submit a post for review", "Moves every draft target to in_review.", a.d.Posts.Submit},
		{"approve-post", "approve", "Approve a post", "Moves every target in review to approved (roles that approve; when the workspace requires " +
			"approval, not the post's author).", a.d.Posts.Approve},
		{"request-post-changes", "request-changes", "Request changes to a post",
			"Sends every target in review (or approved) back to draft; the comment says what to change.", a.d.Posts.RequestChanges},
		{"unschedule-post", "unschedule", "Unschedule a post", "Moves every target that is not published back to draft. Scheduled, held, failed and unconfirmed " +
			"targets move only for roles that schedule without approval.", a.d.Posts.Unschedule},
		{"cancel-post", "cancel", "Cancel a post", "Cancels every target that is not published or being published. Scheduled, held, failed, " +
			"unconfirmed and retrying targets are cancelled only by roles that schedule without approval.", a.d.Posts.Cancel},
	})

	register(a, huma.Operation{
		OperationID: "schedule-post", Method: http.MethodPost, Path: base + "/{post}/schedule",
		Summary: "Schedule a post", Tags: tags,
		Description: "Schedules every target at scheduled_at, or at its own time. Approved targets may be scheduled by " +
			"anyone who writes posts; drafts only by roles that need no approval (otherwise 403: submit for review).",
	}, func(ctx context.Context, in *PostScheduleInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		var at *time.Time
		comment := ""
		if in.Body != nil {
			at, comment = in.Body.ScheduledAt, in.Body.Comment
		}
		p, err := a.d.Posts.Schedule(ctx, actor, in.Post, at, comment)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "list-target-transitions", Method: http.MethodGet, Path: base + "/{post}/targets/{target}/transitions",
		Summary: "A target's history", Tags: tags, Description: "Every state change of the target, oldest first, with who made it and why.",
	}, func(ctx context.Context, in *TargetPath) (*TransitionList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.Get(ctx, actor, in.Post)
		if err != nil {
			return nil, err
		}
		found := false
		for _, t := range p.Targets {
			found = found || t.ID == in.Target
		}
		if !found {
			return nil, herald.Errorf(herald.CodeNotFound, "target %d is not a target of post %d", in.Target, in.Post)
		}
		trs, err := a.d.Posts.Transitions(ctx, actor, in.Target)
		if err != nil {
			return nil, err
		}
		return &TransitionList{Body: list(trs, "")}, nil
	})
}

// targetFilter reads a listing's state (comma-separated), from and to
// query parameters; plain dates are read in the workspace's zone.
func (a *API) targetFilter(ctx context.Context, actor herald.Actor, state, from, to string) ([]herald.TargetState, *time.Time, *time.Time, error) {
	var states []herald.TargetState
	for _, st := range strings.Split(state, ",") {
		if st = strings.TrimSpace(st); st != "" {
			states = append(states, herald.TargetState(st))
		}
	}
	if from == "" && to == "" {
		return states, nil, nil, nil
	}
	loc, err := a.d.Posts.Location(ctx, actor)
	if err != nil {
		return nil, nil, nil, err
	}
	f, err := parseBound("from", from, loc, false)
	if err != nil {
		return nil, nil, nil, err
	}
	t, err := parseBound("to", to, loc, true)
	if err != nil {
		return nil, nil, nil, err
	}
	return states, f, t, nil
}

// parseBound reads a from/to query parameter: an RFC 3339 instant, or a
// plain date in loc (its start for from, the start of the next day for to,
// as to is exclusive).
func parseBound(name, v string, loc *time.Location, end bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		u := t.UTC()
		return &u, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("%s must be an RFC 3339 instant such as 2026-05-01T09:00:00+02:00, or a date such as 2026-05-01", name),
			Details: []herald.FieldProblem{{Field: name, Problem: fmt.Sprintf("%q is neither an RFC 3339 instant nor a date YYYY-MM-DD", v)}}}
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	u := d.UTC()
	return &u, nil
}

// postAction is a state action on a whole post that takes an optional comment.
type postAction struct {
	id, path, summary, desc string
	do                      func(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error)
}

// registerPostActions registers POST base/<path> for each action.
func (a *API) registerPostActions(base string, tags []string, actions []postAction) {
	for _, ac := range actions {
		register(a, huma.Operation{
			OperationID: ac.id, Method: http.MethodPost, Path: base + "/" + ac.path,
			Summary: ac.summary, Tags: tags, Description: ac.desc,
		}, func(ctx context.Context, in *PostActionInput) (*PostOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			comment := ""
			if in.Body != nil {
				comment = in.Body.Comment
			}
			p, err := ac.do(ctx, actor, in.Post, comment)
			if err != nil {
				return nil, err
			}
			return postOut(p), nil
		})
	}
}
