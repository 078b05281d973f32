-- Competitors and share of voice: brands a workspace compares itself
-- with, their tracked public accounts, each account's daily public
-- metrics, and the workspace's own-brand topic.

-- +goose Up
CREATE TABLE competitors (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text   NOT NULL,
    topic_id     bigint REFERENCES listen_topics (id) ON DELETE SET NULL,
    created_by   bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX competitors_name ON competitors (workspace_id, lower(name));

CREATE TABLE competitor_accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    competitor_id bigint NOT NULL REFERENCES competitors (id) ON DELETE CASCADE,
    platform      text   NOT NULL,
    handle        text   NOT NULL,
    remote_id     text   NOT NULL DEFAULT '',
    display_name  text   NOT NULL DEFAULT '',
    url           text   NOT NULL DEFAULT '',
    collected_at  timestamptz,
    attempted_at  timestamptz,
    last_error    text   NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX competitor_accounts_handle ON competitor_accounts (competitor_id, platform, lower(handle));
CREATE INDEX competitor_accounts_due ON competitor_accounts (collected_at);

CREATE TABLE competitor_days (
    account_id   bigint NOT NULL REFERENCES competitor_accounts (id) ON DELETE CASCADE,
    workspace_id bigint NOT NULL,
    day          timestamptz NOT NULL,
    followers    bigint NOT NULL,
    following    bigint NOT NULL,
    posts_total  bigint NOT NULL,
    posts_day    bigint NOT NULL,
    engagements  bigint NOT NULL,
    top_posts    text   NOT NULL DEFAULT '[]',
    collected_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX competitor_days_workspace ON competitor_days (workspace_id, day);

CREATE TABLE competitor_settings (
    workspace_id bigint PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    own_topic_id bigint REFERENCES listen_topics (id) ON DELETE SET NULL
);

-- +goose Down
DROP TABLE competitor_settings;
DROP TABLE competitor_days;
DROP TABLE competitor_accounts;
DROP TABLE competitors;
