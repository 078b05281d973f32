-- A claim rewrites a target's state, lease, attempt count, version and
-- update time. This migration lets PostgreSQL make that a heap-only (HOT)
-- update: the new row version goes on the same page and no index gets a new
-- entry. That needs room on the page and no index whose columns or
-- predicate a claim changes.
--
-- * Waiting targets were found through an index over (due_at, id) limited
--   to the waiting states, and leases through one over lease_until limited
--   to publishing: both change with every claim. One index over (due_at,
--   id) of the targets that have a due time takes the first's place (a
--   claim keeps the due time; NextDue skips the few publishing rows in it).
--   Leases are found through their attempts under way instead: every lease
--   has one (the claim starts it, the completion ends it), and they are
--   only as many as the posts in flight.
-- * Recently published targets are found through published_at alone
--   instead of an index limited to the published state.
-- * Target rows fill less than half of each page (45 %), so that the claim
--   of every row on a page, a little longer than the row (the lease), fits
--   beside it. New rows only: existing pages keep their fill until they are
--   rewritten.
-- * The attempt and transition logs lose their primary-key indexes: they
--   are read by target (their (target_id, id) indexes, which also find the
--   attempt a completion ends), never by id alone, and every claim and
--   completion appends to them. Their ids still come from their identity
--   columns.

-- +goose Up
DROP INDEX targets_next_due_idx;
DROP INDEX targets_lease_idx;
CREATE INDEX targets_due_idx ON targets (due_at, id) WHERE due_at IS NOT NULL;
DROP INDEX targets_published_idx;
CREATE INDEX targets_published_idx ON targets (published_at) WHERE published_at IS NOT NULL;
ALTER TABLE targets SET (fillfactor = 45);
CREATE INDEX attempts_open_idx ON attempts (target_id) WHERE outcome = '';
ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
ALTER TABLE target_transitions DROP CONSTRAINT target_transitions_pkey;

-- +goose Down
ALTER TABLE target_transitions ADD PRIMARY KEY (id);
ALTER TABLE attempts ADD PRIMARY KEY (id);
DROP INDEX attempts_open_idx;
ALTER TABLE targets RESET (fillfactor);
DROP INDEX targets_published_idx;
CREATE INDEX targets_published_idx ON targets (published_at) WHERE state = 'published';
DROP INDEX targets_due_idx;
CREATE INDEX targets_lease_idx ON targets (lease_until, id) WHERE state = 'publishing';
CREATE INDEX targets_next_due_idx ON targets (due_at, id) WHERE state IN ('scheduled', 'retrying');
