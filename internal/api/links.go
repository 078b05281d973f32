package api

import (
	"context"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/links"
)

// TrackedLink is a tracked link with its short address and counts.
type TrackedLink struct {
	herald.LinkStats
	ShortURL string `json:"short_url" doc:"The short link: Herald's public address + /l/ + code"`
}

// LinksInput picks the links of a period or of one target.
type LinksInput struct {
	WorkspaceParam
	From   time.Time `query:"from" doc:"Start (RFC 3339), inclusive: links of targets published since, and builder links made since; default 90 days before to"`
	To     time.Time `query:"to" doc:"End (RFC 3339), exclusive; default now"`
	Target int64     `query:"target" doc:"Only this target's links (any time)"`
}

// LinksOutput lists tracked links.
type LinksOutput struct {
	Body struct {
		Links []TrackedLink `json:"links" doc:"Newest first, at most 1,000"`
	}
}

// LinkBuildBody is an address and the UTM parameters to add to it.
type LinkBuildBody struct {
	URL string     `json:"url" maxLength:"2048" doc:"An http or https address on the public internet"`
	UTM herald.UTM `json:"utm,omitzero" doc:"utm_source, utm_medium, utm_campaign, utm_content, utm_term; a parameter already in the address is kept"`
}

// LinkCreateInput makes a tracked link in the UTM builder.
type LinkCreateInput struct {
	WorkspaceParam
	Body LinkBuildBody
}

// LinkOutput is one tracked link.
type LinkOutput struct {
	Body TrackedLink
}

// LinkBuildInput tags an address without making a short link.
type LinkBuildInput struct {
	WorkspaceParam
	Body LinkBuildBody
}

// LinkBuildOutput is the tagged address.
type LinkBuildOutput struct {
	Body struct {
		URL string `json:"url" doc:"The address with its UTM parameters"`
	}
}

// ConversionsInput picks a period of conversions.
type ConversionsInput struct {
	WorkspaceParam
	From time.Time `query:"from" doc:"Start (RFC 3339), inclusive; default 90 days before to"`
	To   time.Time `query:"to" doc:"End (RFC 3339), exclusive; default now"`
}

// ConversionsOutput lists conversions.
type ConversionsOutput struct {
	Body struct {
		Conversions []herald.Conversion `json:"conversions" doc:"Newest first, at most 1,000"`
	}
}

// AnalyticsSettingsBody is a workspace's measuring settings.
type AnalyticsSettingsBody struct {
	TrackLinks bool   `json:"track_links" doc:"Whether posts track their links unless they say otherwise"`
	RateBy     string `json:"rate_by" enum:"followers,impressions" doc:"The engagement rate's default denominator on the analytics page, the API and reports"`
	Currency   string `json:"currency" minLength:"3" maxLength:"3" doc:"ISO 4217 code revenue is summed in"`
	// SecretSet is read-only.
	SecretSet bool `json:"conversion_secret_set" readOnly:"true" doc:"Whether a conversion secret was made (it is shown only when made)"`
}

// AnalyticsSettingsOutput is the settings.
type AnalyticsSettingsOutput struct {
	Body AnalyticsSettingsBody
}

// AnalyticsSettingsInput replaces the settings.
type AnalyticsSettingsInput struct {
	WorkspaceParam
	Body AnalyticsSettingsBody
}

// ConversionSecretOutput is a new conversion secret, shown once.
type ConversionSecretOutput struct {
	Body struct {
		Secret string `json:"secret" doc:"Sign each conversion's body with HMAC-SHA256 under this key and send X-Herald-Signature: sha256=<hex>; shown only now"`
	}
}

func analyticsSettingsBody(s herald.AnalyticsSettings) AnalyticsSettingsBody {
	return AnalyticsSettingsBody{TrackLinks: s.TrackLinks, RateBy: s.RateBy, Currency: s.Currency, SecretSet: !s.ConversionSecret.Empty()}
}

// period fills the default period: the 90 days before now.
func period(from, to, now time.Time) (time.Time, time.Time) {
	if to.IsZero() {
		to = now
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -90)
	}
	return from, to
}

func (a *API) trackedLinks(in []herald.LinkStats) []TrackedLink {
	out := make([]TrackedLink, len(in))
	for i, l := range in {
		out[i] = TrackedLink{LinkStats: l, ShortURL: a.d.Links.ShortURL(l.Code)}
	}
	return out
}

func (a *API) registerLinks() {
	tags := []string{"Tracked links"}
	base := "/api/v1/workspaces/{workspace}/links"
	register(a, huma.Operation{
		OperationID: "list-links", Method: http.MethodGet, Path: base,
		Summary: "List tracked links with their clicks", Tags: tags,
		Description: "Each published target's short links (one per address in its texts, made when it is published " +
			"with tracking on) and the links made in the UTM builder, with people's clicks, unique clicks (one " +
			"visitor once per link and UTC day), bots' and link-preview fetchers' requests apart, conversions and " +
			"revenue in the workspace's currency (cents). Clicks are written within a second of the redirect.",
	}, func(ctx context.Context, in *LinksInput) (*LinksOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		var ls []herald.LinkStats
		if in.Target > 0 {
			ls, err = a.d.Links.TargetLinks(ctx, actor, actor.WorkspaceID, in.Target)
		} else {
			from, to := period(in.From, in.To, time.Now())
			ls, err = a.d.Links.List(ctx, actor, actor.WorkspaceID, from, to)
		}
		if err != nil {
			return nil, err
		}
		out := &LinksOutput{}
		out.Body.Links = a.trackedLinks(ls)
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "create-link", Method: http.MethodPost, Path: base,
		Summary: "Make a tracked link (UTM builder)", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "A short link to the address with the UTM parameters given, for use anywhere (a bio, a " +
			"newsletter). Addresses that are not http or https, carry a user name or password, or point at a " +
			"private, loopback or local host are refused with what to fix.",
	}, func(ctx context.Context, in *LinkCreateInput) (*LinkOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Links.CreateLink(ctx, actor, actor.WorkspaceID, in.Body.URL, in.Body.UTM)
		if err != nil {
			return nil, err
		}
		return &LinkOutput{Body: TrackedLink{LinkStats: herald.LinkStats{Link: l}, ShortURL: a.d.Links.ShortURL(l.Code)}}, nil
	})
	register(a, huma.Operation{
		OperationID: "build-link", Method: http.MethodPost, Path: base + "/build",
		Summary: "Add UTM parameters to an address", Tags: tags,
		Description: "The address with the UTM parameters, checked like a tracked link's, without making a short link.",
	}, func(ctx context.Context, in *LinkBuildInput) (*LinkBuildOutput, error) {
		if _, err := a.actor(ctx, in.Workspace); err != nil {
			return nil, err
		}
		u, err := links.Build(in.Body.URL, in.Body.UTM)
		if err != nil {
			return nil, err
		}
		out := &LinkBuildOutput{}
		out.Body.URL = u
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "list-conversions", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/conversions",
		Summary: "List conversions", Tags: tags,
		Description: "Conversions reported for clicks on the workspace's tracked links, newest first.",
	}, func(ctx context.Context, in *ConversionsInput) (*ConversionsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		from, to := period(in.From, in.To, time.Now())
		cs, err := a.d.Links.ListConversions(ctx, actor, actor.WorkspaceID, from, to)
		if err != nil {
			return nil, err
		}
		out := &ConversionsOutput{}
		out.Body.Conversions = cs
		if out.Body.Conversions == nil {
			out.Body.Conversions = []herald.Conversion{}
		}
		return out, nil
	})
	settings := "/api/v1/workspaces/{workspace}/analytics/settings"
	register(a, huma.Operation{
		OperationID: "get-analytics-settings", Method: http.MethodGet, Path: settings,
		Summary: "Get the analytics settings", Tags: tags,
	}, func(ctx context.Context, in *WorkspaceParam) (*AnalyticsSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Links.Settings(ctx, actor, actor.WorkspaceID)
		if err != nil {
			return nil, err
		}
		return &AnalyticsSettingsOutput{Body: analyticsSettingsBody(s)}, nil
	})
	register(a, huma.Operation{
		OperationID: "update-analytics-settings", Method: http.MethodPut, Path: settings,
		Summary: "Change the analytics settings", Tags: tags,
		Description: "Whether posts track their links by default, the engagement rate's default denominator and " +
			"the currency revenue is summed in. Managers and up.",
	}, func(ctx context.Context, in *AnalyticsSettingsInput) (*AnalyticsSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Links.UpdateSettings(ctx, actor, actor.WorkspaceID, in.Body.TrackLinks, in.Body.RateBy, in.Body.Currency)
		if err != nil {
			return nil, err
		}
		return &AnalyticsSettingsOutput{Body: analyticsSettingsBody(s)}, nil
	})
	register(a, huma.Operation{
		OperationID: "rotate-conversion-secret", Method: http.MethodPost,
		Path:    "/api/v1/workspaces/{workspace}/analytics/conversion-secret",
		Summary: "Make a new conversion secret", Tags: tags,
		Description: "Replaces the secret conversions are signed with; the old one stops working at once. The " +
			"secret is shown only in this answer. Managers and up.",
	}, func(ctx context.Context, in *WorkspaceParam) (*ConversionSecretOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		secret, err := a.d.Links.RotateSecret(ctx, actor, actor.WorkspaceID)
		if err != nil {
			return nil, err
		}
		out := &ConversionSecretOutput{}
		out.Body.Secret = secret
		return out, nil
	})
	a.documentConversions()
}

// ConversionBody is a conversion as a workspace's server reports it.
type ConversionBody struct {
	ClickID    string  `json:"click_id" doc:"The hclid parameter Herald added to the address the visitor arrived at"`
	EventID    string  `json:"event_id" maxLength:"200" doc:"Your id of the event; a second report with the same id changes nothing"`
	Name       string  `json:"name,omitempty" maxLength:"100" doc:"What was reached: purchase, signup, …"`
	Value      float64 `json:"value,omitempty" minimum:"0" maximum:"10000000000" doc:"The conversion's value in currency units (19.99)"`
	Currency   string  `json:"currency,omitempty" doc:"ISO 4217 code; required with value"`
	OccurredAt string  `json:"occurred_at,omitempty" doc:"RFC 3339; default now; at most 90 days ago and 1 hour ahead"`
}

// documentConversions adds POST /api/v1/conversions to the OpenAPI
// document. It is served by the links service outside the session and
// authentication middleware (it is signed, not authenticated), so huma
// only describes it.
func (a *API) documentConversions() {
	reg := a.huma.OpenAPI().Components.Schemas
	body := reg.Schema(reflect.TypeFor[ConversionBody](), true, "ConversionBody")
	result := reg.Schema(reflect.TypeFor[links.ConversionResult](), true, "ConversionResult")
	errSchema := reg.Schema(reflect.TypeFor[ErrorBody](), true, "ErrorBody")
	errResp := func(what string) *huma.Response {
		return &huma.Response{Description: what, Content: map[string]*huma.MediaType{"application/json": {Schema: errSchema}}}
	}
	a.routes = append(a.routes, Route{Method: http.MethodPost, Path: "/api/v1/conversions"})
	a.huma.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "report-conversion", Method: http.MethodPost, Path: "/api/v1/conversions",
		Summary: "Report a conversion", Tags: []string{"Tracked links"},
		Description: "Your server reports a goal reached by a visitor who came through a tracked link, by the click " +
			"id Herald added to the address (hclid). Sign the raw body with the workspace's conversion secret " +
			"(Analytics → Links and conversions, or POST …/analytics/conversion-secret): the header " +
			"X-Herald-Signature: sha256=<hex of HMAC-SHA256(secret, body)>. No API token or session is used. " +
			"A 1×1 pixel does the same from a page, without a signature: GET /l/px.gif?hclid=…&event_id=…&name=…&value=…&currency=….",
		Security: []map[string][]string{},
		Parameters: []*huma.Param{{Name: "X-Herald-Signature", In: "header", Required: true,
			Description: "sha256= followed by the hex HMAC-SHA256 of the raw body under the conversion secret",
			Schema:      &huma.Schema{Type: "string"}}},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: body}}},
		Responses: map[string]*huma.Response{
			"201": {Description: "Recorded", Content: map[string]*huma.MediaType{"application/json": {Schema: result}}},
			"200": {Description: "The event id was reported before: nothing changed (duplicate: true)", Content: map[string]*huma.MediaType{"application/json": {Schema: result}}},
			"400": errResp("The body is not JSON"),
			"401": errResp("The signature is missing or wrong"),
			"403": errResp("The workspace has no conversion secret yet"),
			"404": errResp("The click id is unknown"),
			"413": errResp("The body is over 16 KiB"),
			"422": errResp("A field is out of bounds; details say which"),
		},
	})
}
