package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func dueTopics(t *testing.T, s herald.Store, workspaceID int64, staleBefore time.Time) []herald.ListenTermsDue {
	t.Helper()
	due, err := s.DueListenTerms(t.Context(), workspaceID, staleBefore)
	noErr(t, err, "DueListenTerms")
	return due
}

// listenTermsTests check the stored computations of the topics' pages: one
// per topic kept as given, never replaced by an older one, gone with the
// topic, and which topics are due a new one.
func listenTermsTests() []test {
	return []test{
		{"TermsStored", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			tp, foreign := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, other.ID, "two")
			_, err := s.ListenTerms(ctx, w.ID, tp.ID)
			wantNotFound(t, err, "ListenTerms never computed")
			put := func(topic, last int64, computed time.Time, data string) {
				t.Helper()
				noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: topic, LastMatchID: last,
					ComputedAt: computed, Data: []byte(data)}), "PutListenTerms")
			}
			get := func(topic int64) herald.ListenTerms {
				t.Helper()
				got, err := s.ListenTerms(ctx, w.ID, topic)
				noErr(t, err, "ListenTerms")
				return got
			}
			put(tp.ID, 7, at(time.Hour), `{"rising":{"Terms":[]},"terms":[{"term":"x","matches":2}]}`)
			put(0, 9, at(time.Hour), `{"every":true}`)
			got := get(tp.ID)
			if got.WorkspaceID != w.ID || got.TopicID != tp.ID || got.LastMatchID != 7 ||
				string(got.Data) != `{"rising":{"Terms":[]},"terms":[{"term":"x","matches":2}]}` {
				t.Fatalf("terms read back: %+v (%s)", got, got.Data)
			}
			wantTime(t, "ComputedAt", got.ComputedAt, at(time.Hour))
			if every := get(0); every.LastMatchID != 9 || string(every.Data) != `{"every":true}` {
				t.Fatalf("every topic's terms: %+v (%s)", every, every.Data)
			}
			// A slower computation that began earlier does not replace a
			// later one; a later one replaces it.
			put(tp.ID, 5, at(30*time.Minute), `{"old":true}`)
			if got := get(tp.ID); got.LastMatchID != 7 || string(got.Data) != `{"rising":{"Terms":[]},"terms":[{"term":"x","matches":2}]}` {
				t.Fatalf("an older computation replaced a newer one: %+v (%s)", got, got.Data)
			}
			put(tp.ID, 8, at(2*time.Hour), `{"new":true}`)
			if got := get(tp.ID); got.LastMatchID != 8 || string(got.Data) != `{"new":true}` || !got.ComputedAt.Equal(at(2*time.Hour)) {
				t.Fatalf("a newer computation was not kept: %+v (%s)", got, got.Data)
			}
			// Another workspace's topic is not kept, nor seen from it.
			noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: foreign.ID, ComputedAt: at(0),
				Data: []byte(`{}`)}), "PutListenTerms of another workspace's topic")
			_, err = s.ListenTerms(ctx, w.ID, foreign.ID)
			wantNotFound(t, err, "terms of another workspace's topic")
			_, err = s.ListenTerms(ctx, other.ID, tp.ID)
			wantNotFound(t, err, "terms read from another workspace")
			// They go with the topic, and every topic's with the workspace.
			noErr(t, s.DeleteListenTopic(ctx, w.ID, tp.ID), "DeleteListenTopic")
			_, err = s.ListenTerms(ctx, w.ID, tp.ID)
			wantNotFound(t, err, "terms of a deleted topic")
			noErr(t, s.DeleteWorkspace(ctx, w.ID), "DeleteWorkspace")
			_, err = s.ListenTerms(ctx, w.ID, 0)
			wantNotFound(t, err, "terms of a deleted workspace")
		}},
		{"TermsDue", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			t1, t2 := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, w.ID, "two")
			mustTopic(t, s, other.ID, "one")
			lo, hi := min(t1.ID, t2.ID), max(t1.ID, t2.ID)
			// Never computed: every topic and each, without matches.
			same(t, "due before anything", dueTopics(t, s, w.ID, at(0)),
				[]herald.ListenTermsDue{{TopicID: 0}, {TopicID: lo}, {TopicID: hi}})
			ms := []herald.ListenMatch{
				listenMatch(w.ID, "r1", "did:a", "neutral", at(time.Minute), t1.ID),
				listenMatch(w.ID, "r2", "did:a", "neutral", at(2*time.Minute), t1.ID, t2.ID),
				listenMatch(w.ID, "r3", "did:a", "neutral", at(3*time.Minute), t1.ID),
			}
			_, err := s.AddListenMatches(ctx, ms)
			noErr(t, err, "AddListenMatches")
			stored, _, err := s.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListListenMatches")
			ids := map[string]int64{}
			for _, m := range stored {
				ids[m.RemoteID] = m.ID
			}
			heads := map[int64]int64{0: ids["r3"], t1.ID: ids["r3"], t2.ID: ids["r2"]}
			due := dueTopics(t, s, w.ID, at(0))
			if len(due) != 3 {
				t.Fatalf("due %+v, want the three", due)
			}
			for _, d := range due {
				if d.LastMatchID != heads[d.TopicID] {
					t.Fatalf("topic %d's newest match %d, want %d", d.TopicID, d.LastMatchID, heads[d.TopicID])
				}
			}
			computed := at(time.Hour)
			for topic, head := range heads {
				noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: topic, LastMatchID: head,
					ComputedAt: computed, Data: []byte(`{}`)}), "PutListenTerms")
			}
			if due := dueTopics(t, s, w.ID, computed.Add(-time.Minute)); len(due) != 0 {
				t.Fatalf("due right after computing: %+v", due)
			}
			if due := dueTopics(t, s, other.ID, at(0)); len(due) != 2 {
				t.Fatalf("another workspace's due %+v, want its topic and every topic", due)
			}
			// A new match of topic two makes it and every topic due; a
			// change of topic one's rules makes it due.
			_, err = s.AddListenMatches(ctx, []herald.ListenMatch{listenMatch(w.ID, "r4", "did:b", "neutral", at(0), t2.ID)})
			noErr(t, err, "AddListenMatches")
			t1.UpdatedAt = computed.Add(time.Second)
			noErr(t, s.UpdateListenTopic(ctx, &t1), "UpdateListenTopic")
			got := dueTopics(t, s, w.ID, computed.Add(-time.Minute))
			var topics []int64
			for _, d := range got {
				topics = append(topics, d.TopicID)
			}
			want := []int64{0, lo, hi}
			if !slices.Equal(topics, want) {
				t.Fatalf("due %v, want %v", topics, want)
			}
			if got[0].LastMatchID <= heads[0] || got[0].LastMatchID != got[slices.Index(topics, t2.ID)].LastMatchID {
				t.Fatalf("the new match is not the newest: %+v", got)
			}
			// Stale: everything computed before the bound, the longest ago
			// first.
			noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: t2.ID, LastMatchID: got[0].LastMatchID,
				ComputedAt: computed.Add(time.Minute), Data: []byte(`{}`)}), "PutListenTerms")
			noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: 0, LastMatchID: got[0].LastMatchID,
				ComputedAt: computed.Add(2 * time.Minute), Data: []byte(`{}`)}), "PutListenTerms")
			noErr(t, s.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: w.ID, TopicID: t1.ID, LastMatchID: heads[t1.ID],
				ComputedAt: computed.Add(3 * time.Minute), Data: []byte(`{}`)}), "PutListenTerms")
			if due := dueTopics(t, s, w.ID, computed); len(due) != 0 {
				t.Fatalf("due after computing again: %+v", due)
			}
			same(t, "all stale, oldest first", dueTopics(t, s, w.ID, computed.Add(time.Hour)), []herald.ListenTermsDue{
				{TopicID: t2.ID, LastMatchID: got[0].LastMatchID}, {TopicID: 0, LastMatchID: got[0].LastMatchID},
				{TopicID: t1.ID, LastMatchID: heads[t1.ID]}})
		}},
	}
}
