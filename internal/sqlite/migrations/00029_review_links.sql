-- Client review links (only the SHA-256 of the token and an argon2id hash
-- of the optional password are kept), the decisions made through them,
-- and the name of an actor that is not a member (a review link) in the
-- audit log and in targets' histories.

-- +goose Up
CREATE TABLE review_links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    campaign_id   INTEGER,
    range_from    INTEGER,
    range_to      INTEGER,
    token_hash    BLOB    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL DEFAULT '',
    expires_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;
CREATE INDEX review_links_workspace ON review_links (workspace_id, id);

CREATE TABLE review_decisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    link_id      INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    verdict      TEXT    NOT NULL,
    comment      TEXT    NOT NULL DEFAULT '',
    outcome      TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX review_decisions_link ON review_decisions (workspace_id, link_id, id);
CREATE INDEX review_decisions_post ON review_decisions (workspace_id, post_id, id);

ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
ALTER TABLE target_transitions ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE target_transitions DROP COLUMN actor_name;
ALTER TABLE audit_log DROP COLUMN actor_name;
DROP TABLE review_decisions;
DROP TABLE review_links;
