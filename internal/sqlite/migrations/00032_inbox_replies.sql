-- Replies to inbox items, recorded before the platform is called: the
-- key makes the same reply asked for twice one reply, and a reply whose
-- send had no clear answer is checked with the platform before it is
-- sent again (see herald.ReplyState).

-- +goose Up
CREATE TABLE inbox_replies (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id       INTEGER NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    user_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    key           TEXT    NOT NULL UNIQUE,
    text          TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'unsettled', 'unconfirmed', 'failed')),
    remote_id     TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    error         TEXT    NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 1,
    lease_until   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    sent_at       INTEGER
);
CREATE INDEX inbox_replies_item ON inbox_replies (item_id, id);
CREATE INDEX inbox_replies_settle ON inbox_replies (state, updated_at) WHERE state IN ('sending', 'unsettled');

-- +goose Down
DROP TABLE inbox_replies;
