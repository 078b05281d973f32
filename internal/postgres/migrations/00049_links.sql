-- Tracked links: short links with their counts kept on the row, every
-- click (a visitor counted once per link and UTC day through
-- link_visitors), conversions, the daily salts of the visitor hashes and
-- each workspace's measuring settings.
--
-- A target's link names its target without a reference: the short link is
-- out in the world and keeps redirecting after its post is deleted.

-- +goose Up
CREATE TABLE links (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id   bigint      NOT NULL,
    code           text        NOT NULL,
    url            text        NOT NULL,
    destination    text        NOT NULL,
    target_id      bigint,                -- NULL for a link made in the UTM builder
    post_id        bigint,
    campaign_id    bigint,
    created_by     bigint,
    created_at     timestamptz NOT NULL,
    clicks         bigint      NOT NULL DEFAULT 0,
    unique_clicks  bigint      NOT NULL DEFAULT 0,
    bot_clicks     bigint      NOT NULL DEFAULT 0,
    preview_clicks bigint      NOT NULL DEFAULT 0,
    conversions    bigint      NOT NULL DEFAULT 0,
    revenue_cents  bigint      NOT NULL DEFAULT 0,
    CONSTRAINT links_code_key UNIQUE (code),
    CONSTRAINT links_workspace_id_key UNIQUE (workspace_id, id),
    CONSTRAINT links_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT links_campaign_fkey FOREIGN KEY (campaign_id) REFERENCES campaigns (id) ON DELETE SET NULL,
    CONSTRAINT links_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
) WITH (fillfactor = 80); -- room for the counters' heap-only updates
-- Publishing again finds the target's link for the address.
CREATE UNIQUE INDEX links_target_url_key ON links (target_id, url) WHERE target_id IS NOT NULL;
CREATE INDEX links_workspace_created_idx ON links (workspace_id, created_at);
CREATE INDEX links_campaign_idx ON links (campaign_id) WHERE campaign_id IS NOT NULL;

CREATE TABLE link_clicks (
    id           text        PRIMARY KEY,
    link_id      bigint      NOT NULL,
    workspace_id bigint      NOT NULL,
    target_id    bigint,
    at           timestamptz NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('human', 'bot', 'preview')),
    visitor      text        NOT NULL DEFAULT '',
    referrer     text        NOT NULL DEFAULT '',
    country      text        NOT NULL DEFAULT '',
    CONSTRAINT link_clicks_link_fkey FOREIGN KEY (workspace_id, link_id)
        REFERENCES links (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX link_clicks_link_idx ON link_clicks (link_id, at);

-- A row per (link, UTC day, visitor) of people's clicks: a click whose row
-- is new is a unique click.
CREATE TABLE link_visitors (
    link_id bigint  NOT NULL,
    day     integer NOT NULL, -- UTC days since 1970-01-01
    visitor text    NOT NULL,
    PRIMARY KEY (link_id, day, visitor),
    CONSTRAINT link_visitors_link_fkey FOREIGN KEY (link_id) REFERENCES links (id) ON DELETE CASCADE
);

CREATE TABLE link_conversions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    link_id      bigint      NOT NULL,
    click_id     text        NOT NULL,
    target_id    bigint,
    event_id     text        NOT NULL,
    name         text        NOT NULL DEFAULT '',
    value_cents  bigint      NOT NULL DEFAULT 0,
    currency     text        NOT NULL DEFAULT '',
    source       text        NOT NULL CHECK (source IN ('server', 'pixel')),
    occurred_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT link_conversions_event_key UNIQUE (workspace_id, event_id),
    CONSTRAINT link_conversions_link_fkey FOREIGN KEY (workspace_id, link_id)
        REFERENCES links (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX link_conversions_occurred_idx ON link_conversions (workspace_id, occurred_at);
CREATE INDEX link_conversions_link_idx ON link_conversions (link_id);

-- The salt of each UTC day's visitor hashes, shared by every instance.
CREATE TABLE click_salts (
    day  integer PRIMARY KEY,
    salt bytea   NOT NULL
);

CREATE TABLE analytics_settings (
    workspace_id      bigint      PRIMARY KEY,
    track_links       boolean     NOT NULL DEFAULT true,
    rate_by           text        NOT NULL DEFAULT 'followers' CHECK (rate_by IN ('followers', 'impressions')),
    currency          text        NOT NULL DEFAULT 'USD',
    secret_key_id     text        NOT NULL DEFAULT '',
    conversion_secret bytea,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT analytics_settings_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE analytics_settings;
DROP TABLE click_salts;
DROP TABLE link_conversions;
DROP TABLE link_visitors;
DROP TABLE link_clicks;
DROP TABLE links;
