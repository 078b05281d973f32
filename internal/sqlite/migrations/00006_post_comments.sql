-- Comments on posts, and the members each mentions (for "mentions of me").
-- Times are microseconds since the epoch, UTC, like every other time.

-- +goose Up
CREATE TABLE post_comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    post_id      INTEGER NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, post_id) REFERENCES posts (workspace_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX post_comments_post ON post_comments (workspace_id, post_id, id);

CREATE TABLE post_comment_mentions (
    comment_id   INTEGER NOT NULL REFERENCES post_comments (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (comment_id, user_id)
) STRICT;
CREATE INDEX post_comment_mentions_user ON post_comment_mentions (workspace_id, user_id, comment_id);

-- +goose Down
DROP TABLE post_comment_mentions;
DROP TABLE post_comments;
