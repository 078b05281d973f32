-- A workspace's notification channels (Slack, Discord, signed webhooks),
-- one delivery per (endpoint, notification key) so a repeated event is not
-- delivered twice (the second insert waits for the first transaction and
-- then fails on the key), and every attempt of a delivery with its answer.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint      NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('slack', 'discord', 'generic')),
    name          text        NOT NULL,
    url           text        NOT NULL,
    kinds         text[]      NOT NULL DEFAULT '{}',
    enabled       boolean     NOT NULL DEFAULT true,
    secret_key_id text        NOT NULL DEFAULT '',
    secret        bytea,
    created_by    bigint,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT webhook_endpoints_workspace_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT webhook_endpoints_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX webhook_endpoints_workspace_idx ON webhook_endpoints (workspace_id);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    bigint      NOT NULL,
    endpoint_id     bigint      NOT NULL,
    event_key       text        NOT NULL,
    notification    text        NOT NULL,
    test            boolean     NOT NULL DEFAULT false,
    state           text        NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    finished_at     timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT webhook_deliveries_endpoint_fkey FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_key UNIQUE (endpoint_id, event_key)
);
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_unfinished_idx ON webhook_deliveries (next_attempt_at)
    WHERE state IN ('pending', 'sending');

CREATE TABLE webhook_attempts (
    delivery_id bigint      NOT NULL,
    number      integer     NOT NULL,
    started_at  timestamptz NOT NULL,
    duration_us bigint      NOT NULL,
    status      integer     NOT NULL DEFAULT 0,
    response    text        NOT NULL DEFAULT '',
    error       text        NOT NULL DEFAULT '',
    CONSTRAINT webhook_attempts_pkey PRIMARY KEY (delivery_id, number),
    CONSTRAINT webhook_attempts_delivery_fkey FOREIGN KEY (delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
