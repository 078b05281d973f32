package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// competitorTests check competitors with their tracked accounts, the
// accounts' daily metrics, the collection queue and the share-of-voice
// settings.
func competitorTests() []test {
	return []test{
		{"CRUD", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			tp, otherTopic := mustTopic(t, s, w.ID, "rival"), mustTopic(t, s, other.ID, "theirs")
			c := herald.Competitor{WorkspaceID: w.ID, Name: "Rival Co", TopicID: tp.ID, CreatedBy: 3, CreatedAt: at(0)}
			noErr(t, s.CreateCompetitor(ctx, &c), "CreateCompetitor")
			if c.ID == 0 {
				t.Fatal("CreateCompetitor set no ID")
			}
			got, err := s.GetCompetitor(ctx, w.ID, c.ID)
			noErr(t, err, "GetCompetitor")
			same(t, "competitor", got, c)
			_, err = s.GetCompetitor(ctx, other.ID, c.ID)
			wantNotFound(t, err, "GetCompetitor of another workspace")
			dup := herald.Competitor{WorkspaceID: w.ID, Name: "RIVAL CO", CreatedAt: at(0)}
			wantConflict(t, s.CreateCompetitor(ctx, &dup), "a second competitor of that name")
			foreign := herald.Competitor{WorkspaceID: w.ID, Name: "Foreign topic", TopicID: otherTopic.ID, CreatedAt: at(0)}
			wantConflict(t, s.CreateCompetitor(ctx, &foreign), "a topic of another workspace")

			b := herald.CompetitorAccount{WorkspaceID: w.ID, CompetitorID: c.ID, Platform: herald.PlatformBluesky,
				Handle: "rival.example", RemoteID: "did:plc:rival", DisplayName: "Rival", URL: "https://bsky.app/profile/rival.example",
				CreatedAt: at(time.Minute)}
			noErr(t, s.AddCompetitorAccount(ctx, &b), "AddCompetitorAccount bluesky")
			m := herald.CompetitorAccount{WorkspaceID: w.ID, CompetitorID: c.ID, Platform: herald.PlatformMastodon,
				Handle: "rival@social.example", RemoteID: "1099", CreatedAt: at(time.Minute)}
			noErr(t, s.AddCompetitorAccount(ctx, &m), "AddCompetitorAccount mastodon")
			again := b
			again.ID, again.Handle = 0, "RIVAL.example"
			wantConflict(t, s.AddCompetitorAccount(ctx, &again), "the same handle twice")
			stray := b
			stray.ID, stray.WorkspaceID = 0, other.ID
			wantConflict(t, s.AddCompetitorAccount(ctx, &stray), "an account for a competitor of another workspace")

			c2 := herald.Competitor{WorkspaceID: w.ID, Name: "Another", CreatedAt: at(0)}
			noErr(t, s.CreateCompetitor(ctx, &c2), "CreateCompetitor another")
			list, err := s.ListCompetitors(ctx, w.ID)
			noErr(t, err, "ListCompetitors")
			if len(list) != 2 || list[0].ID != c2.ID || list[1].ID != c.ID || len(list[0].Accounts) != 0 {
				t.Fatalf("competitors by name: %+v", list)
			}
			c.Accounts = []herald.CompetitorAccount{b, m}
			same(t, "listed competitor with accounts", list[1], c)
			ga, err := s.GetCompetitorAccount(ctx, w.ID, m.ID)
			noErr(t, err, "GetCompetitorAccount")
			same(t, "competitor account", ga, m)
			_, err = s.GetCompetitorAccount(ctx, other.ID, m.ID)
			wantNotFound(t, err, "GetCompetitorAccount of another workspace")

			c.Name, c.TopicID, c.UpdatedAt = "Rival Inc", 0, at(time.Hour)
			noErr(t, s.UpdateCompetitor(ctx, &c), "UpdateCompetitor")
			got, _ = s.GetCompetitor(ctx, w.ID, c.ID)
			same(t, "updated competitor", got, c)
			c2.Name = "rival inc"
			wantConflict(t, s.UpdateCompetitor(ctx, &c2), "renaming onto a taken name")
			c2.Name, c2.TopicID = "Another", otherTopic.ID
			wantConflict(t, s.UpdateCompetitor(ctx, &c2), "a topic of another workspace on update")
			wrong := c
			wrong.WorkspaceID = other.ID
			wantNotFound(t, s.UpdateCompetitor(ctx, &wrong), "UpdateCompetitor of another workspace")

			wantNotFound(t, s.DeleteCompetitorAccount(ctx, other.ID, m.ID), "DeleteCompetitorAccount of another workspace")
			noErr(t, s.DeleteCompetitorAccount(ctx, w.ID, m.ID), "DeleteCompetitorAccount")
			got, _ = s.GetCompetitor(ctx, w.ID, c.ID)
			if len(got.Accounts) != 1 || got.Accounts[0].ID != b.ID {
				t.Fatalf("accounts after delete: %+v", got.Accounts)
			}
			noErr(t, s.DeleteListenTopic(ctx, w.ID, tp.ID), "DeleteListenTopic")
			wantNotFound(t, s.DeleteCompetitor(ctx, other.ID, c.ID), "DeleteCompetitor of another workspace")
			noErr(t, s.DeleteCompetitor(ctx, w.ID, c.ID), "DeleteCompetitor")
			_, err = s.GetCompetitorAccount(ctx, w.ID, b.ID)
			wantNotFound(t, err, "an account of a deleted competitor")
		}},
		{"DaysAndQueue", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			c := herald.Competitor{WorkspaceID: w.ID, Name: "Rival", CreatedAt: at(0)}
			noErr(t, s.CreateCompetitor(ctx, &c), "CreateCompetitor")
			a1 := herald.CompetitorAccount{WorkspaceID: w.ID, CompetitorID: c.ID, Platform: herald.PlatformX, Handle: "rival",
				RemoteID: "42", CreatedAt: at(0)}
			a2 := herald.CompetitorAccount{WorkspaceID: w.ID, CompetitorID: c.ID, Platform: herald.PlatformBluesky,
				Handle: "rival.example", RemoteID: "did:plc:r", CreatedAt: at(0)}
			noErr(t, s.AddCompetitorAccount(ctx, &a1), "AddCompetitorAccount 1")
			noErr(t, s.AddCompetitorAccount(ctx, &a2), "AddCompetitorAccount 2")

			now := herald.ListenDay(at(0)).Add(10 * time.Hour)
			due, err := s.CompetitorAccountsDue(ctx, now, time.Hour, 10)
			noErr(t, err, "CompetitorAccountsDue")
			if len(due) != 2 || due[0].ID != a1.ID || due[1].ID != a2.ID {
				t.Fatalf("due at first: %+v", due)
			}
			_, err = s.CompetitorAccountsDue(ctx, now, time.Hour, 0)
			wantIs(t, err, herald.ErrInvalid, "a limit of 0")

			day := herald.ListenDay(now)
			d := herald.CompetitorDay{AccountID: a1.ID, WorkspaceID: w.ID, Day: day, Followers: 1000, Following: 10,
				PostsTotal: 500, PostsDay: 2, Engagements: 37, CollectedAt: now,
				TopPosts: []herald.CompetitorPost{{RemoteID: "9", URL: "https://x.com/rival/status/9", Engagements: 30,
					Excerpt: "big news", PostedAt: day.Add(2 * time.Hour)}}}
			noErr(t, s.PutCompetitorDay(ctx, d), "PutCompetitorDay")
			noErr(t, s.SetCompetitorError(ctx, w.ID, a2.ID, "the profile was not found", now), "SetCompetitorError")
			wantNotFound(t, s.SetCompetitorError(ctx, other.ID, a2.ID, "x", now), "SetCompetitorError of another workspace")
			due, err = s.CompetitorAccountsDue(ctx, now.Add(30*time.Minute), time.Hour, 10)
			noErr(t, err, "CompetitorAccountsDue after")
			if len(due) != 0 {
				t.Fatalf("due within the retry time: %+v", due)
			}
			due, _ = s.CompetitorAccountsDue(ctx, now.Add(time.Hour), time.Hour, 10)
			if len(due) != 1 || due[0].ID != a2.ID || due[0].LastError != "the profile was not found" {
				t.Fatalf("due after the retry time: %+v", due)
			}
			due, _ = s.CompetitorAccountsDue(ctx, day.Add(24*time.Hour+time.Hour), time.Hour, 10)
			if len(due) != 2 || due[0].ID != a1.ID {
				t.Fatalf("due the next day: %+v", due)
			}
			got, _ := s.GetCompetitorAccount(ctx, w.ID, a1.ID)
			if got.CollectedAt == nil || !got.CollectedAt.Equal(now) || got.LastError != "" {
				t.Fatalf("collected account: %+v", got)
			}

			// A re-run of the day replaces its row; "not given" stays -1.
			d.Followers, d.Engagements, d.TopPosts, d.CollectedAt = 1010, -1, nil, now.Add(time.Hour)
			noErr(t, s.PutCompetitorDay(ctx, d), "PutCompetitorDay again")
			next := herald.CompetitorDay{AccountID: a1.ID, WorkspaceID: w.ID, Day: day.Add(24 * time.Hour), Followers: 1020,
				Following: 10, PostsTotal: 501, PostsDay: 0, Engagements: 0, CollectedAt: now.Add(24 * time.Hour)}
			noErr(t, s.PutCompetitorDay(ctx, next), "PutCompetitorDay next day")
			days, err := s.ListCompetitorDays(ctx, w.ID, 0, day, day.Add(48*time.Hour))
			noErr(t, err, "ListCompetitorDays")
			d.TopPosts = []herald.CompetitorPost{}
			next.TopPosts = []herald.CompetitorPost{}
			same(t, "days", days, []herald.CompetitorDay{d, next})
			days, _ = s.ListCompetitorDays(ctx, w.ID, c.ID, day.Add(24*time.Hour), day.Add(48*time.Hour))
			if len(days) != 1 || days[0].Followers != 1020 {
				t.Fatalf("days of the second day: %+v", days)
			}
			days, _ = s.ListCompetitorDays(ctx, other.ID, 0, day, day.Add(48*time.Hour))
			if len(days) != 0 {
				t.Fatalf("another workspace sees days: %+v", days)
			}
			stray := d
			stray.WorkspaceID = other.ID
			wantNotFound(t, s.PutCompetitorDay(ctx, stray), "PutCompetitorDay of another workspace's account")
			bad := d
			bad.Day = day.Add(time.Hour)
			wantIs(t, s.PutCompetitorDay(ctx, bad), herald.ErrInvalid, "a day that is not a midnight")
			noErr(t, s.DeleteCompetitorAccount(ctx, w.ID, a1.ID), "DeleteCompetitorAccount")
			days, _ = s.ListCompetitorDays(ctx, w.ID, 0, day, day.Add(48*time.Hour))
			if len(days) != 0 {
				t.Fatalf("days of a deleted account: %+v", days)
			}
		}},
		{"Settings", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorkspace(t, s), mustWorkspace(t, s)
			tp, theirs := mustTopic(t, s, w.ID, "us"), mustTopic(t, s, other.ID, "them")
			got, err := s.GetCompetitorSettings(ctx, w.ID)
			noErr(t, err, "GetCompetitorSettings before")
			same(t, "settings before", got, herald.CompetitorSettings{WorkspaceID: w.ID})
			noErr(t, s.PutCompetitorSettings(ctx, herald.CompetitorSettings{WorkspaceID: w.ID, OwnTopicID: tp.ID}), "PutCompetitorSettings")
			got, _ = s.GetCompetitorSettings(ctx, w.ID)
			same(t, "settings", got, herald.CompetitorSettings{WorkspaceID: w.ID, OwnTopicID: tp.ID})
			wantConflict(t, s.PutCompetitorSettings(ctx, herald.CompetitorSettings{WorkspaceID: w.ID, OwnTopicID: theirs.ID}),
				"a topic of another workspace")
			noErr(t, s.DeleteListenTopic(ctx, w.ID, tp.ID), "DeleteListenTopic")
			got, _ = s.GetCompetitorSettings(ctx, w.ID)
			same(t, "settings after the topic went", got, herald.CompetitorSettings{WorkspaceID: w.ID})
		}},
	}
}
