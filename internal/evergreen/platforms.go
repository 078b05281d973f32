package evergreen

import "github.com/heraldsocial/herald/internal/herald"

// Repeats says how a platform treats a post whose text repeats one
// already published on the account, for the evergreen settings and docs.
type Repeats struct {
	Platform herald.Platform `json:"platform"`
	// Refuses is true where the platform rejects the exact repeat.
	Refuses bool   `json:"refuses"`
	Note    string `json:"note"`
}

// RepeatRules lists what each platform Herald publishes to does with an
// exact repeat. Recycling never repeats a text on a platform within the
// cooldown whatever the platform does: where a repeat is accepted,
// followers still see the same post twice.
func RepeatRules() []Repeats {
	return []Repeats{
		{herald.PlatformX, true, "a post whose text repeats a recent one of the account is refused with 403 (duplicate content)."},
		{herald.PlatformMastodon, false, "Mastodon accepts a repeated text (it only folds retries sent with the same idempotency key); followers see it again."},
		{herald.PlatformBluesky, false, "Bluesky accepts a repeated text; followers see it again."},
	}
}
