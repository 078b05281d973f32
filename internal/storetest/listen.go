package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustTopic(t *testing.T, s herald.Tx, workspaceID int64, name string) herald.ListenTopic {
	t.Helper()
	tp := herald.ListenTopic{WorkspaceID: workspaceID, Name: name, Rules: herald.TopicRule{Any: []string{name}}, CreatedAt: at(0)}
	noErr(t, s.CreateListenTopic(t.Context(), &tp), "CreateListenTopic "+name)
	return tp
}

func listenMatch(ws int64, remote, author, sentiment string, posted time.Time, topics ...int64) herald.ListenMatch {
	m := herald.ListenMatch{WorkspaceID: ws, Platform: herald.PlatformBluesky, RemoteID: remote, AuthorID: author,
		AuthorHandle: author + ".test", AuthorFollowers: -1, Text: "text of " + remote, Sentiment: sentiment,
		PostedAt: posted, SeenAt: posted.Add(time.Second)}
	for _, id := range topics {
		m.Topics = append(m.Topics, herald.TopicHit{TopicID: id, Terms: []string{fmt.Sprint("term", id)}})
	}
	return m
}

func matchRemotes(ms []herald.ListenMatch) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.RemoteID
	}
	return out
}

// listenTests check listening topics, their matches (stored once, topics
// merged), the rollups the pages read, retention and sources' cursors.
func listenTests() []test {
	return append([]test{
		{"Topics", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			a := herald.ListenTopic{WorkspaceID: w.ID, Name: "Brand", CreatedBy: 7, CreatedAt: at(time.Minute),
				Rules: herald.TopicRule{Any: []string{"acme", "acme corp"}, None: []string{"job"}, Hashtags: []string{"acme"},
					Accounts: []string{"acme.bsky.social"}, Languages: []string{"en"}, StrictLanguage: true}}
			noErr(t, s.CreateListenTopic(ctx, &a), "CreateListenTopic")
			if a.ID == 0 {
				t.Fatal("no id")
			}
			got, err := s.GetListenTopic(ctx, w.ID, a.ID)
			noErr(t, err, "GetListenTopic")
			same(t, "topic", got, a)
			_, err = s.GetListenTopic(ctx, other.ID, a.ID)
			wantNotFound(t, err, "GetListenTopic of another workspace")
			dup := herald.ListenTopic{WorkspaceID: w.ID, Name: "BRAND", Rules: herald.TopicRule{Any: []string{"x"}}}
			wantConflict(t, s.CreateListenTopic(ctx, &dup), "a second topic named BRAND")
			b := mustTopic(t, s, w.ID, "another")
			mustTopic(t, s, other.ID, "brand") // names are per workspace
			list, err := s.ListListenTopics(ctx, w.ID)
			noErr(t, err, "ListListenTopics")
			if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
				t.Fatalf("topics by name: %+v", list)
			}
			b.Paused, b.Name, b.UpdatedAt = true, "Another one", at(time.Hour)
			noErr(t, s.UpdateListenTopic(ctx, &b), "UpdateListenTopic")
			got, _ = s.GetListenTopic(ctx, w.ID, b.ID)
			same(t, "updated topic", got, b)
			b.Name = "brand"
			wantConflict(t, s.UpdateListenTopic(ctx, &b), "renaming onto another topic")
			active, err := s.ActiveListenTopics(ctx)
			noErr(t, err, "ActiveListenTopics")
			for _, tp := range active {
				if tp.ID == b.ID {
					t.Fatal("a paused topic is active")
				}
			}
			if !slices.ContainsFunc(active, func(tp herald.ListenTopic) bool { return tp.ID == a.ID }) {
				t.Fatal("an active topic is missing")
			}
			wantNotFound(t, s.DeleteListenTopic(ctx, other.ID, a.ID), "DeleteListenTopic of another workspace")
			noErr(t, s.DeleteListenTopic(ctx, w.ID, a.ID), "DeleteListenTopic")
			_, err = s.GetListenTopic(ctx, w.ID, a.ID)
			wantNotFound(t, err, "GetListenTopic after the delete")
			ghost := herald.ListenTopic{ID: a.ID, WorkspaceID: w.ID, Name: "ghost"}
			wantNotFound(t, s.UpdateListenTopic(ctx, &ghost), "UpdateListenTopic of a deleted topic")
		}},
		{"MatchesOnceTopicsMerged", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			t1, t2 := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, w.ID, "two")
			foreign := mustTopic(t, s, other.ID, "foreign")
			base := at(48 * time.Hour).Truncate(time.Hour)
			m := listenMatch(w.ID, "at://a/1", "did:a", "negative", base.Add(10*time.Minute), t1.ID)
			m.AuthorFollowers, m.Language, m.Score, m.URL, m.CID, m.ReplyTo = 1200, "en", -0.6, "https://bsky.app/x", "bafy", "at://b/0"
			n, err := s.AddListenMatches(ctx, []herald.ListenMatch{m})
			noErr(t, err, "AddListenMatches")
			if n != 1 {
				t.Fatalf("added %d, want 1", n)
			}
			// The same post again, now matching both topics and a foreign
			// one: one match, two topics, counted once.
			again := m
			again.Topics = []herald.TopicHit{{TopicID: t2.ID, Terms: []string{"two"}}, {TopicID: t1.ID}, {TopicID: foreign.ID}}
			n, err = s.AddListenMatches(ctx, []herald.ListenMatch{again, again})
			noErr(t, err, "AddListenMatches again")
			if n != 0 {
				t.Fatalf("added %d on the second call, want 0", n)
			}
			// The same remote id in another workspace is another match; a
			// match naming only topics not of its workspace is not stored.
			o := listenMatch(other.ID, "at://a/1", "did:a", "neutral", base, foreign.ID)
			lost := listenMatch(other.ID, "at://a/2", "did:a", "neutral", base, t1.ID)
			n, err = s.AddListenMatches(ctx, []herald.ListenMatch{o, lost})
			noErr(t, err, "AddListenMatches other workspace")
			if n != 1 {
				t.Fatalf("added %d in the other workspace, want 1", n)
			}
			ms, next, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListListenMatches")
			if len(ms) != 1 || next != "" {
				t.Fatalf("matches: %+v next %q", ms, next)
			}
			got := ms[0]
			if got.ID == 0 || got.AuthorFollowers != 1200 || got.Language != "en" || got.Score != -0.6 || got.URL != m.URL ||
				got.CID != "bafy" || got.ReplyTo != "at://b/0" || got.Sentiment != "negative" || got.AuthorHandle != "did:a.test" {
				t.Fatalf("match read back: %+v", got)
			}
			wantTime(t, "PostedAt", got.PostedAt, m.PostedAt)
			wantTime(t, "SeenAt", got.SeenAt, m.SeenAt)
			if len(got.Topics) != 2 || got.Topics[0].TopicID != min(t1.ID, t2.ID) || got.Topics[1].TopicID != max(t1.ID, t2.ID) {
				t.Fatalf("topics: %+v", got.Topics)
			}
			for _, h := range got.Topics {
				want := []string{"term" + fmt.Sprint(t1.ID)}
				if h.TopicID == t2.ID {
					want = []string{"two"}
				}
				if !slices.Equal(h.Terms, want) {
					t.Fatalf("topic %d terms %v, want %v", h.TopicID, h.Terms, want)
				}
			}
			one, err := s.GetListenMatch(ctx, w.ID, got.ID)
			noErr(t, err, "GetListenMatch")
			same(t, "GetListenMatch", one, got)
			_, err = s.GetListenMatch(ctx, other.ID, got.ID)
			wantNotFound(t, err, "GetListenMatch of another workspace")
			for _, topic := range []int64{0, t1.ID, t2.ID} {
				v, err := s.ListenVolume(ctx, w.ID, topic, base, base.Add(24*time.Hour))
				noErr(t, err, "ListenVolume")
				if len(v) != 1 || v[0].Negative != 1 || v[0].Total() != 1 || !v[0].Hour.Equal(base) {
					t.Fatalf("topic %d volume: %+v", topic, v)
				}
			}
		}},
		{"BadMatchesStoreNothing", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			tp := mustTopic(t, s, w.ID, "x")
			good := listenMatch(w.ID, "at://a/1", "did:a", "neutral", at(0), tp.ID)
			bad := listenMatch(w.ID, "at://a/2", "did:a", "angry", at(0), tp.ID)
			_, err := s.AddListenMatches(ctx, []herald.ListenMatch{good, bad})
			wantIs(t, err, herald.ErrInvalid, "a match with an unknown sentiment")
			ms, _, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListListenMatches")
			if len(ms) != 0 {
				t.Fatalf("a refused batch stored %d matches", len(ms))
			}
		}},
		{"ListFiltersAndPages", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			t1, t2 := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, w.ID, "two")
			base := at(0)
			var batch []herald.ListenMatch
			for i := range 25 {
				sent := []string{"positive", "neutral", "negative"}[i%3]
				topics := []int64{t1.ID}
				if i%2 == 0 {
					topics = append(topics, t2.ID)
				}
				m := listenMatch(w.ID, fmt.Sprintf("at://x/%02d", i), fmt.Sprint("did:", i%4), sent, base.Add(time.Duration(i/2)*time.Minute), topics...)
				if i == 7 {
					m.Text = "The Needle in 100% hay"
					m.Language = "fr"
				}
				batch = append(batch, m)
			}
			_, err := s.AddListenMatches(ctx, batch)
			noErr(t, err, "AddListenMatches")
			// Newest first by posting time, then id; walking pages of 4 gives
			// each once.
			all := walk(t, "matches", 4, func(p herald.Page) ([]herald.ListenMatch, string, error) {
				return s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID, Page: p})
			})
			if len(all) != 25 {
				t.Fatalf("walked %d matches, want 25", len(all))
			}
			for i := 1; i < len(all); i++ {
				a, b := all[i-1], all[i]
				if a.PostedAt.Before(b.PostedAt) || (a.PostedAt.Equal(b.PostedAt) && a.ID < b.ID) {
					t.Fatalf("out of order at %d: %v/%d then %v/%d", i, a.PostedAt, a.ID, b.PostedAt, b.ID)
				}
			}
			topic2 := walk(t, "topic two", 3, func(p herald.Page) ([]herald.ListenMatch, string, error) {
				return s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID, TopicID: t2.ID, Page: p})
			})
			if len(topic2) != 13 {
				t.Fatalf("topic two has %d matches, want 13", len(topic2))
			}
			for _, f := range []struct {
				name string
				f    herald.ListenFilter
				want int
			}{
				{"negative", herald.ListenFilter{Sentiment: "negative"}, 8},
				{"negative of topic two", herald.ListenFilter{Sentiment: "negative", TopicID: t2.ID}, 4},
				{"language", herald.ListenFilter{Language: "fr"}, 1},
				{"author", herald.ListenFilter{AuthorID: "did:1"}, 6},
				{"query folds case", herald.ListenFilter{Query: "needle IN 100%"}, 1},
				{"query percent is literal", herald.ListenFilter{Query: "0%"}, 1},
				{"from", herald.ListenFilter{From: base.Add(10 * time.Minute)}, 5},
				{"to", herald.ListenFilter{To: base.Add(time.Minute)}, 2},
				{"from-to of topic one", herald.ListenFilter{TopicID: t1.ID, From: base.Add(time.Minute), To: base.Add(3 * time.Minute)}, 4},
			} {
				f.f.WorkspaceID = w.ID
				f.f.Limit = 100
				got, _, err := s.ListListenMatches(ctx, f.f)
				noErr(t, err, f.name)
				if len(got) != f.want {
					t.Errorf("%s: %d matches %v, want %d", f.name, len(got), matchRemotes(got), f.want)
				}
			}
			for _, c := range garbageCursors() {
				_, _, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID, Page: herald.Page{Cursor: c}})
				wantBadCursor(t, err, "cursor "+c)
			}
		}},
		{"VolumeAndAuthors", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			t1, t2 := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, w.ID, "two")
			day := at(72 * time.Hour).Truncate(24 * time.Hour)
			ms := []herald.ListenMatch{
				listenMatch(w.ID, "r1", "did:a", "negative", day.Add(time.Hour+time.Minute), t1.ID, t2.ID),
				listenMatch(w.ID, "r2", "did:a", "positive", day.Add(time.Hour+30*time.Minute), t1.ID),
				listenMatch(w.ID, "r3", "did:b", "neutral", day.Add(3*time.Hour), t2.ID),
				listenMatch(w.ID, "r4", "did:a", "negative", day.Add(25*time.Hour), t1.ID),
				listenMatch(w.ID, "r5", "did:c", "negative", day.Add(26*time.Hour), t1.ID),
			}
			ms[0].AuthorFollowers, ms[3].AuthorFollowers = 10, 12
			// Two batches: rollups add up across calls.
			_, err := s.AddListenMatches(ctx, ms[:2])
			noErr(t, err, "AddListenMatches")
			_, err = s.AddListenMatches(ctx, ms[2:])
			noErr(t, err, "AddListenMatches")
			v, err := s.ListenVolume(ctx, w.ID, 0, day, day.Add(48*time.Hour))
			noErr(t, err, "ListenVolume")
			want := []herald.ListenVolume{
				{Hour: day.Add(time.Hour), Positive: 1, Negative: 1},
				{Hour: day.Add(3 * time.Hour), Neutral: 1},
				{Hour: day.Add(25 * time.Hour), Negative: 1},
				{Hour: day.Add(26 * time.Hour), Negative: 1},
			}
			same(t, "workspace volume", v, want)
			v, err = s.ListenVolume(ctx, w.ID, t2.ID, day.Add(90*time.Minute), day.Add(3*time.Hour))
			noErr(t, err, "ListenVolume topic two")
			same(t, "topic two from within the hour to a bound", v, []herald.ListenVolume{{Hour: day.Add(time.Hour), Negative: 1}})
			authors, err := s.TopListenAuthors(ctx, w.ID, t1.ID, day, day.Add(48*time.Hour), 2)
			noErr(t, err, "TopListenAuthors")
			same(t, "topic one authors", authors, []herald.ListenAuthor{
				{AuthorID: "did:a", Platform: herald.PlatformBluesky, AuthorHandle: "did:a.test", AuthorFollowers: 12, Matches: 3, Negative: 2},
				{AuthorID: "did:c", Platform: herald.PlatformBluesky, AuthorHandle: "did:c.test", AuthorFollowers: -1, Matches: 1, Negative: 1},
			})
			authors, err = s.TopListenAuthors(ctx, w.ID, 0, day.Add(24*time.Hour), day.Add(48*time.Hour), 10)
			noErr(t, err, "TopListenAuthors second day")
			if len(authors) != 2 || authors[0].Matches != 1 {
				t.Fatalf("second day's authors: %+v", authors)
			}
			// Deleting topic two takes r3 (only it matched) out of the
			// workspace's figures; r1 stays with topic one.
			noErr(t, s.DeleteListenTopic(ctx, w.ID, t2.ID), "DeleteListenTopic")
			v, err = s.ListenVolume(ctx, w.ID, 0, day, day.Add(24*time.Hour))
			noErr(t, err, "ListenVolume after the delete")
			same(t, "volume after deleting topic two", v, []herald.ListenVolume{{Hour: day.Add(time.Hour), Positive: 1, Negative: 1}})
			left, _, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListListenMatches after the delete")
			if !slices.Equal(matchRemotes(left), []string{"r5", "r4", "r2", "r1"}) {
				t.Fatalf("matches after deleting topic two: %v", matchRemotes(left))
			}
			authors, err = s.TopListenAuthors(ctx, w.ID, 0, day, day.Add(24*time.Hour), 10)
			noErr(t, err, "TopListenAuthors after the delete")
			if len(authors) != 1 || authors[0].AuthorID != "did:a" {
				t.Fatalf("authors after the delete: %+v", authors)
			}
		}},
		{"Retention", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			tp, ot := mustTopic(t, s, w.ID, "x"), mustTopic(t, s, other.ID, "x")
			day := at(0).Truncate(24 * time.Hour)
			var batch []herald.ListenMatch
			for i := range 5 {
				batch = append(batch, listenMatch(w.ID, fmt.Sprint("r", i), "did:a", "neutral", day.Add(time.Duration(i)*24*time.Hour), tp.ID))
			}
			batch = append(batch, listenMatch(other.ID, "o", "did:a", "neutral", day, ot.ID))
			_, err := s.AddListenMatches(ctx, batch)
			noErr(t, err, "AddListenMatches")
			cut := day.Add(3 * 24 * time.Hour)
			n, err := s.DeleteListenMatchesBefore(ctx, w.ID, cut, 2)
			noErr(t, err, "DeleteListenMatchesBefore")
			if n != 2 {
				t.Fatalf("deleted %d, want 2 (the limit)", n)
			}
			n, err = s.DeleteListenMatchesBefore(ctx, w.ID, cut, 2)
			noErr(t, err, "DeleteListenMatchesBefore again")
			if n != 1 {
				t.Fatalf("deleted %d, want 1", n)
			}
			left, _, _ := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			if !slices.Equal(matchRemotes(left), []string{"r4", "r3"}) {
				t.Fatalf("left: %v", matchRemotes(left))
			}
			v, _ := s.ListenVolume(ctx, w.ID, tp.ID, day, day.Add(10*24*time.Hour))
			if len(v) != 2 || !v[0].Hour.Equal(cut) {
				t.Fatalf("volume after retention: %+v", v)
			}
			a, _ := s.TopListenAuthors(ctx, w.ID, 0, day, day.Add(10*24*time.Hour), 10)
			if len(a) != 1 || a[0].Matches != 2 {
				t.Fatalf("authors after retention: %+v", a)
			}
			wss, err := s.ListenWorkspaces(ctx)
			noErr(t, err, "ListenWorkspaces")
			if !slices.Contains(wss, w.ID) || !slices.Contains(wss, other.ID) {
				t.Fatalf("ListenWorkspaces %v lacks %d or %d", wss, w.ID, other.ID)
			}
			o, _, _ := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: other.ID})
			if len(o) != 1 {
				t.Fatal("retention of one workspace deleted another's match")
			}
		}},
		{"Cursors", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			src := "bluesky-firehose:" + unique()
			c, err := s.ListenCursor(ctx, src)
			noErr(t, err, "ListenCursor")
			if c != "" {
				t.Fatalf("a new source's cursor is %q", c)
			}
			noErr(t, s.PutListenCursor(ctx, src, "42", at(0)), "PutListenCursor")
			noErr(t, s.PutListenCursor(ctx, src, "43", at(time.Second)), "PutListenCursor again")
			c, err = s.ListenCursor(ctx, src)
			noErr(t, err, "ListenCursor")
			if c != "43" {
				t.Fatalf("cursor %q, want 43", c)
			}
		}},
		{"GoWithTheWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			tp := mustTopic(t, s, w.ID, "x")
			_, err := s.AddListenMatches(ctx, []herald.ListenMatch{listenMatch(w.ID, "r", "did:a", "neutral", at(0), tp.ID)})
			noErr(t, err, "AddListenMatches")
			noErr(t, s.DeleteWorkspace(ctx, w.ID), "DeleteWorkspace")
			ms, _, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListListenMatches")
			if len(ms) != 0 {
				t.Fatal("matches outlived their workspace")
			}
		}},
	}, append(listenTermsTests(), listenSettingsTests()...)...)
}
