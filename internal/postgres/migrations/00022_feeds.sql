-- RSS and Atom feeds whose new entries become posts, and the entries each
-- feed has used: (feed, entry key) is the primary key, so an entry becomes
-- a post once even when two instances poll it at the same time (the second
-- insert waits for the first transaction and then fails on the key).

-- +goose Up
CREATE TABLE feeds (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id   bigint      NOT NULL,
    url            text        NOT NULL,
    name           text        NOT NULL DEFAULT '',
    mode           text        NOT NULL CHECK (mode IN ('draft', 'queue')),
    account_ids    bigint[]    NOT NULL DEFAULT '{}',
    template       text        NOT NULL,
    label_ids      bigint[]    NOT NULL DEFAULT '{}',
    campaign_id    bigint,
    paused         boolean     NOT NULL DEFAULT false,
    owner_id       bigint      NOT NULL,
    etag           text        NOT NULL DEFAULT '',
    last_modified  text        NOT NULL DEFAULT '',
    last_polled_at timestamptz,
    last_error     text        NOT NULL DEFAULT '',
    next_poll_at   timestamptz NOT NULL,
    failures       integer     NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT feeds_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT feeds_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL,
    CONSTRAINT feeds_owner_fkey FOREIGN KEY (owner_id) REFERENCES users (id)
);
CREATE INDEX feeds_workspace_idx ON feeds (workspace_id);
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE NOT paused;

CREATE TABLE feed_entries (
    feed_id      bigint      NOT NULL,
    workspace_id bigint      NOT NULL,
    entry_key    text        NOT NULL,
    title        text        NOT NULL DEFAULT '',
    url          text        NOT NULL DEFAULT '',
    post_id      bigint,
    skipped      boolean     NOT NULL DEFAULT false,
    published_at timestamptz,
    created_at   timestamptz NOT NULL,
    CONSTRAINT feed_entries_pkey PRIMARY KEY (feed_id, entry_key),
    CONSTRAINT feed_entries_feed_fkey FOREIGN KEY (feed_id) REFERENCES feeds (id) ON DELETE CASCADE,
    CONSTRAINT feed_entries_post_fkey FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE SET NULL
);
CREATE INDEX feed_entries_post_idx ON feed_entries (post_id) WHERE post_id IS NOT NULL;

-- +goose Down
DROP TABLE feed_entries;
DROP TABLE feeds;
