package postgres

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldsocial/herald/internal/herald"
)

// PostgreSQL error codes the store translates.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
	pgNotNullViolation    = "23502"
	pgDataExceptionClass  = "22"
)

// clash describes, in words a caller can act on, what a constraint violation means.
type clash struct {
	message string
	field   string
}

// constraintClash names what clashed for each constraint of the schema.
func constraintClash(name string) clash {
	switch name {
	case "users_email_key":
		return clash{"a user with this e-mail address already exists", "email"}
	case "memberships_pkey":
		return clash{"the user is already a member of this workspace", "user_id"}
	case "invitations_token_hash_key":
		return clash{"an invitation with this token already exists", "token"}
	case "api_tokens_hash_key":
		return clash{"an API token with this secret already exists", "token"}
	case "accounts_remote_key":
		return clash{"this profile is already connected to the workspace", "remote_id"}
	case "labels_name_key":
		return clash{"a label with this name already exists in the workspace (names ignore case)", "name"}
	case "media_assets_sha256_key":
		return clash{"this file is already in the workspace's media library", "sha256"}
	case "targets_post_account_key":
		return clash{"the post targets the same account twice", "targets"}
	case "posts_series_occurrence_key":
		return clash{"the series already has a post for this occurrence", "occurrence_at"}
	case "posts_series_fkey":
		return clash{"the series does not exist", "series_id"}
	case "crisis_detectors_name":
		return clash{"a crisis detector with this name already exists in the workspace (names ignore case)", "name"}
	case "crisis_detectors_topic_id_fkey":
		return clash{"the listening topic does not exist", "topic_id"}
	case "crisis_detectors_workspace_id_fkey", "incidents_workspace_id_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "playbook_entries_title":
		return clash{"a playbook text with this title already exists in the workspace (titles ignore case)", "title"}
	case "playbook_entries_workspace_id_fkey", "playbook_steps_workspace_id_fkey", "listen_settings_workspace_id_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "listen_topics_name":
		return clash{"a listening topic with this name already exists in the workspace (names ignore case)", "name"}
	case "listen_topics_workspace_id_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "post_labels_pkey":
		return clash{"the post carries the same label twice", "label_ids"}
	case "memberships_workspace_fkey", "invitations_workspace_fkey", "api_tokens_workspace_fkey",
		"accounts_workspace_fkey", "campaigns_workspace_fkey", "labels_workspace_fkey",
		"posts_workspace_fkey", "media_assets_workspace_fkey", "audit_log_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "memberships_user_fkey", "api_tokens_user_fkey":
		return clash{"the user does not exist", "user_id"}
	case "invitations_invited_by_fkey":
		return clash{"the inviting user does not exist", "invited_by"}
	case "invitations_accepted_by_fkey":
		return clash{"the accepting user does not exist", "accepted_by"}
	case "posts_author_fkey":
		return clash{"the author does not exist", "author_id"}
	case "posts_campaign_fkey":
		return clash{"the campaign does not exist in this workspace", "campaign_id"}
	case "post_labels_label_fkey":
		return clash{"a label does not exist in this workspace", "label_ids"}
	case "post_labels_post_fkey", "targets_post_fkey":
		return clash{"the post does not exist in this workspace", "post_id"}
	case "targets_account_fkey":
		return clash{"a target's account does not exist in this workspace", "targets.account_id"}
	case "target_transitions_target_fkey", "attempts_target_fkey":
		return clash{"the target does not exist", "target_id"}
	case "review_links_token_hash_key":
		return clash{"a review link with this token already exists", "token"}
	case "review_links_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "review_decisions_link_fkey":
		return clash{"the review link does not exist in this workspace", "link_id"}
	case "review_decisions_post_fkey":
		return clash{"the post does not exist in this workspace", "post_id"}
	case "oauth_states_pkey":
		return clash{"a connection with this state is already in progress", "state"}
	case "oauth_states_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "oauth_states_user_fkey":
		return clash{"the user does not exist", "user_id"}
	case "metric_snapshots_target_fkey":
		return clash{"the target does not exist in this workspace", "target_id"}
	case "inbox_items_account_fkey":
		return clash{"the account does not exist in this workspace", "account_id"}
	case "inbox_items_account_remote_key":
		return clash{"the account's inbox already has this post", "remote_id"}
	case "post_comments_post_fkey":
		return clash{"the post does not exist in this workspace", "post_id"}
	case "post_comments_author_fkey":
		return clash{"the author does not exist", "author_id"}
	case "post_comment_mentions_user_fkey":
		return clash{"a mentioned user does not exist", "mentions"}
	case "evergreen_copies_key", "evergreen_copies_slot_key":
		return clash{"the account already has a recycled copy at this slot", "slot_at"}
	case "evergreen_posts_post_fkey", "evergreen_copies_origin_fkey":
		return clash{"the post does not exist in this workspace", "post_id"}
	case "evergreen_copies_account_fkey":
		return clash{"the account does not exist in this workspace", "account_id"}
	case "evergreen_settings_workspace_fkey", "calendar_feeds_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "calendar_feeds_user_fkey":
		return clash{"the user does not exist", "user_id"}
	case "calendar_feeds_token_hash_key":
		return clash{"a calendar feed with this token already exists", "token"}
	case "saved_replies_name_key":
		return clash{"a saved reply with this name already exists in the workspace (names ignore case)", "name"}
	case "templates_name_key":
		return clash{"a template with this name already exists in the workspace (names ignore case)", "name"}
	case "snippets_name_key":
		return clash{"one with this name already exists in the workspace (names ignore case)", "name"}
	case "templates_workspace_fkey", "snippets_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "media_assets_uploader_fkey":
		return clash{"the uploader does not exist", "uploader_id"}
	case "feeds_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "feeds_campaign_fkey":
		return clash{"the campaign does not exist", "campaign_id"}
	case "feeds_owner_fkey":
		return clash{"the feed's owner does not exist", "owner_id"}
	case "feed_entries_pkey":
		return clash{"the feed already used this entry", "key"}
	case "webhook_deliveries_key":
		return clash{"the webhook already has a delivery for this event", "key"}
	case "webhook_attempts_pkey":
		return clash{"the delivery already has an attempt with this number", "number"}
	case "webhook_endpoints_workspace_fkey":
		return clash{"the workspace does not exist", "workspace_id"}
	case "webhook_endpoints_created_by_fkey":
		return clash{"the webhook's creator does not exist", "created_by"}
	case "feed_entries_post_fkey":
		return clash{"the entry's post does not exist", "post_id"}
	}
	return clash{"the change clashes with existing data", ""}
}

// dbErr translates a driver error into a herald.Error where the database
// told us what the caller did wrong, and wraps any other error with op.
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var he *herald.Error
	if errors.As(err, &he) {
		return err
	}
	wrapped := fmt.Errorf("postgres: %s: %w", op, err)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return wrapped
	}
	switch {
	case pe.Code == pgUniqueViolation || pe.Code == pgForeignKeyViolation:
		c := constraintClash(pe.ConstraintName)
		e := &herald.Error{Code: herald.CodeConflict, Message: c.message, Err: wrapped}
		if c.field != "" {
			e.Details = []herald.FieldProblem{{Field: c.field, Problem: c.message}}
		}
		return e
	case pe.Code == pgCheckViolation || pe.Code == pgNotNullViolation:
		field := pe.ColumnName
		e := &herald.Error{Code: herald.CodeInvalid, Message: "a required value is missing or out of range", Err: wrapped}
		if field != "" {
			e.Details = []herald.FieldProblem{{Field: field, Problem: "is missing or out of range"}}
		}
		return e
	case len(pe.Code) == 5 && pe.Code[:2] == pgDataExceptionClass:
		return &herald.Error{Code: herald.CodeInvalid,
			Message: "a value is not in a form the database accepts (check dates and sizes)", Err: wrapped}
	}
	return wrapped
}

// notFound turns pgx.ErrNoRows into a not-found error naming kind, and any
// other error into dbErr's translation.
func notFound(kind, op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return &herald.Error{Code: herald.CodeNotFound, Message: kind + " not found",
			Err: fmt.Errorf("postgres: %s: %w", op, err)}
	}
	return dbErr(op, err)
}

// missing is the not-found error for an update or delete that matched no row.
func missing(kind string) error { return herald.NotFound(kind) }

// encodeCursor makes the opaque cursor that continues a listing after id.
func encodeCursor(id int64) string {
	return encodeCursorBytes([]byte(strconv.FormatInt(id, 10)))
}

func encodeCursorBytes(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// decodeCursor returns the id a cursor continues after; 0 for "".
func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	var id int64
	if err == nil {
		id, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil || id <= 0 {
		return 0, &herald.Error{Code: herald.CodeBadRequest,
			Message: "the cursor is not one this server returned; omit it to start from the first page",
			Details: []herald.FieldProblem{{Field: "cursor", Problem: "is not a valid cursor"}}}
	}
	return id, nil
}

// pageArgs normalizes p and returns the id to continue after (0 for the
// first page) and the limit.
func pageArgs(p herald.Page) (after int64, limit int, err error) {
	p = p.Normalize()
	after, err = decodeCursor(p.Cursor)
	return after, p.Limit, err
}

// nextCursor trims items fetched with limit+1 to limit and returns the cursor
// for the page after, or "" when this was the last.
func nextCursor[T any](items []T, limit int, id func(T) int64) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(id(items[limit-1]))
}
