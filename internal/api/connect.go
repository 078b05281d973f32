package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// ConnectInput starts connecting an account through the platform's sign-in page.
type ConnectInput struct {
	WorkspaceParam
	Body struct {
		Platform herald.Platform `json:"platform" doc:"The platform to connect: one this build has a connector for"`
		Instance string          `json:"instance,omitempty" maxLength:"2000" doc:"The server to connect to where the platform has many, e.g. https://mastodon.social"`
	}
}

// ConnectOutput says where to send the person.
type ConnectOutput struct {
	Body struct {
		AuthorizeURL string `json:"authorize_url" doc:"Open this address in the browser; the platform sends the person back to Herald's callback, which finishes the connection"`
	}
}

// ConnectPasswordInput connects an account with an identifier and a password.
type ConnectPasswordInput struct {
	WorkspaceParam
	Body struct {
		Platform   herald.Platform `json:"platform" doc:"The platform to connect: one this build has a connector for"`
		Identifier string          `json:"identifier" minLength:"1" maxLength:"2000" doc:"The handle, e-mail or server the platform signs in with (a Bluesky handle, say)"`
		Password   string          `json:"password" minLength:"1" maxLength:"2000" doc:"The password; prefer an app password where the platform has them. It is never stored"`
	}
}

// ConnectCallbackInput is where the platform sends the person back.
type ConnectCallbackInput struct {
	State            string `query:"state" maxLength:"200" doc:"Herald's state for this connection"`
	Code             string `query:"code" maxLength:"4000" doc:"The platform's authorization code"`
	Error            string `query:"error" maxLength:"200" doc:"Set by the platform when the person refused or something failed"`
	ErrorDescription string `query:"error_description" maxLength:"2000" doc:"The platform's explanation of error"`
	Accept           string `header:"Accept"`
}

// ConnectCallbackOutput is the connected account (JSON), or a redirect to
// the workspace's accounts page for browsers.
type ConnectCallbackOutput struct {
	Status   int
	Location string `header:"Location" doc:"For browsers: the workspace's accounts page (/w/{workspace}/accounts, or /accounts when the workspace is not known), with connected=<account id> or connect_error=<message>"`
	Body     *herald.Account
}

// wantsJSON reports whether the caller is a program rather than a browser:
// browsers navigating ask for text/html, programs for JSON or anything.
func wantsJSON(accept string) bool {
	return !strings.Contains(strings.ToLower(accept), "text/html")
}

func (a *API) registerConnect() {
	tags := []string{"Accounts"}
	register(a, huma.Operation{
		OperationID: "connect-account", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/accounts/connect",
		Summary: "Start connecting an account", Tags: tags,
		Description: "Returns the platform's authorization page. Send the person there; after they approve, the platform " +
			"redirects to GET /api/v1/connect/callback, which stores the account. The link works once, for 15 minutes.",
	}, func(ctx context.Context, in *ConnectInput) (*ConnectOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		u, err := a.d.Accounts.BeginConnect(ctx, actor, in.Body.Platform, in.Body.Instance)
		if err != nil {
			return nil, err
		}
		out := &ConnectOutput{}
		out.Body.AuthorizeURL = u
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "connect-account-password", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/accounts/connect-password",
		Summary: "Connect an account with a password", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "For platforms that sign in with an identifier and a password (a Bluesky app password, say). " +
			"Connecting a profile that is already connected updates its credentials and status.",
	}, func(ctx context.Context, in *ConnectPasswordInput) (*AccountOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		acct, err := a.d.Accounts.ConnectWithPassword(ctx, actor, in.Body.Platform, in.Body.Identifier, in.Body.Password)
		if err != nil {
			return nil, err
		}
		return &AccountOutput{Body: acct}, nil
	})

	a.connectablePlatforms("/api/v1/workspaces/{workspace}/accounts/connect",
		"/api/v1/workspaces/{workspace}/accounts/connect-password")

	a.routes = append(a.routes, Route{Method: http.MethodGet, Path: "/api/v1/connect/callback"})
	huma.Register(a.huma, huma.Operation{
		OperationID: "connect-callback", Method: http.MethodGet, Path: "/api/v1/connect/callback",
		Summary: "Finish connecting an account", Tags: tags, Security: []map[string][]string{{"session": {}}},
		Description: "The platform redirects the person here. Browsers (Accept with text/html) are sent on to the workspace's " +
			"accounts page with connected=<account id>, or connect_error=1 (the page shows why); other clients get the account (200) " +
			"or the error body.",
		Responses: map[string]*huma.Response{"302": {Description: "Back to the workspace's accounts page"}},
	}, func(ctx context.Context, in *ConnectCallbackInput) (*ConnectCallbackOutput, error) {
		acct, err := a.finishConnect(ctx, in)
		if wantsJSON(in.Accept) {
			if err != nil {
				return nil, fromDomain(ctx, a.logger, err)
			}
			return &ConnectCallbackOutput{Status: http.StatusOK, Body: &acct}, nil
		}
		q := url.Values{}
		if err != nil {
			// The message travels in the session, not the address: a link
			// cannot make the accounts page say what its author wants.
			body := fromDomain(ctx, a.logger, err)
			if a.d.Sessions != nil {
				a.d.Sessions.Put(ctx, ConnectErrorKey, body.Error_.Message)
			}
			q.Set("connect_error", "1")
		} else {
			q.Set("connected", strconv.FormatInt(acct.ID, 10))
		}
		return &ConnectCallbackOutput{Status: http.StatusFound, Location: accountsPage(acct.WorkspaceID) + "?" + q.Encode()}, nil
	})
}

// ConnectErrorKey is the session key under which the connect callback
// leaves, for the accounts page, why an account was not connected.
const ConnectErrorKey = "connect_error"

// accountsPage is the web page of a workspace's accounts, where browsers
// land after connecting; when the workspace is not known (the link was
// used already, say), the accounts page of the workspace the person used
// last.
func accountsPage(workspaceID int64) string {
	if workspaceID == 0 {
		return "/accounts"
	}
	return "/w/" + strconv.FormatInt(workspaceID, 10) + "/accounts"
}

// finishConnect runs the callback's work.
func (a *API) finishConnect(ctx context.Context, in *ConnectCallbackInput) (herald.Account, error) {
	p, err := a.principal(ctx)
	signedIn := err == nil
	if in.Error != "" {
		msg := "the platform did not connect the account (" + in.Error
		if in.ErrorDescription != "" {
			msg += ": " + in.ErrorDescription
		}
		msg += "); start connecting it again from Herald"
		// The connection is over: forget it, and say where it was started.
		var ws int64
		if signedIn {
			if ws, err = a.d.Accounts.AbandonConnect(ctx, p, in.State); err != nil {
				a.logger.WarnContext(ctx, "abandoned connection not forgotten", "error", err)
			}
		}
		return herald.Account{WorkspaceID: ws}, &herald.Error{Code: herald.CodeInvalid, Message: msg,
			Details: []herald.FieldProblem{{Field: "error", Problem: in.Error}}}
	}
	if !signedIn {
		return herald.Account{}, herald.Errorf(herald.CodeUnauthorized,
			"sign in to Herald in this browser, then start connecting the account again")
	}
	return a.d.Accounts.FinishConnect(ctx, p, in.State, in.Code)
}

// connectablePlatforms makes the platform field of the connect operations
// at paths (POST) accept, and document, only the platforms this build has
// a connector for, as the connector registry says: a request naming
// another is refused with the list of those that exist.
func (a *API) connectablePlatforms(paths ...string) {
	if a.d.Accounts == nil {
		return
	}
	enum := []any{}
	for _, p := range a.d.Accounts.Connectable() {
		enum = append(enum, string(p))
	}
	if len(enum) == 0 {
		return
	}
	oapi := a.huma.OpenAPI()
	for _, path := range paths {
		item := oapi.Paths[path]
		if item == nil || item.Post == nil || item.Post.RequestBody == nil {
			panic("api: no POST operation at " + path)
		}
		body := item.Post.RequestBody.Content["application/json"].Schema
		if body.Ref != "" {
			body = oapi.Components.Schemas.SchemaFromRef(body.Ref)
		}
		field := body.Properties["platform"]
		if field == nil {
			panic("api: the body of POST " + path + " has no platform field")
		}
		field.Enum = enum
		field.PrecomputeMessages()
	}
}
