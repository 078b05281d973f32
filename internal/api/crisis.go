package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// DetectorPath addresses one crisis detector.
type DetectorPath struct {
	WorkspaceParam
	Detector int64 `path:"detector" minimum:"1" doc:"Crisis detector id"`
}

// DetectorBody is a detector as written. Durations are in seconds; zero
// values take the defaults.
type DetectorBody struct {
	Name            string              `json:"name" minLength:"1" maxLength:"100"`
	Kind            herald.DetectorKind `json:"kind" enum:"spike,phrase,replies" doc:"spike: matches of a sentiment over a multiple of their usual level; phrase: a watched phrase appears; replies: a pile-on of replies under one post"`
	TopicID         int64               `json:"topic_id,omitempty" doc:"Only this listening topic's matches; 0: every topic"`
	Sentiment       string              `json:"sentiment,omitempty" doc:"spike: count only matches of this sentiment (negative, neutral, positive); empty: every match"`
	WindowSeconds   int64               `json:"window_seconds,omitempty" minimum:"0" doc:"The window counted (spike, replies) or searched (phrase); default 900"`
	BaselineSeconds int64               `json:"baseline_seconds,omitempty" minimum:"0" doc:"spike: the span before the window whose mean per window is the usual level; default 86400"`
	Multiple        float64             `json:"multiple,omitempty" minimum:"0" doc:"spike: fires at this many times the usual level; default 3"`
	MinCount        int                 `json:"min_count,omitempty" minimum:"0" doc:"spike: never fires below this count (default 20); replies: replies to one post (default 50)"`
	Phrases         []string            `json:"phrases,omitempty" doc:"phrase: the phrases watched for, matched on whole words ignoring case"`
	Hold            herald.HoldMode     `json:"hold,omitempty" enum:"auto,propose" doc:"auto: hold every scheduled post at once; propose (default): the incident offers the hold"`
	Enabled         *bool               `json:"enabled,omitempty" doc:"A disabled detector keeps its settings and fires nothing; default true"`
}

func (b DetectorBody) detector() herald.Detector {
	return herald.Detector{Name: b.Name, Kind: b.Kind, TopicID: b.TopicID, Sentiment: b.Sentiment,
		Window: time.Duration(b.WindowSeconds) * time.Second, Baseline: time.Duration(b.BaselineSeconds) * time.Second,
		Multiple: b.Multiple, MinCount: b.MinCount, Phrases: b.Phrases, Hold: b.Hold, Enabled: b.Enabled == nil || *b.Enabled}
}

// DetectorInput creates a detector.
type DetectorInput struct {
	WorkspaceParam
	Body DetectorBody
}

// DetectorUpdateInput replaces a detector's settings.
type DetectorUpdateInput struct {
	DetectorPath
	Body DetectorBody
}

// DetectorView is a detector with its durations in seconds.
type DetectorView struct {
	herald.Detector
	WindowSeconds   int64 `json:"window_seconds"`
	BaselineSeconds int64 `json:"baseline_seconds"`
}

func detectorView(d herald.Detector) DetectorView {
	return DetectorView{Detector: d, WindowSeconds: int64(d.Window / time.Second), BaselineSeconds: int64(d.Baseline / time.Second)}
}

// DetectorOutput is one detector.
type DetectorOutput struct {
	Body DetectorView
}

// DetectorList lists detectors.
type DetectorList struct {
	Body ListBody[DetectorView]
}

// ReplayInput asks when a detector, saved or not, would have fired.
type ReplayInput struct {
	WorkspaceParam
	Body struct {
		Detector DetectorBody `json:"detector"`
		From     time.Time    `json:"from"`
		To       time.Time    `json:"to"`
	}
}

// ReplayFiring is one episode's first firing.
type ReplayFiring struct {
	At        time.Time `json:"at"`
	Count     int       `json:"count"`
	Baseline  float64   `json:"baseline" doc:"The usual count per window"`
	Threshold float64   `json:"threshold"`
	Why       string    `json:"why"`
}

// ReplayOutput lists the firings.
type ReplayOutput struct {
	Body struct {
		Firings []ReplayFiring `json:"firings" nullable:"false"`
	}
}

// IncidentPath addresses one incident.
type IncidentPath struct {
	WorkspaceParam
	Incident int64 `path:"incident" minimum:"1" doc:"Incident id"`
}

// IncidentView is an incident with its timeline.
type IncidentView struct {
	herald.Incident
	Timeline  []herald.IncidentEvent `json:"timeline" nullable:"false"`
	Checklist []herald.IncidentStep  `json:"checklist" nullable:"false" doc:"The playbook's checklist as it was when the incident opened"`
}

// IncidentOutput is one incident.
type IncidentOutput struct {
	Body IncidentView
}

// IncidentList lists incidents.
type IncidentList struct {
	Body ListBody[herald.Incident]
}

// IncidentNoteInput adds a note.
type IncidentNoteInput struct {
	IncidentPath
	Body struct {
		Note string `json:"note" minLength:"1" maxLength:"2000"`
	}
}

// IncidentResolveInput resolves an incident.
type IncidentResolveInput struct {
	IncidentPath
	Body struct {
		Resume bool   `json:"resume" doc:"Resume what the crisis hold holds, each post back to review for approval"`
		Note   string `json:"note,omitempty" maxLength:"2000"`
	}
}

func (a *API) registerCrisis() {
	tags := []string{"Crisis"}
	base := "/api/v1/workspaces/{workspace}"
	register(a, huma.Operation{OperationID: "list-crisis-detectors", Method: http.MethodGet, Path: base + "/crisis/detectors",
		Summary: "List crisis detectors", Tags: tags}, func(ctx context.Context, in *WorkspaceParam) (*DetectorList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ds, err := a.d.Crisis.Detectors(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := make([]DetectorView, len(ds))
		for i, d := range ds {
			out[i] = detectorView(d)
		}
		return &DetectorList{Body: list(out, "")}, nil
	})
	register(a, huma.Operation{OperationID: "create-crisis-detector", Method: http.MethodPost, Path: base + "/crisis/detectors",
		Summary: "Create a crisis detector", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Detectors run every 30 seconds over the workspace's listening matches; managing them needs posts.hold, since one can hold every scheduled post."},
		func(ctx context.Context, in *DetectorInput) (*DetectorOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			d, err := a.d.Crisis.CreateDetector(ctx, actor, in.Body.detector())
			if err != nil {
				return nil, err
			}
			return &DetectorOutput{Body: detectorView(d)}, nil
		})
	register(a, huma.Operation{OperationID: "get-crisis-detector", Method: http.MethodGet, Path: base + "/crisis/detectors/{detector}",
		Summary: "Get a crisis detector", Tags: tags}, func(ctx context.Context, in *DetectorPath) (*DetectorOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		d, err := a.d.Crisis.Detector(ctx, actor, in.Detector)
		if err != nil {
			return nil, err
		}
		return &DetectorOutput{Body: detectorView(d)}, nil
	})
	register(a, huma.Operation{OperationID: "update-crisis-detector", Method: http.MethodPut, Path: base + "/crisis/detectors/{detector}",
		Summary: "Replace a crisis detector", Tags: tags}, func(ctx context.Context, in *DetectorUpdateInput) (*DetectorOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		d, err := a.d.Crisis.UpdateDetector(ctx, actor, in.Detector, in.Body.detector())
		if err != nil {
			return nil, err
		}
		return &DetectorOutput{Body: detectorView(d)}, nil
	})
	register(a, huma.Operation{OperationID: "delete-crisis-detector", Method: http.MethodDelete, Path: base + "/crisis/detectors/{detector}",
		Summary: "Delete a crisis detector", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Its incidents stay."}, func(ctx context.Context, in *DetectorPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Crisis.DeleteDetector(ctx, actor, in.Detector)
	})
	register(a, huma.Operation{OperationID: "drill-crisis-detector", Method: http.MethodPost, Path: base + "/crisis/detectors/{detector}/drill",
		Summary: "Run a drill", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Opens an incident marked as a drill through the same path as a real firing (alerts, timeline); it holds nothing."},
		func(ctx context.Context, in *DetectorPath) (*IncidentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			inc, err := a.d.Crisis.Drill(ctx, actor, in.Detector)
			if err != nil {
				return nil, err
			}
			return a.incidentOutput(ctx, actor, inc.ID)
		})
	register(a, huma.Operation{OperationID: "replay-crisis-detector", Method: http.MethodPost, Path: base + "/crisis/replay",
		Summary: "When would a detector have fired?", Tags: tags,
		Description: "Replays a spike detector, saved or not, over the stored matches of a span of at most 31 days: each episode's first firing with its numbers."},
		func(ctx context.Context, in *ReplayInput) (*ReplayOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			fs, err := a.d.Crisis.Replay(ctx, actor, in.Body.Detector.detector(), in.Body.From, in.Body.To)
			if err != nil {
				return nil, err
			}
			out := &ReplayOutput{}
			out.Body.Firings = make([]ReplayFiring, len(fs))
			for i, f := range fs {
				out.Body.Firings[i] = ReplayFiring{At: f.At, Count: f.Count, Baseline: f.Baseline, Threshold: f.Threshold, Why: f.Why}
			}
			return out, nil
		})
	register(a, huma.Operation{OperationID: "list-incidents", Method: http.MethodGet, Path: base + "/incidents",
		Summary: "List incidents", Tags: tags, Description: "Open incidents first, then newest first."},
		func(ctx context.Context, in *WorkspaceParam) (*IncidentList, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			ins, err := a.d.Crisis.Incidents(ctx, actor)
			if err != nil {
				return nil, err
			}
			return &IncidentList{Body: list(ins, "")}, nil
		})
	register(a, huma.Operation{OperationID: "get-incident", Method: http.MethodGet, Path: base + "/incidents/{incident}",
		Summary: "Get an incident with its timeline", Tags: tags}, func(ctx context.Context, in *IncidentPath) (*IncidentOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return a.incidentOutput(ctx, actor, in.Incident)
	})
	register(a, huma.Operation{OperationID: "hold-incident", Method: http.MethodPost, Path: base + "/incidents/{incident}/hold",
		Summary: "Apply the hold an incident offers", Tags: tags,
		Description: "Holds every scheduled post of the workspace until the incident is resolved with resume."},
		func(ctx context.Context, in *IncidentPath) (*IncidentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			if _, err := a.d.Crisis.Hold(ctx, actor, in.Incident); err != nil {
				return nil, err
			}
			return a.incidentOutput(ctx, actor, in.Incident)
		})
	register(a, huma.Operation{OperationID: "note-incident", Method: http.MethodPost, Path: base + "/incidents/{incident}/notes",
		Summary: "Add a note to an incident's timeline", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *IncidentNoteInput) (*IncidentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			if _, err := a.d.Crisis.Note(ctx, actor, in.Incident, in.Body.Note); err != nil {
				return nil, err
			}
			return a.incidentOutput(ctx, actor, in.Incident)
		})
	register(a, huma.Operation{OperationID: "resolve-incident", Method: http.MethodPost, Path: base + "/incidents/{incident}/resolve",
		Summary: "Resolve an incident", Tags: tags},
		func(ctx context.Context, in *IncidentResolveInput) (*IncidentOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			if _, err := a.d.Crisis.Resolve(ctx, actor, in.Incident, in.Body.Resume, in.Body.Note); err != nil {
				return nil, err
			}
			return a.incidentOutput(ctx, actor, in.Incident)
		})
}

func (a *API) incidentOutput(ctx context.Context, actor herald.Actor, id int64) (*IncidentOutput, error) {
	in, tl, err := a.d.Crisis.Incident(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	steps, err := a.d.Crisis.IncidentSteps(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return &IncidentOutput{Body: IncidentView{Incident: in, Timeline: herald.NonNil(tl), Checklist: herald.NonNil(steps)}}, nil
}
