-- The installation's random id, made once by the first process that asks
-- (Store.InstallationID) and never changed. It goes into every platform
-- idempotency key and record key, so two installations posting to the
-- same account never share a key (a platform keeps keys for hours and
-- would answer the second installation's post with the first one's).

-- +goose Up
ALTER TABLE installation_settings ADD COLUMN installation_id text;

-- +goose Down
ALTER TABLE installation_settings DROP COLUMN installation_id;
