-- Scheduled reports: the analytics report e-mailed as a PDF weekly or
-- monthly, and a record of each sending.

-- +goose Up
CREATE TABLE report_schedules (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    account_id   INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    campaign_id  INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
    every        TEXT    NOT NULL CHECK (every IN ('weekly', 'monthly')),
    recipients   TEXT    NOT NULL, -- JSON list of addresses
    next_run_at  INTEGER NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX report_schedules_workspace ON report_schedules (workspace_id, name);
CREATE INDEX report_schedules_due ON report_schedules (next_run_at);

CREATE TABLE report_runs (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    schedule_id  INTEGER NOT NULL REFERENCES report_schedules (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    period_from  TEXT    NOT NULL,
    period_to    TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    error        TEXT    NOT NULL DEFAULT '',
    recipients   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;
CREATE INDEX report_runs_schedule ON report_runs (schedule_id, at);

-- +goose Down
DROP TABLE report_runs;
DROP TABLE report_schedules;
