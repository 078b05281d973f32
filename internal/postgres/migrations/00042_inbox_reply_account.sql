-- "Answer as": the account a reply is sent from when it is not the one the
-- item came to (NULL: the item's own account). No foreign key: a reply
-- whose account is deleted while unsettled must still say it was that
-- account's, so it is left unconfirmed rather than checked on another.

-- +goose Up
ALTER TABLE inbox_replies ADD COLUMN account_id bigint;

-- +goose Down
ALTER TABLE inbox_replies DROP COLUMN account_id;
