-- Connecting accounts (OAuth states in progress, app registrations per
-- instance), metric snapshots of published targets, and the inbox of
-- mentions and replies with each account's sync cursor.

-- +goose Up
CREATE TABLE oauth_states (
    state_hash    bytea       PRIMARY KEY,
    workspace_id  bigint      NOT NULL,
    user_id       bigint      NOT NULL,
    platform      text        NOT NULL,
    instance      text        NOT NULL DEFAULT '',
    secret_key_id text        NOT NULL DEFAULT '',
    secret        bytea,
    redirect_url  text        NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    CONSTRAINT oauth_states_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT oauth_states_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX oauth_states_expiry_idx ON oauth_states (expires_at);

CREATE TABLE app_registrations (
    platform      text        NOT NULL,
    instance      text        NOT NULL,
    client_id     text        NOT NULL,
    secret_key_id text        NOT NULL DEFAULT '',
    client_secret bytea,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT app_registrations_pkey PRIMARY KEY (platform, instance)
);

ALTER TABLE targets ADD CONSTRAINT targets_workspace_id_key UNIQUE (workspace_id, id);

CREATE TABLE metric_snapshots (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    target_id    bigint      NOT NULL,
    at           timestamptz NOT NULL,
    likes        bigint      NOT NULL,
    reposts      bigint      NOT NULL,
    replies      bigint      NOT NULL,
    quotes       bigint      NOT NULL,
    impressions  bigint      NOT NULL,
    CONSTRAINT metric_snapshots_target_fkey FOREIGN KEY (workspace_id, target_id)
        REFERENCES targets (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX metric_snapshots_target_idx ON metric_snapshots (target_id, at);
-- The metrics job scans recently published targets.
CREATE INDEX targets_published_idx ON targets (published_at) WHERE state = 'published';
-- Replies are matched to the targets they answer.
CREATE INDEX targets_account_remote_idx ON targets (account_id, remote_id) WHERE remote_id <> '';

ALTER TABLE accounts ADD COLUMN inbox_cursor text NOT NULL DEFAULT '';

CREATE TABLE inbox_items (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id       bigint      NOT NULL,
    account_id         bigint      NOT NULL,
    remote_id          text        NOT NULL,
    url                text        NOT NULL DEFAULT '',
    author_id          text        NOT NULL DEFAULT '',
    author_handle      text        NOT NULL DEFAULT '',
    author_name        text        NOT NULL DEFAULT '',
    text               text        NOT NULL DEFAULT '',
    reply_to_remote_id text        NOT NULL DEFAULT '',
    target_id          bigint,
    created_at         timestamptz NOT NULL,
    fetched_at         timestamptz NOT NULL,
    meta               jsonb,
    read_at            timestamptz,
    assigned_to        bigint,
    CONSTRAINT inbox_items_account_remote_key UNIQUE (account_id, remote_id),
    CONSTRAINT inbox_items_account_fkey FOREIGN KEY (workspace_id, account_id)
        REFERENCES accounts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT inbox_items_target_fkey FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE SET NULL,
    CONSTRAINT inbox_items_assigned_to_fkey FOREIGN KEY (assigned_to) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX inbox_items_workspace_idx ON inbox_items (workspace_id, id);
CREATE INDEX inbox_items_target_idx ON inbox_items (target_id) WHERE target_id IS NOT NULL;

-- +goose Down
DROP TABLE inbox_items;
ALTER TABLE accounts DROP COLUMN inbox_cursor;
DROP INDEX targets_account_remote_idx;
DROP INDEX targets_published_idx;
DROP TABLE metric_snapshots;
ALTER TABLE targets DROP CONSTRAINT targets_workspace_id_key;
DROP TABLE app_registrations;
DROP TABLE oauth_states;
