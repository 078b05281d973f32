-- Herald's PostgreSQL schema. Instants are timestamptz (UTC on the way out),
-- hashes and sealed secrets bytea, structured fields jsonb. Every table owned
-- by a workspace is removed with it (ON DELETE CASCADE). Workspace-owned rows
-- that point at each other use composite keys (workspace_id, id), so a post
-- can only target an account, or carry a label, of its own workspace.

-- +goose Up
CREATE TABLE workspaces (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    time_zone   text        NOT NULL,
    brand_rules jsonb       NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    password_hash text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    workspace_id bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    role         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT memberships_pkey PRIMARY KEY (workspace_id, user_id),
    CONSTRAINT memberships_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT memberships_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE invitations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    email        text        NOT NULL,
    role         text        NOT NULL,
    token_hash   bytea       NOT NULL,
    invited_by   bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  bigint,
    CONSTRAINT invitations_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT invitations_accepted_by_fkey FOREIGN KEY (accepted_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
CREATE INDEX invitations_workspace_idx ON invitations (workspace_id, id DESC);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    user_id      bigint      NOT NULL,
    name         text        NOT NULL,
    role         text        NOT NULL,
    prefix       text        NOT NULL,
    hash         bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (hash);
CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id, id DESC);

CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE accounts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id       bigint      NOT NULL,
    platform           text        NOT NULL,
    remote_id          text        NOT NULL,
    handle             text        NOT NULL,
    display_name       text        NOT NULL DEFAULT '',
    avatar_url         text        NOT NULL DEFAULT '',
    instance_url       text        NOT NULL DEFAULT '',
    credentials_key_id text        NOT NULL DEFAULT '',
    credentials        bytea,
    status             text        NOT NULL,
    status_reason      text        NOT NULL DEFAULT '',
    token_expires_at   timestamptz,
    paused_at          timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT accounts_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT accounts_remote_key UNIQUE (workspace_id, platform, remote_id),
    CONSTRAINT accounts_workspace_id_key UNIQUE (workspace_id, id)
);

CREATE TABLE campaigns (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    name         text        NOT NULL,
    goal         text        NOT NULL DEFAULT '',
    start_date   date,
    end_date     date,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT campaigns_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE INDEX campaigns_workspace_idx ON campaigns (workspace_id, id DESC);

CREATE TABLE labels (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    name         text        NOT NULL,
    color        text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT labels_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT labels_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE UNIQUE INDEX labels_name_key ON labels (workspace_id, lower(name));

CREATE TABLE posts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    author_id    bigint      NOT NULL,
    title        text        NOT NULL DEFAULT '',
    text         text        NOT NULL DEFAULT '',
    campaign_id  bigint,
    version      bigint      NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT posts_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT posts_author_fkey FOREIGN KEY (author_id) REFERENCES users (id),
    CONSTRAINT posts_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL,
    CONSTRAINT posts_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE INDEX posts_workspace_idx ON posts (workspace_id, id DESC);
CREATE INDEX posts_campaign_idx ON posts (campaign_id) WHERE campaign_id IS NOT NULL;

CREATE TABLE post_labels (
    workspace_id bigint NOT NULL,
    post_id      bigint NOT NULL,
    label_id     bigint NOT NULL,
    CONSTRAINT post_labels_pkey PRIMARY KEY (post_id, label_id),
    CONSTRAINT post_labels_post_fkey FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT post_labels_label_fkey FOREIGN KEY (workspace_id, label_id) REFERENCES labels (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_labels_label_idx ON post_labels (label_id);

CREATE TABLE targets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    post_id      bigint      NOT NULL,
    account_id   bigint      NOT NULL,
    variant      jsonb       NOT NULL DEFAULT '{}',
    state        text        NOT NULL,
    scheduled_at timestamptz,
    remote_id    text        NOT NULL DEFAULT '',
    remote_url   text        NOT NULL DEFAULT '',
    last_error   text        NOT NULL DEFAULT '',
    published_at timestamptz,
    version      bigint      NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT targets_post_fkey FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT targets_account_fkey FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT targets_post_account_key UNIQUE (post_id, account_id)
);
CREATE INDEX targets_due_idx ON targets (state, scheduled_at);
CREATE INDEX targets_account_idx ON targets (account_id);

CREATE TABLE target_transitions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id  bigint      NOT NULL,
    from_state text        NOT NULL,
    to_state   text        NOT NULL,
    actor_id   bigint,
    reason     text        NOT NULL DEFAULT '',
    at         timestamptz NOT NULL,
    CONSTRAINT target_transitions_target_fkey FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE
);
CREATE INDEX target_transitions_target_idx ON target_transitions (target_id, id);

CREATE TABLE media_assets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    uploader_id  bigint      NOT NULL,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size         bigint      NOT NULL,
    width        integer     NOT NULL DEFAULT 0,
    height       integer     NOT NULL DEFAULT 0,
    alt_text     text        NOT NULL DEFAULT '',
    sha256       text        NOT NULL,
    storage_key  text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT media_assets_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT media_assets_uploader_fkey FOREIGN KEY (uploader_id) REFERENCES users (id)
);
CREATE UNIQUE INDEX media_assets_sha256_key ON media_assets (workspace_id, sha256);
CREATE INDEX media_assets_workspace_idx ON media_assets (workspace_id, id DESC);

-- The audit log keeps actor and token ids without foreign keys: it records
-- who acted even after the token or person is gone.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint,
    actor_id    bigint,
    token_id    bigint,
    action      text        NOT NULL,
    object_type text        NOT NULL,
    object_id   bigint      NOT NULL,
    before      jsonb,
    after       jsonb,
    at          timestamptz NOT NULL,
    CONSTRAINT audit_log_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE media_assets;
DROP TABLE target_transitions;
DROP TABLE targets;
DROP TABLE post_labels;
DROP TABLE posts;
DROP TABLE labels;
DROP TABLE campaigns;
DROP TABLE accounts;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE workspaces;
