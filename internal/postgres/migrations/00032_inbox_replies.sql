-- Replies to inbox items, recorded before the platform is called: the
-- key makes the same reply asked for twice one reply, and a reply whose
-- send had no clear answer is checked with the platform before it is
-- sent again (see herald.ReplyState).

-- +goose Up
CREATE TABLE inbox_replies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id       bigint      NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    user_id       bigint      REFERENCES users (id) ON DELETE SET NULL,
    key           text        NOT NULL UNIQUE,
    text          text        NOT NULL,
    state         text        NOT NULL CHECK (state IN ('sending', 'sent', 'unsettled', 'unconfirmed', 'failed')),
    remote_id     text        NOT NULL DEFAULT '',
    url           text        NOT NULL DEFAULT '',
    error         text        NOT NULL DEFAULT '',
    attempts      integer     NOT NULL DEFAULT 1,
    lease_until   timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    sent_at       timestamptz
);
CREATE INDEX inbox_replies_item_idx ON inbox_replies (item_id, id);
CREATE INDEX inbox_replies_settle_idx ON inbox_replies (state, updated_at) WHERE state IN ('sending', 'unsettled');

-- +goose Down
DROP TABLE inbox_replies;
