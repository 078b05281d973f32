-- The publishing hot path writes every target twice (claim, completion),
-- with a transition and an attempt each time. This migration trims what
-- each of those writes costs on PostgreSQL:
--
-- * The attempt and transition logs lose their foreign keys to targets:
--   their rows are written only by the statements that move the target
--   itself, so the per-row key check bought nothing but time. A statement
--   trigger on targets deletes a deleted target's logs instead (cascades
--   from deleted posts and accounts included).
-- * Metric snapshots reference the target by id alone, so targets no
--   longer carry a (workspace_id, id) unique index.
-- * Indexes no query uses are dropped, and the two account indexes become
--   one: every state change of a target writes an entry into each index.
-- * Attempt rows leave room on their page, so that recording an attempt's
--   end is a heap-only update.

-- +goose Up
ALTER TABLE target_transitions DROP CONSTRAINT target_transitions_target_fkey;
ALTER TABLE attempts DROP CONSTRAINT attempts_target_fkey;

-- +goose StatementBegin
CREATE FUNCTION herald_delete_target_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM target_transitions WHERE target_id IN (SELECT id FROM gone);
    DELETE FROM attempts WHERE target_id IN (SELECT id FROM gone);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER targets_delete_logs AFTER DELETE ON targets
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION herald_delete_target_logs();

ALTER TABLE metric_snapshots DROP CONSTRAINT metric_snapshots_target_fkey;
ALTER TABLE metric_snapshots ADD CONSTRAINT metric_snapshots_target_fkey
    FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE;
ALTER TABLE targets DROP CONSTRAINT targets_workspace_id_key;

DROP INDEX targets_due_idx;
DROP INDEX targets_account_idx;
DROP INDEX targets_account_remote_idx;
CREATE INDEX targets_account_remote_idx ON targets (account_id, remote_id);

ALTER TABLE attempts SET (fillfactor = 50);

-- +goose Down
ALTER TABLE attempts RESET (fillfactor);
DROP INDEX targets_account_remote_idx;
CREATE INDEX targets_account_remote_idx ON targets (account_id, remote_id) WHERE remote_id <> '';
CREATE INDEX targets_account_idx ON targets (account_id);
CREATE INDEX targets_due_idx ON targets (state, scheduled_at);
ALTER TABLE targets ADD CONSTRAINT targets_workspace_id_key UNIQUE (workspace_id, id);
ALTER TABLE metric_snapshots DROP CONSTRAINT metric_snapshots_target_fkey;
ALTER TABLE metric_snapshots ADD CONSTRAINT metric_snapshots_target_fkey
    FOREIGN KEY (workspace_id, target_id) REFERENCES targets (workspace_id, id) ON DELETE CASCADE;
DROP TRIGGER targets_delete_logs ON targets;
DROP FUNCTION herald_delete_target_logs();
DELETE FROM target_transitions x WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.id = x.target_id);
DELETE FROM attempts x WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.id = x.target_id);
ALTER TABLE attempts ADD CONSTRAINT attempts_target_fkey FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE;
ALTER TABLE target_transitions ADD CONSTRAINT target_transitions_target_fkey
    FOREIGN KEY (target_id) REFERENCES targets (id) ON DELETE CASCADE;
