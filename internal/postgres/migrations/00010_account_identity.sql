-- An account is identified by (workspace, platform, server, remote id):
-- a Mastodon account id is unique only on its own server, and small
-- servers hand out the same ids, so two accounts on two servers must live
-- side by side. remote_instance is the server part: the normalised
-- instance address on federated platforms (Mastodon API), '' elsewhere
-- (the store sets it from herald.Account.RemoteInstance). The constraint
-- keeps its name, which the store's error mapping knows.

-- +goose Up
ALTER TABLE accounts ADD COLUMN remote_instance text NOT NULL DEFAULT '';
UPDATE accounts SET remote_instance = lower(rtrim(btrim(instance_url), '/')) WHERE platform = 'mastodon';
ALTER TABLE accounts DROP CONSTRAINT accounts_remote_key;
ALTER TABLE accounts ADD CONSTRAINT accounts_remote_key UNIQUE (workspace_id, platform, remote_instance, remote_id);

-- +goose Down
-- Fails while two accounts of a workspace share a platform and remote id
-- on different servers: disconnect one first.
ALTER TABLE accounts DROP CONSTRAINT accounts_remote_key;
ALTER TABLE accounts ADD CONSTRAINT accounts_remote_key UNIQUE (workspace_id, platform, remote_id);
ALTER TABLE accounts DROP COLUMN remote_instance;
