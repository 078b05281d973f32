-- Inbox analysis (sentiment with VADER's compound score, language, whether
-- it asks a question; sentiment '' until analysed), priority, tags, and the
-- workspace's rules applied on arrival, with their round-robin turn and
-- which rule touched which item.

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN sentiment TEXT NOT NULL DEFAULT '' CHECK (sentiment IN ('', 'positive', 'neutral', 'negative'));
ALTER TABLE inbox_items ADD COLUMN sentiment_score REAL NOT NULL DEFAULT 0;
ALTER TABLE inbox_items ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_items ADD COLUMN has_question INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox_items ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'high', 'urgent'));
CREATE INDEX inbox_items_unanalysed ON inbox_items (id) WHERE sentiment = '';

CREATE TABLE inbox_item_tags (
    item_id      INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    tag_key      TEXT NOT NULL,
    PRIMARY KEY (item_id, tag_key)
);
CREATE INDEX inbox_item_tags_ws ON inbox_item_tags (workspace_id, tag_key);

CREATE TABLE inbox_rules (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    conditions   TEXT NOT NULL,
    actions      TEXT NOT NULL,
    turn         INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX inbox_rules_ws ON inbox_rules (workspace_id, position);

CREATE TABLE inbox_rule_hits (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    rule_id      INTEGER REFERENCES inbox_rules (id) ON DELETE SET NULL,
    rule_name    TEXT NOT NULL,
    item_id      INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    did          TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX inbox_rule_hits_item ON inbox_rule_hits (item_id, id);

-- +goose Down
DROP TABLE inbox_rule_hits;
DROP TABLE inbox_rules;
DROP TABLE inbox_item_tags;
DROP INDEX inbox_items_unanalysed;
ALTER TABLE inbox_items DROP COLUMN priority;
ALTER TABLE inbox_items DROP COLUMN has_question;
ALTER TABLE inbox_items DROP COLUMN language;
ALTER TABLE inbox_items DROP COLUMN sentiment_score;
ALTER TABLE inbox_items DROP COLUMN sentiment;
