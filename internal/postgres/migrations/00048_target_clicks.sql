-- Tracked links' counts per published target, kept current by the click
-- recorder and the conversions as they arrive, so that analytics reads
-- them with the rest of the target's figures.

-- +goose Up
ALTER TABLE target_stats ADD COLUMN clicks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN unique_clicks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN tracked BOOLEAN NOT NULL DEFAULT false; -- true once the target has a tracked link
ALTER TABLE target_stats ADD COLUMN conversions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN revenue_cents BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE target_stats DROP COLUMN revenue_cents;
ALTER TABLE target_stats DROP COLUMN conversions;
ALTER TABLE target_stats DROP COLUMN tracked;
ALTER TABLE target_stats DROP COLUMN unique_clicks;
ALTER TABLE target_stats DROP COLUMN clicks;
