package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// AuditInput filters the audit log.
type AuditInput struct {
	WorkspaceParam
	PageParams
	ObjectType string `query:"object_type" maxLength:"50" doc:"Only entries about this kind of object, e.g. label, post, user"`
	ObjectID   int64  `query:"object_id" minimum:"0" doc:"Only entries about this object id (with object_type)"`
	ActorID    int64  `query:"actor_id" minimum:"0" doc:"Only entries by this user id"`
}

// AuditList is a page of audit entries.
type AuditList struct {
	Body ListBody[herald.AuditEntry]
}

func (a *API) registerAudit() {
	register(a, huma.Operation{
		OperationID: "list-audit", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/audit",
		Summary: "Read the audit log", Tags: []string{"Audit"},
		Description: "Who changed what, newest first, with each object before and after the change.",
	}, func(ctx context.Context, in *AuditInput) (*AuditList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		entries, next, err := a.d.Workspaces.Audit(ctx, actor, herald.AuditFilter{
			ObjectType: in.ObjectType, ObjectID: in.ObjectID, ActorID: in.ActorID, Page: in.Page()})
		if err != nil {
			return nil, err
		}
		return &AuditList{Body: list(entries, next)}, nil
	})
}
