package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// crisisTests check detectors with their state, the counts they read and
// incidents with their timeline.
func crisisTests() []test {
	return []test{
		{"Detectors", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			tp := mustTopic(t, s, w.ID, "brand")
			d := herald.Detector{WorkspaceID: w.ID, Name: "Negative spike", Kind: herald.DetectSpike, TopicID: tp.ID,
				Sentiment: "negative", Window: 15 * time.Minute, Baseline: 24 * time.Hour, Multiple: 3, MinCount: 20,
				Hold: herald.HoldPropose, Enabled: true, CreatedBy: 4, CreatedAt: at(0)}
			noErr(t, s.CreateDetector(ctx, &d), "CreateDetector")
			got, err := s.GetDetector(ctx, w.ID, d.ID)
			noErr(t, err, "GetDetector")
			d.Phrases = []string{}
			same(t, "detector", got, d)
			_, err = s.GetDetector(ctx, other.ID, d.ID)
			wantNotFound(t, err, "GetDetector of another workspace")
			dup := d
			dup.Name = "NEGATIVE SPIKE"
			wantConflict(t, s.CreateDetector(ctx, &dup), "a second detector of that name")
			p := herald.Detector{WorkspaceID: w.ID, Name: "Recall", Kind: herald.DetectPhrase, Window: time.Hour,
				Phrases: []string{"recall", "data breach"}, Hold: herald.HoldAuto, CreatedAt: at(0)}
			noErr(t, s.CreateDetector(ctx, &p), "CreateDetector phrase")
			list, err := s.ListDetectors(ctx, w.ID)
			noErr(t, err, "ListDetectors")
			if len(list) != 2 || list[0].ID != d.ID || !slices.Equal(list[1].Phrases, p.Phrases) {
				t.Fatalf("detectors %+v", list)
			}
			enabled, err := s.EnabledDetectors(ctx)
			noErr(t, err, "EnabledDetectors")
			if !slices.ContainsFunc(enabled, func(e herald.Detector) bool { return e.ID == d.ID }) ||
				slices.ContainsFunc(enabled, func(e herald.Detector) bool { return e.ID == p.ID }) {
				t.Fatal("EnabledDetectors: wrong set")
			}
			fired, checked := at(time.Hour), at(2*time.Hour)
			d.FiredAt, d.CheckedAt = &fired, &checked
			noErr(t, s.SetDetectorState(ctx, d), "SetDetectorState")
			d.Name, d.MinCount, d.UpdatedAt = "Spike", 30, at(3*time.Hour)
			noErr(t, s.UpdateDetector(ctx, &d), "UpdateDetector")
			got, _ = s.GetDetector(ctx, w.ID, d.ID)
			same(t, "detector after state and update", got, d)
			wantNotFound(t, s.DeleteDetector(ctx, other.ID, d.ID), "DeleteDetector of another workspace")
			noErr(t, s.DeleteDetector(ctx, w.ID, d.ID), "DeleteDetector")
			wantNotFound(t, s.DeleteDetector(ctx, w.ID, d.ID), "DeleteDetector again")
		}},
		{"CountsAndReplies", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			t1, t2 := mustTopic(t, s, w.ID, "one"), mustTopic(t, s, w.ID, "two")
			start := at(0).Truncate(time.Minute)
			var ms []herald.ListenMatch
			for i := range 10 {
				sent := "negative"
				if i%2 == 1 {
					sent = "neutral"
				}
				m := listenMatch(w.ID, fmt.Sprint("r", i), "did:a", sent, start.Add(time.Duration(i)*30*time.Second), t1.ID)
				if i >= 6 {
					m.Topics = append(m.Topics, herald.TopicHit{TopicID: t2.ID})
					m.ReplyTo = "at://post/1"
				}
				ms = append(ms, m)
			}
			_, err := s.AddListenMatches(ctx, ms)
			noErr(t, err, "AddListenMatches")
			c, err := s.ListenCounts(ctx, w.ID, 0, "", start, start.Add(6*time.Minute), time.Minute)
			noErr(t, err, "ListenCounts")
			same(t, "counts per minute", c, []int{2, 2, 2, 2, 2, 0})
			c, err = s.ListenCounts(ctx, w.ID, 0, "negative", start.Add(time.Minute), start.Add(4*time.Minute), time.Minute)
			noErr(t, err, "ListenCounts negative")
			same(t, "negative per minute from minute 1", c, []int{1, 1, 1})
			c, err = s.ListenCounts(ctx, w.ID, t2.ID, "", start, start.Add(5*time.Minute), 2*time.Minute)
			noErr(t, err, "ListenCounts topic two")
			same(t, "topic two per two minutes", c, []int{0, 2, 2})
			r, err := s.ListenReplies(ctx, w.ID, 0, start, start.Add(time.Hour))
			noErr(t, err, "ListenReplies")
			if len(r) != 1 || len(r["at://post/1"]) != 4 {
				t.Fatalf("replies %+v", r)
			}
			r, _ = s.ListenReplies(ctx, w.ID, t2.ID, start, start.Add(4*time.Minute))
			if len(r["at://post/1"]) != 2 {
				t.Fatalf("replies of topic two before minute 4: %+v", r)
			}
		}},
		{"Incidents", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			in := herald.Incident{WorkspaceID: w.ID, Title: "Negative spike", Status: herald.IncidentOpen, Why: "64 negative",
				Evidence: []int64{3, 4}, HoldProposed: true, OpenedAt: at(0)}
			events := []herald.IncidentEvent{{Kind: herald.EventDetected, Message: "detected", At: at(0)},
				{Kind: herald.EventAlerted, Message: "alerted", At: at(0)}}
			noErr(t, s.CreateIncident(ctx, &in, events), "CreateIncident")
			drill := herald.Incident{WorkspaceID: w.ID, Title: "Drill", Status: herald.IncidentResolved, Drill: true, OpenedAt: at(time.Hour)}
			noErr(t, s.CreateIncident(ctx, &drill, nil), "CreateIncident drill")
			got, err := s.GetIncident(ctx, w.ID, in.ID)
			noErr(t, err, "GetIncident")
			same(t, "incident", got, in)
			_, err = s.GetIncident(ctx, other.ID, in.ID)
			wantNotFound(t, err, "GetIncident of another workspace")
			list, err := s.ListIncidents(ctx, w.ID, 10)
			noErr(t, err, "ListIncidents")
			if len(list) != 2 || list[0].ID != in.ID || list[1].ID != drill.ID || !list[1].Drill {
				t.Fatalf("open first: %+v", list)
			}
			held, resolved := at(time.Minute), at(time.Hour)
			in.HoldProposed, in.HeldAt = false, &held
			in.Status, in.ResolvedAt, in.ResolvedBy = herald.IncidentResolved, &resolved, 9
			noErr(t, s.UpdateIncident(ctx, &in), "UpdateIncident")
			got, _ = s.GetIncident(ctx, w.ID, in.ID)
			same(t, "incident after the update", got, in)
			note := herald.IncidentEvent{IncidentID: in.ID, Kind: herald.EventNote, ActorID: 9, Message: "called legal", At: at(30 * time.Second)}
			noErr(t, s.AddIncidentEvent(ctx, w.ID, &note), "AddIncidentEvent")
			wantNotFound(t, s.AddIncidentEvent(ctx, other.ID, &herald.IncidentEvent{IncidentID: in.ID, Kind: herald.EventNote, Message: "x"}),
				"AddIncidentEvent to another workspace's incident")
			tl, err := s.ListIncidentEvents(ctx, w.ID, in.ID)
			noErr(t, err, "ListIncidentEvents")
			if len(tl) != 3 || tl[2].Message != "called legal" || tl[2].ActorID != 9 || tl[0].Kind != herald.EventDetected {
				t.Fatalf("timeline %+v", tl)
			}
			tl, _ = s.ListIncidentEvents(ctx, other.ID, in.ID)
			if len(tl) != 0 {
				t.Fatal("another workspace read the timeline")
			}
		}},
	}
}
