-- Scheduled reports: the analytics report e-mailed as a PDF weekly or
-- monthly, and a record of each sending.

-- +goose Up
CREATE TABLE report_schedules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    account_id   bigint      REFERENCES accounts (id) ON DELETE CASCADE,
    campaign_id  bigint      REFERENCES campaigns (id) ON DELETE CASCADE,
    every        text        NOT NULL CHECK (every IN ('weekly', 'monthly')),
    recipients   jsonb       NOT NULL,
    next_run_at  timestamptz NOT NULL,
    created_by   bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX report_schedules_workspace_idx ON report_schedules (workspace_id, name);
CREATE INDEX report_schedules_due_idx ON report_schedules (next_run_at);

CREATE TABLE report_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id bigint      NOT NULL,
    schedule_id  bigint      NOT NULL REFERENCES report_schedules (id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    period_from  text        NOT NULL,
    period_to    text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    error        text        NOT NULL DEFAULT '',
    recipients   integer     NOT NULL,
    finished_at  timestamptz
);
CREATE INDEX report_runs_schedule_idx ON report_runs (schedule_id, at);

-- +goose Down
DROP TABLE report_runs;
DROP TABLE report_schedules;
