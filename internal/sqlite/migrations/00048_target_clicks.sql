-- Tracked links' counts per published target, kept current by the click
-- recorder and the conversions as they arrive, so that analytics reads
-- them with the rest of the target's figures.

-- +goose Up
ALTER TABLE target_stats ADD COLUMN clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN unique_clicks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0; -- 1 once the target has a tracked link
ALTER TABLE target_stats ADD COLUMN conversions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE target_stats ADD COLUMN revenue_cents INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE target_stats DROP COLUMN revenue_cents;
ALTER TABLE target_stats DROP COLUMN conversions;
ALTER TABLE target_stats DROP COLUMN tracked;
ALTER TABLE target_stats DROP COLUMN unique_clicks;
ALTER TABLE target_stats DROP COLUMN clicks;
