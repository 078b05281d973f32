-- Inbox analysis (sentiment with VADER's compound score, language, whether
-- it asks a question; sentiment '' until analysed), priority, tags, and the
-- workspace's rules applied on arrival, with their round-robin turn and
-- which rule touched which item.

-- +goose Up
ALTER TABLE inbox_items ADD COLUMN sentiment text NOT NULL DEFAULT ''
    CONSTRAINT inbox_items_sentiment_check CHECK (sentiment IN ('', 'positive', 'neutral', 'negative'));
ALTER TABLE inbox_items ADD COLUMN sentiment_score double precision NOT NULL DEFAULT 0;
ALTER TABLE inbox_items ADD COLUMN language text NOT NULL DEFAULT '';
ALTER TABLE inbox_items ADD COLUMN has_question boolean NOT NULL DEFAULT false;
ALTER TABLE inbox_items ADD COLUMN priority text NOT NULL DEFAULT 'normal'
    CONSTRAINT inbox_items_priority_check CHECK (priority IN ('normal', 'high', 'urgent'));
CREATE INDEX inbox_items_unanalysed_idx ON inbox_items (id) WHERE sentiment = '';

CREATE TABLE inbox_item_tags (
    item_id      bigint NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    tag          text NOT NULL,
    tag_key      text NOT NULL,
    PRIMARY KEY (item_id, tag_key)
);
CREATE INDEX inbox_item_tags_ws_idx ON inbox_item_tags (workspace_id, tag_key);

CREATE TABLE inbox_rules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL,
    position     integer NOT NULL,
    enabled      boolean NOT NULL DEFAULT true,
    conditions   jsonb NOT NULL,
    actions      jsonb NOT NULL,
    turn         bigint NOT NULL DEFAULT 0,
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX inbox_rules_ws_idx ON inbox_rules (workspace_id, position);

CREATE TABLE inbox_rule_hits (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    rule_id      bigint REFERENCES inbox_rules (id) ON DELETE SET NULL,
    rule_name    text NOT NULL,
    item_id      bigint NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    did          text NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX inbox_rule_hits_item_idx ON inbox_rule_hits (item_id, id);

-- +goose Down
DROP TABLE inbox_rule_hits;
DROP TABLE inbox_rules;
DROP TABLE inbox_item_tags;
DROP INDEX inbox_items_unanalysed_idx;
ALTER TABLE inbox_items DROP COLUMN priority;
ALTER TABLE inbox_items DROP COLUMN has_question;
ALTER TABLE inbox_items DROP COLUMN language;
ALTER TABLE inbox_items DROP COLUMN sentiment_score;
ALTER TABLE inbox_items DROP COLUMN sentiment;
