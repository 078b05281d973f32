-- Evergreen recycling: posts marked for re-queueing with alternative
-- texts, each workspace's policy, and the recycled copies. A copy is
-- unique per (origin, account, slot) and per (account, slot), so two
-- instances or a restart never make two copies for one slot; a copy whose
-- post a person deleted keeps its row (post_id NULL) so the slot is not
-- filled again.

-- +goose Up
CREATE TABLE evergreen_settings (
    workspace_id      INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    enabled           INTEGER NOT NULL DEFAULT 0,
    cooldown_days     INTEGER NOT NULL CHECK (cooldown_days BETWEEN 1 AND 365),
    max_share_percent INTEGER NOT NULL CHECK (max_share_percent BETWEEN 1 AND 100),
    account_ids       TEXT    NOT NULL DEFAULT '[]',
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE evergreen_posts (
    workspace_id INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    variants     TEXT    NOT NULL DEFAULT '[]',
    marked_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, post_id),
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE evergreen_copies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    origin_id    INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    slot_at      INTEGER NOT NULL,
    post_id      INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    variant      INTEGER NOT NULL DEFAULT 0,
    text         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, origin_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX evergreen_copies_key ON evergreen_copies (origin_id, account_id, slot_at);
CREATE UNIQUE INDEX evergreen_copies_slot_key ON evergreen_copies (account_id, slot_at);
CREATE INDEX evergreen_copies_post ON evergreen_copies (post_id);
CREATE INDEX evergreen_copies_workspace ON evergreen_copies (workspace_id, origin_id);

-- +goose Down
DROP TABLE evergreen_copies;
DROP TABLE evergreen_posts;
DROP TABLE evergreen_settings;
