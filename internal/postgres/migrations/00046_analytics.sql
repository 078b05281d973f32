-- Analytics: each account's audience per UTC day, and per published target
-- its latest counts and the followers it was published to, kept current as
-- readings arrive so that the analytics pages never scan metric_snapshots.

-- +goose Up
CREATE TABLE account_snapshots (
    account_id   bigint      NOT NULL,
    day          integer     NOT NULL, -- UTC days since 1970-01-01
    workspace_id bigint      NOT NULL,
    at           timestamptz NOT NULL,
    followers    bigint      NOT NULL,
    following    bigint      NOT NULL,
    posts        bigint      NOT NULL,
    PRIMARY KEY (account_id, day),
    CONSTRAINT account_snapshots_account_fkey FOREIGN KEY (workspace_id, account_id)
        REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);

-- The analytics pages read a workspace's follower growth by day.
CREATE INDEX account_snapshots_workspace_idx ON account_snapshots (workspace_id, day);

CREATE TABLE target_stats (
    target_id    bigint      PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    measured_at  timestamptz,          -- the latest reading's time; NULL before the first
    likes        bigint      NOT NULL DEFAULT -1,
    reposts      bigint      NOT NULL DEFAULT -1,
    replies      bigint      NOT NULL DEFAULT -1,
    quotes       bigint      NOT NULL DEFAULT -1,
    impressions  bigint      NOT NULL DEFAULT -1,
    followers    bigint,               -- at publishing; NULL when not known
    followers_at timestamptz,          -- when that follower count was read
    CONSTRAINT target_stats_target_fkey FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE
);

-- The analytics pages read a workspace's published targets by time. The
-- predicate names published_at, not the state, so that a claim (which
-- changes the state) stays a heap-only update (see 00018).
CREATE INDEX targets_workspace_published_idx ON targets (workspace_id, published_at) WHERE published_at IS NOT NULL;

INSERT INTO target_stats (target_id, workspace_id, measured_at, likes, reposts, replies, quotes, impressions)
SELECT DISTINCT ON (target_id) target_id, workspace_id, at, likes, reposts, replies, quotes, impressions
FROM metric_snapshots ORDER BY target_id, at DESC, id DESC;

-- +goose Down
DROP INDEX targets_workspace_published_idx;
DROP TABLE target_stats;
DROP TABLE account_snapshots;
