// Package trend computes the numbers behind social listening: which terms
// are rising and when a surge of mentions is a crisis. It is pure
// computation over counts: no storage, no network, no clock of its own.
//
// # Terms
//
// Terms turns a post into the words and hashtags it is about: lower-cased,
// without links, mentions, numbers, words under three letters and the most
// common filler words of English, German, French, Spanish, Portuguese,
// Italian and Dutch. A post counts once per term however often it repeats
// it, so "120 posts" means 120 posts, not 120 repetitions.
//
// # Rising terms
//
// Next to a rising term the UI can say: "mentioned in 42 of 800 posts in the
// last 3 hours (5.3 %), against 180 of 30,000 (0.6 %) over the previous 7
// days: 8.8 times as often. Score 102 (a change this large has less than a
// 0.1 % chance of being luck)."
//
// The score is Dunning's log-likelihood ratio G². It asks: if this term were
// just as common now as during the baseline, how surprising would the counts
// we see be? It weighs both the size of the rise and how much evidence there
// is, so 4 posts against 1 scores low while 400 against 100 scores high.
// Three more rules keep the list useful: the term must be in at least 5
// posts of the window, at least twice as common as before, and rising (a
// term that fell sharply also scores high and is left out). A term never
// seen in the baseline is treated as if seen once, so "new" terms get a
// finite ratio. Each score comes with P, the approximate chance of such a
// score arising when nothing changed; the default cut-off is P < 0.001
// (G² ≥ 10.83) because thousands of terms are tested at once.
//
// Counter collects terms per hour as posts arrive, keeps the window plus
// the baseline, and bounds its memory by forgetting rare words when an hour
// holds too many distinct terms.
//
// # Spikes
//
// Next to a spike alert the UI can say: "64 negative mentions in the last
// 15 minutes; usually 14 per 15 minutes over the previous day; alert level
// 42 (3 × usual, and never below 20)."
//
// SpikeRule compares the count of the last window with the average count per
// window over the previous day. It fires at three times the usual level and
// never for fewer than 20 posts, so quiet topics do not alarm on a handful.
// With one-minute buckets a spike is seen within a minute. Replay answers
// "when would this have fired?" over past data, once per episode: after an
// alert, the next one needs the count to have stayed below the alert level
// for a full window first. PhraseRule fires on a watched phrase in any post,
// and ReplyRule on a pile-on of replies under one post.
package trend
