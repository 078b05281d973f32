-- Client review links (only the SHA-256 of the token and an argon2id hash
-- of the optional password are kept), the decisions made through them,
-- and the name of an actor that is not a member (a review link) in the
-- audit log and in targets' histories.

-- +goose Up
CREATE TABLE review_links (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint      NOT NULL,
    name          text        NOT NULL,
    campaign_id   bigint,
    range_from    timestamptz,
    range_to      timestamptz,
    token_hash    bytea       NOT NULL,
    password_hash text        NOT NULL DEFAULT '',
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    created_by    bigint      NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT review_links_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT review_links_token_hash_key UNIQUE (token_hash),
    CONSTRAINT review_links_workspace_id_key UNIQUE (workspace_id, id)
);

CREATE TABLE review_decisions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    link_id      bigint      NOT NULL,
    post_id      bigint      NOT NULL,
    verdict      text        NOT NULL,
    comment      text        NOT NULL DEFAULT '',
    outcome      text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    CONSTRAINT review_decisions_link_fkey FOREIGN KEY (workspace_id, link_id) REFERENCES review_links (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT review_decisions_post_fkey FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX review_decisions_link_idx ON review_decisions (workspace_id, link_id, id);
CREATE INDEX review_decisions_post_idx ON review_decisions (workspace_id, post_id, id);

ALTER TABLE audit_log ADD COLUMN actor_name text NOT NULL DEFAULT '';
ALTER TABLE target_transitions ADD COLUMN actor_name text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE target_transitions DROP COLUMN actor_name;
ALTER TABLE audit_log DROP COLUMN actor_name;
DROP TABLE review_decisions;
DROP TABLE review_links;
