-- Evergreen recycling: posts marked for re-queueing with alternative
-- texts, each workspace's policy, and the recycled copies. A copy is
-- unique per (origin, account, slot) and per (account, slot), so two
-- instances or a restart never make two copies for one slot; a copy whose
-- post a person deleted keeps its row (post_id NULL) so the slot is not
-- filled again.

-- +goose Up
CREATE TABLE evergreen_settings (
    workspace_id      bigint      NOT NULL,
    enabled           boolean     NOT NULL DEFAULT false,
    cooldown_days     integer     NOT NULL CHECK (cooldown_days BETWEEN 1 AND 365),
    max_share_percent integer     NOT NULL CHECK (max_share_percent BETWEEN 1 AND 100),
    account_ids       bigint[]    NOT NULL DEFAULT '{}',
    updated_at        timestamptz NOT NULL,
    CONSTRAINT evergreen_settings_pkey PRIMARY KEY (workspace_id),
    CONSTRAINT evergreen_settings_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE TABLE evergreen_posts (
    workspace_id bigint      NOT NULL,
    post_id      bigint      NOT NULL,
    variants     jsonb       NOT NULL DEFAULT '[]',
    marked_by    bigint,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT evergreen_posts_pkey PRIMARY KEY (workspace_id, post_id),
    CONSTRAINT evergreen_posts_post_fkey FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT evergreen_posts_marked_by_fkey FOREIGN KEY (marked_by) REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE evergreen_copies (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    origin_id    bigint      NOT NULL,
    account_id   bigint      NOT NULL,
    slot_at      timestamptz NOT NULL,
    post_id      bigint,
    variant      integer     NOT NULL DEFAULT 0,
    text         text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    CONSTRAINT evergreen_copies_origin_fkey FOREIGN KEY (workspace_id, origin_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT evergreen_copies_account_fkey FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT evergreen_copies_post_fkey FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE SET NULL,
    CONSTRAINT evergreen_copies_key UNIQUE (origin_id, account_id, slot_at),
    CONSTRAINT evergreen_copies_slot_key UNIQUE (account_id, slot_at)
);
CREATE INDEX evergreen_copies_post_idx ON evergreen_copies (post_id);
CREATE INDEX evergreen_copies_workspace_idx ON evergreen_copies (workspace_id, origin_id);

-- +goose Down
DROP TABLE evergreen_copies;
DROP TABLE evergreen_posts;
DROP TABLE evergreen_settings;
