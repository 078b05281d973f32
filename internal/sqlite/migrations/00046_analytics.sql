-- Analytics: each account's audience per UTC day, and per published target
-- its latest counts and the followers it was published to, kept current as
-- readings arrive so that the analytics pages never scan metric_snapshots.

-- +goose Up
CREATE TABLE account_snapshots (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day          INTEGER NOT NULL, -- UTC days since 1970-01-01
    workspace_id INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    followers    INTEGER NOT NULL,
    following    INTEGER NOT NULL,
    posts        INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
) STRICT, WITHOUT ROWID;

-- The analytics pages read a workspace's follower growth by day.
CREATE INDEX account_snapshots_workspace ON account_snapshots (workspace_id, day);

CREATE TABLE target_stats (
    target_id    INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    measured_at  INTEGER,          -- the latest reading's time; NULL before the first
    likes        INTEGER NOT NULL DEFAULT -1,
    reposts      INTEGER NOT NULL DEFAULT -1,
    replies      INTEGER NOT NULL DEFAULT -1,
    quotes       INTEGER NOT NULL DEFAULT -1,
    impressions  INTEGER NOT NULL DEFAULT -1,
    followers    INTEGER,          -- at publishing; NULL when not known
    followers_at INTEGER           -- when that follower count was read
) STRICT;

-- The analytics pages read a workspace's published targets by time. The
-- predicate names published_at, not the state, so that a claim (which
-- changes the state) stays a heap-only update (see 00018).
CREATE INDEX targets_workspace_published ON targets (workspace_id, published_at) WHERE published_at IS NOT NULL;

INSERT INTO target_stats (target_id, workspace_id, measured_at, likes, reposts, replies, quotes, impressions)
SELECT m.target_id, m.workspace_id, m.at, m.likes, m.reposts, m.replies, m.quotes, m.impressions
FROM metric_snapshots m
WHERE m.id = (SELECT l.id FROM metric_snapshots l WHERE l.target_id = m.target_id ORDER BY l.at DESC, l.id DESC LIMIT 1);

-- +goose Down
DROP INDEX targets_workspace_published;
DROP TABLE target_stats;
DROP TABLE account_snapshots;
