package bench

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// TestRunSmoke is CI's benchmark smoke test: a tiny workload must arrive
// complete and exactly once. It asserts nothing about timing.
func TestRunSmoke(t *testing.T) {
	dbs := []Config{{DB: DBSQLite}}
	if url := os.Getenv(pgtest.EnvURL); url != "" {
		dbs = append(dbs, Config{DB: DBPostgres, DatabaseURL: url},
			Config{DB: DBPostgres, DatabaseURL: url, Instances: 2})
	}
	for _, db := range dbs {
		name := db.DB
		if db.Instances > 1 {
			name += "_two_instances"
		}
		t.Run(name, func(t *testing.T) {
			cfg := db
			cfg.Posts, cfg.Window, cfg.Lead, cfg.Accounts = 1_000, 2*time.Second, time.Second, 10
			res := mustRun(t, cfg)
			if res.Lost != 0 || res.Duplicated != 0 {
				t.Errorf("lost %d, duplicated %d; want 0 and 0 (result %+v)", res.Lost, res.Duplicated, res)
			}
			if res.Posts != 1_000 || res.DB != db.DB || res.Platform != PlatformInProcess || res.Instances != max(db.Instances, 1) {
				t.Errorf("result describes the wrong run: %+v", res)
			}
		})
	}
}

// TestRunMixed: a small workload over every mixable platform, each through
// its real connector to its fake, arrives complete and exactly once.
func TestRunMixed(t *testing.T) {
	res := mustRun(t, Config{Posts: 400, Window: 2 * time.Second, Lead: 2 * time.Second, Accounts: 8, Platforms: MixablePlatforms})
	if res.Lost != 0 || res.Duplicated != 0 || res.Platform != PlatformMixed || len(res.Platforms) != len(MixablePlatforms) {
		t.Fatalf("result %+v; want every post once, on every platform", res)
	}
}

// TestRunRedirects: a small workload with the redirect load beside it
// arrives complete and exactly once, every redirect is a 302, and every
// click sent is in the store after the final flush. It asserts nothing
// about timing.
func TestRunRedirects(t *testing.T) {
	res := mustRun(t, Config{Posts: 300, Window: 2 * time.Second, Lead: 2 * time.Second, Accounts: 5, Redirects: 100})
	if res.Lost != 0 || res.Duplicated != 0 {
		t.Errorf("lost %d, duplicated %d; want 0 and 0", res.Lost, res.Duplicated)
	}
	r := res.Redirect
	if r == nil {
		t.Fatalf("no redirect figures in %+v", res)
	}
	if r.Sent == 0 || r.Failed != 0 || r.Links != RedirectLinks || r.ClicksSent != r.Sent+r.Links {
		t.Errorf("redirects %+v; want every one sent answered, one link per target up to %d", *r, RedirectLinks)
	}
	if r.ClicksRecorded != int64(r.ClicksSent) || r.Dropped != 0 || r.FailedWrites != 0 || r.Flushes == 0 {
		t.Errorf("redirects %+v; want every click sent recorded", *r)
	}
}

// TestRunIngest: a small workload with the listening ingest load beside
// it arrives complete and exactly once, and every post sent is stored
// once, with each topic it was made to match and a sentiment. It asserts
// nothing about timing.
func TestRunIngest(t *testing.T) {
	res := mustRun(t, Config{Posts: 300, Window: 2 * time.Second, Lead: 2 * time.Second, Accounts: 5, Ingest: 400})
	if res.Lost != 0 || res.Duplicated != 0 {
		t.Errorf("lost %d, duplicated %d; want 0 and 0", res.Lost, res.Duplicated)
	}
	in := res.Ingest
	if in == nil {
		t.Fatalf("no ingest figures in %+v", res)
	}
	// 400 a second is below a full batch every 250 ms: 100 posts every 250 ms.
	if in.BatchSize != 100 || in.BatchEveryMS != 250 || in.Batches != 8 || in.PostsSent != 800 || in.FailedBatches != 0 {
		t.Errorf("ingest %+v; want 8 batches of 100 posts every 250 ms, all accepted", *in)
	}
	if in.MatchesStored != in.PostsSent {
		t.Errorf("%d matches stored for %d posts sent; want each post stored once", in.MatchesStored, in.PostsSent)
	}
	if in.TwoTopicPosts == 0 || in.TwoTopicPosts > in.PostsSent/2 || in.TopicLinksStored != in.PostsSent+in.TwoTopicPosts {
		t.Errorf("%d topic links stored for %d posts of which %d match two topics; want each post with exactly the topics it was made to match",
			in.TopicLinksStored, in.PostsSent, in.TwoTopicPosts)
	}
	if in.Positive == 0 || in.Neutral == 0 || in.Negative == 0 || in.Positive+in.Neutral+in.Negative != in.MatchesStored {
		t.Errorf("sentiments %d / %d / %d of %d matches; want every tone present and every match given one",
			in.Positive, in.Neutral, in.Negative, in.MatchesStored)
	}
	if in.Topics != len(ingestTopics) || in.AchievedPerS <= 0 || in.AcceptMaxMS <= 0 {
		t.Errorf("ingest %+v; want the topics, a rate and latencies reported", *in)
	}
}

func TestIngestPlan(t *testing.T) {
	tests := []struct {
		rate, size int
		every      time.Duration
	}{
		{2000, 200, 100 * time.Millisecond},
		{4000, 200, 50 * time.Millisecond},
		{800, 200, 250 * time.Millisecond},
		{400, 100, 250 * time.Millisecond},
		{1, 1, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		if size, every := ingestPlan(tt.rate); size != tt.size || every != tt.every {
			t.Errorf("ingestPlan(%d) = %d every %s, want %d every %s", tt.rate, size, every, tt.size, tt.every)
		}
	}
}

// mustRun runs cfg. It checks correctness, not speed: on a loaded
// machine (or under -race) storing the posts may not fit in a short
// lead, so it retries with a longer one rather than fail.
func mustRun(t *testing.T, cfg Config) Result {
	t.Helper()
	res, err := Run(t.Context(), cfg)
	for try := 0; try < 3; try++ {
		var short *LeadTooShortError
		if !errors.As(err, &short) {
			break
		}
		t.Logf("%v; retrying with a lead of %s", err, 2*cfg.Lead)
		cfg.Lead *= 2
		res, err = Run(t.Context(), cfg)
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		fields []string
	}{
		{"defaults", Config{}, nil},
		{"postgres", Config{DB: DBPostgres, DatabaseURL: "postgres://x@localhost/db"}, nil},
		{"unknown db", Config{DB: "mysql"}, []string{"db"}},
		{"postgres without url", Config{DB: DBPostgres}, []string{"database_url"}},
		{"sqlite with url", Config{DatabaseURL: "postgres://x@localhost/db"}, []string{"database_url"}},
		{"two instances on sqlite", Config{Instances: 2}, []string{"instances"}},
		{"negative instances", Config{DB: DBPostgres, DatabaseURL: "postgres://x@localhost/db", Instances: -1}, []string{"instances"}},
		{"two instances idle", Config{DB: DBPostgres, DatabaseURL: "postgres://x@localhost/db", Instances: 2, MeasureIdleRSS: true}, []string{"instances"}},
		{"negatives", Config{Posts: -1, Window: -time.Second, Latency: -1, Accounts: -2, Concurrency: -3, MaxWait: -1},
			[]string{"posts", "window", "latency", "accounts", "concurrency", "max_wait"}},
		{"short lead", Config{Lead: 500 * time.Millisecond}, []string{"lead"}},
		{"negative lead", Config{Lead: -time.Second}, []string{"lead"}},
		{"negative redirects", Config{Redirects: -1}, []string{"redirects"}},
		{"redirects idle", Config{Redirects: 10, MeasureIdleRSS: true}, []string{"redirects"}},
		{"negative ingest", Config{Ingest: -1}, []string{"ingest"}},
		{"ingest idle", Config{Ingest: 10, MeasureIdleRSS: true}, []string{"ingest"}},
		{"unknown platform", Config{Platforms: []herald.Platform{"myspace"}}, []string{"platforms"}},
		{"mixed and external", Config{Platforms: MixablePlatforms, PlatformURL: "http://127.0.0.1:8181"}, []string{"platforms"}},
		{"fewer accounts than platforms", Config{Platforms: MixablePlatforms, Accounts: 2}, []string{"accounts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
				t.Fatalf("Validate = %v, want an invalid herald.Error", err)
			}
			got := map[string]bool{}
			for _, d := range he.Details {
				got[d.Field] = true
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("no problem reported for %s in %+v", f, he.Details)
				}
			}
			if len(he.Details) != len(tt.fields) {
				t.Errorf("problems %+v, want exactly %v", he.Details, tt.fields)
			}
		})
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		want spread
	}{
		{"empty", nil, spread{}},
		{"one", ms(7), spread{7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond}},
		{"hundred reversed", func() []time.Duration {
			v := make([]int, 100)
			for i := range v {
				v[i] = 100 - i
			}
			return ms(v...)
		}(), spread{50 * time.Millisecond, 95 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentiles(tt.in); got != tt.want {
				t.Errorf("percentiles = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	first := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := schedule{installation: "0123456789abcdef", ids: []int64{1, 2, 3}, dues: []time.Time{first, first.Add(time.Second), first.Add(2 * time.Second)}}
	led := ledgerView{
		received: map[string]time.Time{
			partKey(s.installation, 1): first.Add(10 * time.Millisecond),
			partKey(s.installation, 3): first.Add(2*time.Second + 30*time.Millisecond),
		},
		duplicates: map[string]int{partKey(s.installation, 3): 2},
	}
	var res Result
	measure(&res, s, led)
	if res.Lost != 1 || res.Duplicated != 1 {
		t.Errorf("lost %d, duplicated %d; want 1 and 1", res.Lost, res.Duplicated)
	}
	if res.P50MS != 10 || res.MaxMS != 30 {
		t.Errorf("p50 %v ms, max %v ms; want 10 and 30", res.P50MS, res.MaxMS)
	}
	if res.ThroughputPerS != 1 { // 2 posts over 2.02 s
		t.Errorf("throughput %v, want 1", res.ThroughputPerS)
	}
	if got := dueAt(first, 2*time.Second, 1, 3); !got.Equal(first.Add(time.Second)) {
		t.Errorf("dueAt(1 of 3) = %v, want the middle of the window", got)
	}
	if got := s.lastDue(); !got.Equal(first.Add(2 * time.Second)) {
		t.Errorf("lastDue = %v, want the end of the window", got)
	}
}
