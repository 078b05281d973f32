-- Comments on posts, and the members each mentions (for "mentions of me").

-- +goose Up
CREATE TABLE post_comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    post_id      bigint      NOT NULL,
    author_id    bigint      NOT NULL,
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT post_comments_post_fkey FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT post_comments_author_fkey FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE INDEX post_comments_post_idx ON post_comments (workspace_id, post_id, id);

CREATE TABLE post_comment_mentions (
    comment_id   bigint NOT NULL,
    workspace_id bigint NOT NULL,
    user_id      bigint NOT NULL,
    CONSTRAINT post_comment_mentions_pkey PRIMARY KEY (comment_id, user_id),
    CONSTRAINT post_comment_mentions_comment_fkey FOREIGN KEY (comment_id) REFERENCES post_comments (id) ON DELETE CASCADE,
    CONSTRAINT post_comment_mentions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE INDEX post_comment_mentions_user_idx ON post_comment_mentions (workspace_id, user_id, comment_id);

-- +goose Down
DROP TABLE post_comment_mentions;
DROP TABLE post_comments;
