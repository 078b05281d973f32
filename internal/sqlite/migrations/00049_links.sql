-- Tracked links: short links with their counts kept on the row, every
-- click (a visitor counted once per link and UTC day through
-- link_visitors), conversions, the daily salts of the visitor hashes and
-- each workspace's measuring settings.
--
-- A target's link names its target without a reference: the short link is
-- out in the world and keeps redirecting after its post is deleted.

-- +goose Up
CREATE TABLE links (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    code           TEXT    NOT NULL UNIQUE,
    url            TEXT    NOT NULL,
    destination    TEXT    NOT NULL,
    target_id      INTEGER, -- NULL for a link made in the UTM builder
    post_id        INTEGER,
    campaign_id    INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    unique_clicks  INTEGER NOT NULL DEFAULT 0,
    bot_clicks     INTEGER NOT NULL DEFAULT 0,
    preview_clicks INTEGER NOT NULL DEFAULT 0,
    conversions    INTEGER NOT NULL DEFAULT 0,
    revenue_cents  INTEGER NOT NULL DEFAULT 0
) STRICT;
-- Publishing again finds the target's link for the address.
CREATE UNIQUE INDEX links_target_url ON links (target_id, url) WHERE target_id IS NOT NULL;
CREATE INDEX links_workspace_created ON links (workspace_id, created_at);
CREATE INDEX links_campaign ON links (campaign_id) WHERE campaign_id IS NOT NULL;

-- Rows in the order they arrive; the click ids in an index of their own
-- with small entries (random ids scatter a batch over its pages; ids that
-- start with the time append to it); and the clicks by workspace and time,
-- an index a batch appends to. A link goes only with its workspace, which
-- takes its clicks: an index by link would cost a batch a page per link.
CREATE TABLE link_clicks (
    id           TEXT    NOT NULL UNIQUE,
    link_id      INTEGER NOT NULL,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    target_id    INTEGER,
    at           INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('human', 'bot', 'preview')),
    visitor      TEXT    NOT NULL DEFAULT '',
    referrer     TEXT    NOT NULL DEFAULT '',
    country      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX link_clicks_workspace ON link_clicks (workspace_id, at);

-- A row per (link, UTC day, visitor) of people's clicks: a click whose row
-- is new is a unique click.
CREATE TABLE link_visitors (
    link_id INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    day     INTEGER NOT NULL, -- UTC days since 1970-01-01
    visitor TEXT    NOT NULL,
    PRIMARY KEY (link_id, day, visitor)
) STRICT, WITHOUT ROWID;

CREATE TABLE link_conversions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    link_id      INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    click_id     TEXT    NOT NULL,
    target_id    INTEGER,
    event_id     TEXT    NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    value_cents  INTEGER NOT NULL DEFAULT 0,
    currency     TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL CHECK (source IN ('server', 'pixel')),
    occurred_at  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, event_id)
) STRICT;
CREATE INDEX link_conversions_occurred ON link_conversions (workspace_id, occurred_at);
CREATE INDEX link_conversions_link ON link_conversions (link_id);

-- The salt of each UTC day's visitor hashes, shared by every process.
CREATE TABLE click_salts (
    day  INTEGER PRIMARY KEY,
    salt BLOB    NOT NULL
) STRICT;

CREATE TABLE analytics_settings (
    workspace_id      INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    track_links       INTEGER NOT NULL DEFAULT 1,
    rate_by           TEXT    NOT NULL DEFAULT 'followers' CHECK (rate_by IN ('followers', 'impressions')),
    currency          TEXT    NOT NULL DEFAULT 'USD',
    secret_key_id     TEXT    NOT NULL DEFAULT '',
    conversion_secret BLOB,
    updated_at        INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE analytics_settings;
DROP TABLE click_salts;
DROP TABLE link_conversions;
DROP TABLE link_visitors;
DROP TABLE link_clicks;
DROP TABLE links;
