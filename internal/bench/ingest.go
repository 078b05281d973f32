package bench

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	blueskylisten "github.com/heraldsocial/herald/internal/listen/bluesky"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// The ingest load (Config.Ingest) runs Herald's listening ingest beside
// the dispatcher as herald serve does: listen.NewIngest on the same store
// with the system clock, its topics those of the benchmark's workspace,
// created through the listening service. While the posts are due, a
// generator in this process plays a Bluesky firehose: it delivers batches
// of public posts the way the firehose source does, at most
// blueskylisten.DefaultBatchSize posts, a batch as soon as it is full or
// blueskylisten.DefaultBatchDelay after its first post; at a steady rate
// that is a full batch every DefaultBatchSize/rate seconds (every 100 ms
// at 2,000 a second), or a partial one every DefaultBatchDelay below
// DefaultBatchSize/DefaultBatchDelay posts a second. The schedule is
// fixed (open loop): the i-th batch holds the posts seen in the i-th
// interval and is due at its end. One batch is accepted at a time, as one
// source does: a batch whose due time passes while the one before is
// being stored waits, and that wait counts in its delay and in the lag.
// Every post matches at least one topic, a share two, so each post is one
// stored match.

// Ingest topic names, in the benchmark's workspace.
const (
	topicBrand  = "Acme (brand)"
	topicLaunch = "Launch week (hashtags)"
	topicRival  = "Globex (competitor)"
)

// ingestTopics are the listening topics the load's posts match: a brand
// with a few terms and an exclusion, a campaign's hashtags, a competitor.
var ingestTopics = []herald.ListenTopic{
	{Name: topicBrand, Rules: herald.TopicRule{Any: []string{"acme", "acmephone", "acme buds"}, None: []string{"wile e coyote"}}},
	{Name: topicLaunch, Rules: herald.TopicRule{Hashtags: []string{"launchweek", "acmelaunch"}}},
	{Name: topicRival, Rules: herald.TopicRule{Any: []string{"globex", "globex one"}}},
}

// ingestSource is the name the load's batches and cursor go by.
const ingestSource = "bluesky-firehose:bench.invalid"

// IngestResult is what the ingest load measured.
type IngestResult struct {
	// RatePerS is the rate asked, in posts (each one match) a second;
	// BatchSize and BatchEveryMS the schedule it makes.
	RatePerS     int     `json:"rate_per_s"`
	BatchSize    int     `json:"batch_size"`
	BatchEveryMS float64 `json:"batch_every_ms"`
	Topics       int     `json:"topics"`
	// Batches and PostsSent are what was handed to Accept, FailedBatches
	// the calls that returned an error. TwoTopicPosts are the posts made
	// to match two topics.
	Batches       int `json:"batches"`
	PostsSent     int `json:"posts_sent"`
	FailedBatches int `json:"failed_batches"`
	TwoTopicPosts int `json:"two_topic_posts"`
	// MatchesStored is the workspace's matches counted in the store after
	// the load; TopicLinksStored the (match, topic) pairs, which must be
	// PostsSent + TwoTopicPosts. Positive, Neutral and Negative are the
	// stored matches by the sentiment Herald gave them.
	MatchesStored    int `json:"matches_stored"`
	TopicLinksStored int `json:"topic_links_stored"`
	Positive         int `json:"positive"`
	Neutral          int `json:"neutral"`
	Negative         int `json:"negative"`
	// AchievedPerS is MatchesStored over the time from the start of the
	// first batch's interval to the end of the last Accept; Sustained
	// whether it is at least 98 % of RatePerS.
	AchievedPerS float64 `json:"achieved_per_s"`
	Sustained    bool    `json:"sustained"`
	// How long each Accept call took (matching, sentiment, storing the
	// matches and the cursor).
	AcceptP50MS float64 `json:"accept_p50_ms"`
	AcceptP99MS float64 `json:"accept_p99_ms"`
	AcceptMaxMS float64 `json:"accept_max_ms"`
	// DelayP99MS is, over the batches, the time from a batch's due time
	// to its Accept's return (waiting behind the one before included);
	// LagMS that of the last batch.
	DelayP99MS float64 `json:"delay_p99_ms"`
	LagMS      float64 `json:"lag_ms"`
	// Where the time goes over the load, as in RedirectResult.
	SchedLatencyP99MS float64 `json:"sched_latency_p99_ms"`
	GCs               uint32  `json:"gcs"`
	GCPauseMS         float64 `json:"gc_pause_ms"`
	BusyPct           float64 `json:"busy_pct"`
}

// ingestPlan returns the batches' size and interval for rate posts a
// second, as the firehose source would deliver them.
func ingestPlan(rate int) (size int, every time.Duration) {
	full := time.Duration(float64(time.Second) * float64(blueskylisten.DefaultBatchSize) / float64(rate))
	if full <= blueskylisten.DefaultBatchDelay {
		return blueskylisten.DefaultBatchSize, full
	}
	every = blueskylisten.DefaultBatchDelay
	return max(1, int(math.Round(float64(rate)*every.Seconds()))), every
}

// ingestLoad is the ingest, its topics and the generator.
type ingestLoad struct {
	rate    int
	size    int
	every   time.Duration
	batches int
	log     *slog.Logger
	store   benchStore
	ws      int64
	in      *listen.Ingest
	gen     *postGen
	topics  []herald.ListenTopic
	stop    context.CancelFunc
	done    chan struct{}
	started bool
	closed  sync.Once

	// Written by run, read after done is closed.
	from, lastDue, lastDone time.Time
	accept, delay           []time.Duration
	sent, failed            int
	gcs                     uint32
	gcNS                    uint64
	before, after           []metrics.Sample
}

// openIngest creates the topics in the benchmark's workspace, builds the
// ingest as herald serve does and warms it (topics compiled, the
// sentiment analyser loaded) without storing anything.
func openIngest(ctx context.Context, cfg Config, st benchStore, fx *fixture) (*ingestLoad, error) {
	clock := herald.SystemClock{}
	in := listen.NewIngest(st, clock, cfg.Logger)
	svc := listen.New(st, clock, cfg.Logger, in.Changed)
	actor := herald.Actor{UserID: fx.user.ID, WorkspaceID: fx.ws.ID, Role: herald.RoleOwner}
	size, every := ingestPlan(cfg.Ingest)
	g := &ingestLoad{rate: cfg.Ingest, size: size, every: every, batches: max(1, int(cfg.Window/every)),
		log: cfg.Logger, store: st, ws: fx.ws.ID, in: in, gen: newPostGen(), done: make(chan struct{}), stop: func() {}}
	for _, t := range ingestTopics {
		made, err := svc.Create(ctx, actor, t)
		if err != nil {
			return nil, fmt.Errorf("bench: create the listening topic %q: %w", t.Name, err)
		}
		g.topics = append(g.topics, made)
	}
	warm := newPostGen()
	if _, err := in.Match(ctx, warm.batch(0, time.Now(), time.Second, 20).Posts); err != nil {
		return nil, fmt.Errorf("bench: warm the listening ingest: %w", err)
	}
	return g, nil
}

// start runs the load from the first due time (or now, if later) for the
// batches of the window, in the background.
func (g *ingestLoad) start(ctx context.Context, from time.Time) {
	ctx, stop := context.WithCancel(ctx)
	g.stop, g.started = stop, true
	go func() {
		defer close(g.done)
		g.run(ctx, from)
	}()
}

func (g *ingestLoad) run(ctx context.Context, from time.Time) {
	if now := time.Now(); now.After(from) {
		g.log.WarnContext(ctx, "the ingest load starts late: setting up took past the first due time",
			slog.Duration("late", now.Sub(from)))
		from = now
	}
	g.from = from
	g.accept, g.delay = make([]time.Duration, 0, g.batches), make([]time.Duration, 0, g.batches)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g.before = readRuntime()
	for i := range g.batches {
		due := from.Add(time.Duration(i+1) * g.every)
		if wait := time.Until(due); wait > 0 && sleep(ctx, wait) != nil {
			break
		}
		// The source decodes the batch's posts as they arrive: making them
		// is not part of Accept's time, but it is of the delay.
		b := g.gen.batch(i, due.Add(-g.every), g.every, g.size)
		start := time.Now()
		err := g.in.Accept(ctx, b)
		done := time.Now()
		g.accept, g.delay = append(g.accept, done.Sub(start)), append(g.delay, done.Sub(due))
		g.sent += len(b.Posts)
		g.lastDue, g.lastDone = due, done
		if err != nil {
			if g.failed++; g.failed == 1 {
				g.log.WarnContext(ctx, "a listening batch was not accepted", slog.Any("error", err))
			}
			if ctx.Err() != nil {
				break
			}
		}
	}
	g.after = readRuntime()
	runtime.ReadMemStats(&after)
	g.gcs, g.gcNS = after.NumGC-before.NumGC, after.PauseTotalNs-before.PauseTotalNs
}

// finish waits for the load to end and counts what the store holds.
func (g *ingestLoad) finish(ctx context.Context) (*IngestResult, error) {
	select {
	case <-g.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("bench: interrupted: %w", ctx.Err())
	}
	res := &IngestResult{RatePerS: g.rate, BatchSize: g.size, BatchEveryMS: ms(g.every), Topics: len(g.topics),
		Batches: len(g.accept), PostsSent: g.sent, FailedBatches: g.failed, TwoTopicPosts: g.gen.twoTopics,
		GCs: g.gcs, GCPauseMS: ms(time.Duration(g.gcNS))}
	// Every post is dated within seconds before it was seen.
	lo, hi := g.from.Add(-time.Hour), time.Now().Add(time.Hour)
	count := func(topicID int64, sentiment string) (int, error) {
		n, err := g.store.ListenCounts(ctx, g.ws, topicID, sentiment, lo, hi, hi.Sub(lo))
		if err != nil {
			return 0, fmt.Errorf("bench: count the stored matches: %w", err)
		}
		total := 0
		for _, c := range n {
			total += c
		}
		return total, nil
	}
	var err error
	if res.MatchesStored, err = count(0, ""); err != nil {
		return nil, err
	}
	for _, t := range g.topics {
		n, err := count(t.ID, "")
		if err != nil {
			return nil, err
		}
		res.TopicLinksStored += n
	}
	for s, n := range map[string]*int{"positive": &res.Positive, "neutral": &res.Neutral, "negative": &res.Negative} {
		if *n, err = count(0, s); err != nil {
			return nil, err
		}
	}
	if len(g.accept) == 0 {
		return res, nil
	}
	if span := g.lastDone.Sub(g.from); span > 0 {
		res.AchievedPerS = math.Round(float64(res.MatchesStored)/span.Seconds()*10) / 10
	}
	res.Sustained = res.AchievedPerS >= 0.98*float64(g.rate)
	a := percentiles(g.accept) // sorts g.accept
	res.AcceptP50MS, res.AcceptP99MS, res.AcceptMaxMS = ms(a.p50), ms(a.p99), ms(a.max)
	res.LagMS = ms(g.lastDone.Sub(g.lastDue))
	res.DelayP99MS = ms(percentiles(g.delay).p99)
	res.SchedLatencyP99MS = ms(histogramP99(g.before[0].Value.Float64Histogram(), g.after[0].Value.Float64Histogram()))
	delta := func(i int) float64 { return g.after[i].Value.Float64() - g.before[i].Value.Float64() }
	if total := delta(3); total > 0 {
		res.BusyPct = math.Round((total-delta(2))/total*1000) / 10
	}
	return res, nil
}

// close stops the load and waits for it; it may be called more than once.
func (g *ingestLoad) close() error {
	g.closed.Do(func() {
		g.stop()
		if g.started {
			<-g.done
		}
	})
	return nil
}

// postGen makes Bluesky-like public posts that match the ingest topics:
// varied texts with a mix of tones, most declaring English, some no
// language (so it is detected), a few German; some replies, some
// mentions, links and emoji. Its randomness is seeded: every run sends
// the same posts.
type postGen struct {
	rng       *rand.Rand
	serial    int
	twoTopics int
	recent    []string // RemoteIDs to reply to
}

func newPostGen() *postGen { return &postGen{rng: rand.New(rand.NewPCG(2026, 12))} }

// The texts' parts. Brand posts name a product and say something about
// it in one of three tones; hashtag posts carry a launch hashtag and
// name no product; rival posts name the competitor alone.
var (
	brandProducts = []string{"Acme Phone 3", "the new Acme watch", "my AcmePhone", "Acme buds", "the Acme coffee grinder",
		"Acme's laptop", "the acme app", "Acme Buds Pro"}
	rivalProducts = []string{"Globex One", "the Globex tablet", "Globex", "Globex's new router"}
	toneParts     = [3][]string{
		{"is honestly the best thing I bought this year", "works great, the battery lasts all day",
			"is amazing, I love it so much 😍", "exceeded my expectations. Great job!", "fantastic camera, really happy with it",
			"just made my morning. Brilliant design", "support fixed my issue in five minutes, excellent service"},
		{"arrived today", "is on sale this week", "got a firmware update tonight", "anyone tried it yet?",
			"review is up on the blog", "comes in three colours", "ships from the Berlin warehouse"},
		{"broke after two days. Terrible", "support kept me waiting an hour, awful service 😡",
			"is a total disappointment, I want a refund", "keeps crashing, worst update ever",
			"is overpriced and slow. I hate it", "died in the rain, really angry", "lost all my settings again, so frustrating"},
	}
	launchTexts = []string{"Watching the keynote live", "Day 2 of the launch and the queue is already around the block",
		"Stream starts in ten minutes, grab a coffee", "New colours and a smaller box, nice touch",
		"The demo failed on stage, awkward", "Honestly the most boring keynote in years",
		"Great energy at the event tonight"}
	launchTags = []string{"launchweek", "LaunchWeek", "acmelaunch"}
	germanText = []string{"Das neue Acme Phone ist wirklich gut", "Acme Buds sind kaputt, sehr ärgerlich",
		"Hat jemand schon die Acme Uhr ausprobiert?"}
	openers = []string{"", "", "", "ok so ", "Honestly, ", "PSA: ", "Update: ", "lol ", "Quick one: "}
	closers = []string{"", "", "", " 🙃", " #tech", " https://example.com/r/", " cc @gadgetnews.bsky.social", " (thread)"}
	names   = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
		"niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe"}
)

// ingestAuthors is how many distinct authors the posts come from.
const ingestAuthors = 5000

const base32Sort = "234567abcdefghijklmnopqrstuvwxyz"

// b32 writes v in n sortable base-32 digits.
func b32(v uint64, n int) string {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = base32Sort[v&31]
		v >>= 5
	}
	return string(b)
}

// batch returns the i-th batch: size posts seen evenly over the interval
// of length every that starts at from, and the cursor after them.
func (pg *postGen) batch(i int, from time.Time, every time.Duration, size int) source.Batch {
	b := source.Batch{Source: ingestSource, Posts: make([]source.Post, 0, size)}
	for j := range size {
		seen := from.Add(every * time.Duration(j) / time.Duration(size)).UTC()
		b.Posts = append(b.Posts, pg.post(seen))
	}
	b.Cursor = strconv.Itoa(1_000_000 + pg.serial + i)
	return b
}

// post makes the next post, seen at seen.
func (pg *postGen) post(seen time.Time) source.Post {
	pg.serial++
	r := pg.rng
	a := r.IntN(ingestAuthors)
	name := names[a%len(names)]
	did := "did:plc:" + b32(uint64(a)*0x9E3779B97F4A7C15, 24)
	handle := name + strconv.Itoa(a) + ".bsky.social"
	tid := b32(uint64(seen.UnixMicro())<<10|uint64(pg.serial&1023), 13)
	p := source.Post{Platform: string(herald.PlatformBluesky), RemoteID: "at://" + did + "/app.bsky.feed.post/" + tid,
		CID: "bafyrei" + b32(r.Uint64(), 13) + b32(r.Uint64(), 13) + b32(r.Uint64(), 13) + b32(r.Uint64(), 13),
		URL: "https://bsky.app/profile/" + handle + "/post/" + tid, AuthorID: did, AuthorHandle: handle,
		AuthorName: strings.ToUpper(name[:1]) + name[1:], AuthorFollowers: -1, SeenAt: seen,
		PostedAt: seen.Add(-time.Duration(100+r.IntN(2900)) * time.Millisecond)}
	p.Text = pg.text(&p)
	switch l := r.IntN(20); {
	case p.Languages != nil: // German, declared
	case l < 2: // none declared: detected
	case l < 3:
		p.Languages = []string{"en-US"}
	default:
		p.Languages = []string{"en"}
	}
	if len(pg.recent) > 0 && r.IntN(10) < 3 {
		p.ReplyTo = pg.recent[r.IntN(len(pg.recent))]
		p.ReplyRoot = p.ReplyTo
	}
	if len(pg.recent) < 500 {
		pg.recent = append(pg.recent, p.RemoteID)
	} else {
		pg.recent[pg.serial%500] = p.RemoteID
	}
	return p
}

// text writes the post's text (and its tags, mentions and language where
// the text calls for them). Of 100 posts, 57 name the brand alone, 3 do in
// German, 12 carry a launch hashtag alone, 8 name the competitor alone;
// 12 name the brand with a launch hashtag and 8 compare the brand and the
// competitor: 20 match two topics.
func (pg *postGen) text(p *source.Post) string {
	r := pg.rng
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	tone := func() string { return pick(toneParts[r.IntN(3)]) }
	tag := func() string {
		t := pick(launchTags)
		p.Tags = append(p.Tags, strings.ToLower(t))
		return "#" + t
	}
	var t string
	switch k := r.IntN(100); {
	case k < 57:
		t = pick(openers) + pick(brandProducts) + " " + tone()
	case k < 60:
		p.Languages = []string{"de"}
		return pick(germanText)
	case k < 72:
		t = pick(openers) + pick(launchTexts) + " " + tag()
	case k < 80:
		t = pick(openers) + pick(rivalProducts) + " " + tone()
	case k < 92:
		pg.twoTopics++
		t = pick(brandProducts) + " " + tone() + " " + tag()
	default:
		pg.twoTopics++
		t = "Switched from " + pick(rivalProducts) + " to " + pick(brandProducts) + "; the new one " + tone()
	}
	c := pick(closers)
	switch {
	case strings.HasPrefix(c, " cc @"):
		p.Mentions = append(p.Mentions, "did:plc:"+b32(0x6e657773, 24))
	case strings.HasSuffix(c, "/r/"):
		c += strconv.Itoa(pg.serial)
	}
	return t + c
}
