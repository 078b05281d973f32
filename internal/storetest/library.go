package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mediaIDs(ms []herald.MediaAsset) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func mediaTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			m := mustMedia(t, s, w.ws.ID, w.owner.ID, "launch.png", "A rocket")
			got, err := s.GetMedia(ctx, w.ws.ID, m.ID)
			noErr(t, err, "GetMedia")
			same(t, "media", got, m)
			if got.StorageKey != m.StorageKey {
				t.Fatalf("StorageKey = %q, want %q", got.StorageKey, m.StorageKey)
			}
			video := herald.MediaAsset{WorkspaceID: w.ws.ID, UploaderID: w.owner.ID, Filename: "reel.mp4",
				ContentType: "video/mp4", Size: 99999, Width: 1080, Height: 1920, DurationMS: 45500,
				SHA256: hashHex("reel" + unique()), StorageKey: "cd/" + unique() + ".mp4", CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateMedia(ctx, &video), "CreateMedia video")
			gotVideo, err := s.GetMedia(ctx, w.ws.ID, video.ID)
			noErr(t, err, "GetMedia video")
			same(t, "video", gotVideo, video)
			byHash, err := s.GetMediaByHash(ctx, w.ws.ID, m.SHA256)
			noErr(t, err, "GetMediaByHash")
			if byHash.ID != m.ID {
				t.Fatalf("GetMediaByHash found %d, want %d", byHash.ID, m.ID)
			}
			m.Filename = "renamed.png"
			m.AltText = "A rocket at dawn"
			m.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateMedia(ctx, &m), "UpdateMedia")
			got, err = s.GetMedia(ctx, w.ws.ID, m.ID)
			noErr(t, err, "GetMedia")
			same(t, "updated media", got, m)
			noErr(t, s.DeleteMedia(ctx, w.ws.ID, m.ID), "DeleteMedia")
			_, err = s.GetMedia(ctx, w.ws.ID, m.ID)
			wantNotFound(t, err, "GetMedia after delete")
			wantNotFound(t, s.DeleteMedia(ctx, w.ws.ID, m.ID), "DeleteMedia twice")
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorld(t, s)
			m := mustMedia(t, s, a.ws.ID, a.owner.ID, "a.png", "alt")
			_, err := s.GetMedia(ctx, b.ws.ID, m.ID)
			wantNotFound(t, err, "GetMedia(other workspace)")
			_, err = s.GetMedia(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetMedia(missing)")
			_, err = s.GetMediaByHash(ctx, b.ws.ID, m.SHA256)
			wantNotFound(t, err, "GetMediaByHash(other workspace)")
			moved := m
			moved.WorkspaceID = b.ws.ID
			moved.AltText = "hijacked"
			wantNotFound(t, s.UpdateMedia(ctx, &moved), "UpdateMedia(other workspace)")
			wantNotFound(t, s.DeleteMedia(ctx, b.ws.ID, m.ID), "DeleteMedia(other workspace)")
			list, _, err := s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: b.ws.ID})
			noErr(t, err, "ListMedia")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d media of a", len(list))
			}
			got, err := s.GetMedia(ctx, a.ws.ID, m.ID)
			noErr(t, err, "GetMedia")
			same(t, "media after refused cross-workspace changes", got, m)
		}},
		{"QueryAndPagination", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			mustMedia(t, s, other.ws.ID, other.owner.ID, "Rocket.png", "")
			var all []int64
			add := func(name, alt string) int64 {
				m := mustMedia(t, s, w.ws.ID, w.owner.ID, name, alt)
				all = append([]int64{m.ID}, all...)
				return m.ID
			}
			rocket := add("Rocket.png", "")
			team := add("team.jpg", "The team with a ROCKET model")
			add("office.jpg", "Our office")
			pct := add("sale_50%.png", "half price")
			add("sale_50x.png", "")

			cases := []struct {
				query string
				want  []int64
			}{
				{"rocket", []int64{team, rocket}},
				{"ROCK", []int64{team, rocket}},
				{"50%", []int64{pct}},
				{"nothing matches this", nil},
			}
			for _, c := range cases {
				got, next, err := s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Query: c.query})
				noErr(t, err, "ListMedia("+c.query+")")
				if next != "" {
					t.Fatalf("ListMedia(%q): next = %q on a single page", c.query, next)
				}
				wantIDs(t, "ListMedia("+c.query+")", mediaIDs(got), c.want)
			}
			got := walk(t, "ListMedia", 2, func(pg herald.Page) ([]herald.MediaAsset, string, error) {
				return s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Page: pg})
			})
			wantIDs(t, "media walked with limit 2", mediaIDs(got), all)
			for _, c := range garbageCursors() {
				_, _, err := s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Cursor: c}})
				wantBadCursor(t, err, "ListMedia(cursor "+c+")")
			}
		}},
		{"Tags", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			m := mustMedia(t, s, w.ws.ID, w.owner.ID, "beach.jpg", "")
			if m.Tags == nil || len(m.Tags) != 0 {
				t.Fatalf("new media tags = %#v, want an empty list", m.Tags)
			}
			m.Tags = []string{"launch", "summer sale"}
			m.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateMedia(ctx, &m), "UpdateMedia(tags)")
			got, err := s.GetMedia(ctx, w.ws.ID, m.ID)
			noErr(t, err, "GetMedia")
			same(t, "tagged media", got, m)
			video := herald.MediaAsset{WorkspaceID: w.ws.ID, UploaderID: w.owner.ID, Filename: "reel.mp4",
				ContentType: "video/mp4", Size: 99999, Width: 1080, Height: 1920, DurationMS: 45500,
				SHA256: hashHex("reel" + unique()), StorageKey: "cd/" + unique() + ".mp4", CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateMedia(ctx, &video), "CreateMedia video")
			gotVideo, err := s.GetMedia(ctx, w.ws.ID, video.ID)
			noErr(t, err, "GetMedia video")
			same(t, "video", gotVideo, video)
			byHash, err := s.GetMediaByHash(ctx, w.ws.ID, m.SHA256)
			noErr(t, err, "GetMediaByHash")
			same(t, "tagged media by hash", byHash, m)

			tagged := herald.MediaAsset{WorkspaceID: w.ws.ID, UploaderID: w.owner.ID, Filename: "x.png",
				ContentType: "image/png", Size: 1, SHA256: hashHex(unique()), StorageKey: "x/" + unique(),
				Tags: []string{"rocket"}, CreatedAt: at(0)}
			noErr(t, s.CreateMedia(ctx, &tagged), "CreateMedia(with tags)")
			got, err = s.GetMedia(ctx, w.ws.ID, tagged.ID)
			noErr(t, err, "GetMedia")
			same(t, "media created with tags", got, tagged)
			foreign := mustMedia(t, s, other.ws.ID, other.owner.ID, "launch.png", "")
			foreign.Tags = []string{"summer sale"}
			noErr(t, s.UpdateMedia(ctx, &foreign), "UpdateMedia(other workspace's own)")

			for _, c := range []struct {
				query string
				want  []int64
			}{
				{"summer", []int64{m.ID}},
				{"SALE", []int64{m.ID}},
				{"rock", []int64{tagged.ID}},
				{"launch", []int64{m.ID}},
			} {
				list, _, err := s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Query: c.query})
				noErr(t, err, "ListMedia("+c.query+")")
				wantIDs(t, "ListMedia("+c.query+")", mediaIDs(list), c.want)
				for _, l := range list {
					if l.ID == m.ID {
						same(t, "listed media", l, m)
					}
				}
			}

			m.Tags = []string{"autumn"}
			noErr(t, s.UpdateMedia(ctx, &m), "UpdateMedia(replace tags)")
			list, _, err := s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Query: "summer"})
			noErr(t, err, "ListMedia(summer)")
			wantIDs(t, "ListMedia(summer) after the tag was replaced", mediaIDs(list), nil)
			m.Tags = nil
			noErr(t, s.UpdateMedia(ctx, &m), "UpdateMedia(no tags)")
			got, err = s.GetMedia(ctx, w.ws.ID, m.ID)
			noErr(t, err, "GetMedia")
			if len(got.Tags) != 0 || got.Tags == nil {
				t.Fatalf("tags after clearing = %#v, want an empty list", got.Tags)
			}
			noErr(t, s.DeleteMedia(ctx, w.ws.ID, tagged.ID), "DeleteMedia(tagged)")
			list, _, err = s.ListMedia(ctx, herald.MediaFilter{WorkspaceID: w.ws.ID, Query: "rocket"})
			noErr(t, err, "ListMedia(rocket)")
			wantIDs(t, "ListMedia(rocket) after delete", mediaIDs(list), nil)
		}},
		{"Usage", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			second := mustAccount(t, s, w.ws.ID)
			a := mustMedia(t, s, w.ws.ID, w.owner.ID, "a.png", "")
			b := mustMedia(t, s, w.ws.ID, w.owner.ID, "b.png", "")
			unused := mustMedia(t, s, w.ws.ID, w.owner.ID, "c.png", "")

			// A published post uses a in its variant; a later draft uses a in
			// a thread part (twice) and b on its second target.
			published := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			published.Targets[0].Variant.MediaIDs = []int64{a.ID}
			noErr(t, s.UpdatePost(ctx, &published, 1), "UpdatePost(media)")
			published, err := s.GetPost(ctx, w.ws.ID, published.ID)
			noErr(t, err, "GetPost")
			tg := published.Targets[0]
			for _, st := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing, herald.StatePublished} {
				tr, err := tg.Transition(st, nil, "test", at(time.Minute))
				noErr(t, err, "Transition")
				noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget")
			}
			draft := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Title: "Thread", CreatedAt: at(0), UpdatedAt: at(0),
				Targets: []herald.Target{
					{AccountID: w.account.ID, State: herald.StateDraft, CreatedAt: at(0), UpdatedAt: at(0),
						Variant: herald.Variant{Text: "one", Thread: []herald.ThreadPart{{Text: "two", MediaIDs: []int64{a.ID, a.ID}}}}},
					{AccountID: second.ID, State: herald.StateDraft, CreatedAt: at(0), UpdatedAt: at(0),
						Variant: herald.Variant{Text: "one", MediaIDs: []int64{b.ID}}},
				}}
			noErr(t, s.CreatePost(ctx, &draft), "CreatePost(thread)")
			// The other workspace's post names a's id: it is not a use of a.
			foreign := mustPost(t, s, other.ws.ID, other.owner.ID, other.account.ID)
			foreign.Targets[0].Variant.MediaIDs = []int64{a.ID}
			noErr(t, s.UpdatePost(ctx, &foreign, 1), "UpdatePost(other workspace)")

			uses, err := s.MediaUsage(ctx, w.ws.ID, a.ID, 10)
			noErr(t, err, "MediaUsage(a)")
			if len(uses) != 2 {
				t.Fatalf("MediaUsage(a) = %+v, want the draft's thread then the published post", uses)
			}
			if uses[0].PostID != draft.ID || uses[0].TargetID != draft.Targets[0].ID || !uses[0].Pending() ||
				uses[0].PostTitle != "Thread" || uses[0].AccountID != w.account.ID {
				t.Fatalf("first use of a = %+v, want the draft's first target", uses[0])
			}
			if uses[1].PostID != published.ID || uses[1].State != herald.StatePublished || uses[1].Pending() {
				t.Fatalf("second use of a = %+v, want the published post", uses[1])
			}
			uses, err = s.MediaUsage(ctx, w.ws.ID, a.ID, 1)
			noErr(t, err, "MediaUsage(a, 1)")
			if len(uses) != 1 || uses[0].PostID != draft.ID {
				t.Fatalf("MediaUsage(a, limit 1) = %+v, want the pending draft only", uses)
			}
			uses, err = s.MediaUsage(ctx, w.ws.ID, b.ID, 10)
			noErr(t, err, "MediaUsage(b)")
			if len(uses) != 1 || uses[0].TargetID != draft.Targets[1].ID {
				t.Fatalf("MediaUsage(b) = %+v, want the draft's second target", uses)
			}
			uses, err = s.MediaUsage(ctx, w.ws.ID, unused.ID, 10)
			noErr(t, err, "MediaUsage(unused)")
			if uses == nil || len(uses) != 0 {
				t.Fatalf("MediaUsage(unused) = %#v, want an empty list", uses)
			}
			uses, err = s.MediaUsage(ctx, other.ws.ID, b.ID, 10)
			noErr(t, err, "MediaUsage(other workspace)")
			if len(uses) != 0 {
				t.Fatalf("MediaUsage(b) in another workspace = %+v, want none", uses)
			}

			// Editing the draft moves its media; deleting it forgets them.
			draft, err = s.GetPost(ctx, w.ws.ID, draft.ID)
			noErr(t, err, "GetPost(draft)")
			draft.Targets[0].Variant.Thread = nil
			draft.Targets[0].Variant.MediaIDs = []int64{b.ID}
			noErr(t, s.UpdatePost(ctx, &draft, draft.Version), "UpdatePost(draft)")
			uses, err = s.MediaUsage(ctx, w.ws.ID, a.ID, 10)
			noErr(t, err, "MediaUsage(a) after edit")
			if len(uses) != 1 || uses[0].PostID != published.ID {
				t.Fatalf("MediaUsage(a) after the draft dropped it = %+v, want the published post only", uses)
			}
			uses, err = s.MediaUsage(ctx, w.ws.ID, b.ID, 10)
			noErr(t, err, "MediaUsage(b) after edit")
			if len(uses) != 2 {
				t.Fatalf("MediaUsage(b) after edit = %+v, want both draft targets", uses)
			}
			noErr(t, s.DeletePost(ctx, w.ws.ID, draft.ID), "DeletePost(draft)")
			uses, err = s.MediaUsage(ctx, w.ws.ID, b.ID, 10)
			noErr(t, err, "MediaUsage(b) after delete")
			if len(uses) != 0 {
				t.Fatalf("MediaUsage(b) after the post was deleted = %+v, want none", uses)
			}
		}},
	}
}

func labelTests() []test {
	return []test{
		{"RoundTripListUpdateDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustLabel(t, s, other.ID, "Another")
			b := mustLabel(t, s, w.ID, "Bravo")
			a := mustLabel(t, s, w.ID, "Alpha")
			got, err := s.GetLabel(ctx, w.ID, b.ID)
			noErr(t, err, "GetLabel")
			same(t, "label", got, b)
			list, err := s.ListLabels(ctx, w.ID)
			noErr(t, err, "ListLabels")
			if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
				t.Fatalf("ListLabels = %+v, want Alpha then Bravo", list)
			}
			b.Name = "Charlie"
			b.Color = "#ff0000"
			noErr(t, s.UpdateLabel(ctx, &b), "UpdateLabel")
			got, err = s.GetLabel(ctx, w.ID, b.ID)
			noErr(t, err, "GetLabel")
			same(t, "updated label", got, b)
			noErr(t, s.DeleteLabel(ctx, w.ID, b.ID), "DeleteLabel")
			_, err = s.GetLabel(ctx, w.ID, b.ID)
			wantNotFound(t, err, "GetLabel after delete")
			wantNotFound(t, s.DeleteLabel(ctx, w.ID, b.ID), "DeleteLabel twice")
		}},
		{"DuplicateNameCaseInsensitive", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustLabel(t, s, w.ID, "Launch")
			dup := herald.Label{WorkspaceID: w.ID, Name: "LAUNCH", Color: "#000000", CreatedAt: at(0)}
			wantConflict(t, s.CreateLabel(ctx, &dup), "CreateLabel(same name, other case)")
			mustLabel(t, s, other.ID, "launch") // fine in another workspace
			x := mustLabel(t, s, w.ID, "Other")
			x.Name = "launch"
			wantConflict(t, s.UpdateLabel(ctx, &x), "UpdateLabel(to a taken name)")
			got, err := s.GetLabel(ctx, w.ID, x.ID)
			noErr(t, err, "GetLabel")
			if got.Name != "Other" {
				t.Fatalf("refused rename stored %q", got.Name)
			}
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorkspace(t, s)
			b := mustWorkspace(t, s)
			l := mustLabel(t, s, a.ID, "Mine")
			_, err := s.GetLabel(ctx, b.ID, l.ID)
			wantNotFound(t, err, "GetLabel(other workspace)")
			_, err = s.GetLabel(ctx, a.ID, 987654)
			wantNotFound(t, err, "GetLabel(missing)")
			moved := l
			moved.WorkspaceID = b.ID
			moved.Name = "hijacked"
			wantNotFound(t, s.UpdateLabel(ctx, &moved), "UpdateLabel(other workspace)")
			missing := l
			missing.ID = 987654
			wantNotFound(t, s.UpdateLabel(ctx, &missing), "UpdateLabel(missing)")
			wantNotFound(t, s.DeleteLabel(ctx, b.ID, l.ID), "DeleteLabel(other workspace)")
			list, err := s.ListLabels(ctx, b.ID)
			noErr(t, err, "ListLabels")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d labels of a", len(list))
			}
		}},
	}
}

func campaignTests() []test {
	return []test{
		{"RoundTripListUpdateDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustCampaign(t, s, other.ID, "Elsewhere")
			var ids []int64
			for i, name := range []string{"Winter", "Spring", "Summer"} {
				c := herald.Campaign{WorkspaceID: w.ID, Name: name, CreatedAt: at(time.Duration(i) * time.Hour), UpdatedAt: at(0)}
				noErr(t, s.CreateCampaign(ctx, &c), "CreateCampaign")
				ids = append(ids, c.ID)
			}
			c := mustCampaign(t, s, w.ID, "Autumn")
			got, err := s.GetCampaign(ctx, w.ID, c.ID)
			noErr(t, err, "GetCampaign")
			same(t, "campaign", got, c)

			c.Name = "Fall"
			c.Goal = "more"
			c.StartDate = ""
			c.EndDate = "2026-12-31"
			c.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateCampaign(ctx, &c), "UpdateCampaign")
			got, err = s.GetCampaign(ctx, w.ID, c.ID)
			noErr(t, err, "GetCampaign")
			same(t, "updated campaign", got, c)

			noErr(t, s.DeleteCampaign(ctx, w.ID, c.ID), "DeleteCampaign")
			_, err = s.GetCampaign(ctx, w.ID, c.ID)
			wantNotFound(t, err, "GetCampaign after delete")
			wantNotFound(t, s.DeleteCampaign(ctx, w.ID, c.ID), "DeleteCampaign twice")

			list, err := s.ListCampaigns(ctx, w.ID)
			noErr(t, err, "ListCampaigns")
			got2 := make([]int64, len(list))
			for i, x := range list {
				got2[i] = x.ID
			}
			wantIDs(t, "ListCampaigns newest first", got2, []int64{ids[2], ids[1], ids[0]})
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorkspace(t, s)
			b := mustWorkspace(t, s)
			c := mustCampaign(t, s, a.ID, "Mine")
			_, err := s.GetCampaign(ctx, b.ID, c.ID)
			wantNotFound(t, err, "GetCampaign(other workspace)")
			_, err = s.GetCampaign(ctx, a.ID, 987654)
			wantNotFound(t, err, "GetCampaign(missing)")
			moved := c
			moved.WorkspaceID = b.ID
			moved.Name = "hijacked"
			wantNotFound(t, s.UpdateCampaign(ctx, &moved), "UpdateCampaign(other workspace)")
			missing := c
			missing.ID = 987654
			wantNotFound(t, s.UpdateCampaign(ctx, &missing), "UpdateCampaign(missing)")
			wantNotFound(t, s.DeleteCampaign(ctx, b.ID, c.ID), "DeleteCampaign(other workspace)")
			list, err := s.ListCampaigns(ctx, b.ID)
			noErr(t, err, "ListCampaigns")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d campaigns of a", len(list))
			}
			got, err := s.GetCampaign(ctx, a.ID, c.ID)
			noErr(t, err, "GetCampaign")
			same(t, "campaign after refused cross-workspace changes", got, c)
		}},
	}
}

func auditIDs(es []herald.AuditEntry) []int64 {
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func auditTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			actor := herald.Actor{UserID: w.owner.ID, TokenID: 42, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
			e := herald.NewAudit(actor, "label.update", "label", 7,
				map[string]any{"name": "Old", "color": "#000000"},
				map[string]any{"name": "New", "color": "#ffffff", "nested": map[string]any{"list": []int{1, 2}}}, at(time.Minute))
			noErr(t, s.AppendAudit(ctx, &e), "AppendAudit")
			if e.ID == 0 {
				t.Fatal("AppendAudit did not set the ID")
			}
			list, next, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
			noErr(t, err, "ListAudit")
			if len(list) != 1 || next != "" {
				t.Fatalf("ListAudit = %d entries, next %q", len(list), next)
			}
			got := list[0]
			sameJSONValue(t, "before", got.Before, e.Before)
			sameJSONValue(t, "after", got.After, e.After)
			got.Before, got.After = nil, nil
			e.Before, e.After = nil, nil
			same(t, "audit entry", got, e)

			// Installation-wide (workspace 0), no actor, no before/after.
			sys := herald.AuditEntry{Action: "user.create", ObjectType: "user", ObjectID: w.owner.ID, At: at(time.Hour)}
			noErr(t, s.AppendAudit(ctx, &sys), "AppendAudit(installation-wide)")
			list, _, err = s.ListAudit(ctx, herald.AuditFilter{})
			noErr(t, err, "ListAudit(installation-wide)")
			wantIDs(t, "installation-wide entries", auditIDs(list), []int64{sys.ID})
			if list[0].ActorID != nil || list[0].TokenID != nil || len(list[0].Before) != 0 || len(list[0].After) != 0 {
				t.Fatalf("installation-wide entry = %+v, want no actor, token or JSON", list[0])
			}
			same(t, "installation-wide entry", list[0], sys)
		}},
		{"FiltersAndPagination", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			second := mustUser(t, s)
			ownerActor := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
			secondActor := herald.Actor{UserID: second.ID, WorkspaceID: w.ws.ID, Role: herald.RoleEditor}
			var all, posts, post5, bySecond []int64
			add := func(a herald.Actor, typ string, id int64) {
				e := herald.NewAudit(a, typ+".update", typ, id, nil, map[string]int64{"id": id}, at(time.Duration(len(all))*time.Minute))
				noErr(t, s.AppendAudit(ctx, &e), "AppendAudit")
				all = append([]int64{e.ID}, all...)
				if typ == "post" {
					posts = append([]int64{e.ID}, posts...)
					if id == 5 {
						post5 = append([]int64{e.ID}, post5...)
					}
				}
				if a.UserID == second.ID {
					bySecond = append([]int64{e.ID}, bySecond...)
				}
			}
			add(ownerActor, "post", 5)
			add(secondActor, "post", 6)
			add(ownerActor, "label", 5)
			add(secondActor, "post", 5)
			add(ownerActor, "campaign", 1)
			noise := herald.NewAudit(herald.Actor{UserID: other.owner.ID, WorkspaceID: other.ws.ID}, "post.update", "post", 5, nil, nil, at(0))
			noErr(t, s.AppendAudit(ctx, &noise), "AppendAudit")

			cases := []struct {
				name   string
				filter herald.AuditFilter
				want   []int64
			}{
				{"workspace", herald.AuditFilter{WorkspaceID: w.ws.ID}, all},
				{"object type", herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "post"}, posts},
				{"object", herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "post", ObjectID: 5}, post5},
				{"actor", herald.AuditFilter{WorkspaceID: w.ws.ID, ActorID: second.ID}, bySecond},
				{"no match", herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "media"}, nil},
			}
			for _, c := range cases {
				got, _, err := s.ListAudit(ctx, c.filter)
				noErr(t, err, "ListAudit("+c.name+")")
				wantIDs(t, "ListAudit("+c.name+")", auditIDs(got), c.want)
			}
			got := walk(t, "ListAudit", 2, func(pg herald.Page) ([]herald.AuditEntry, string, error) {
				return s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, Page: pg})
			})
			wantIDs(t, "audit walked with limit 2", auditIDs(got), all)
			got = walk(t, "ListAudit(posts)", 2, func(pg herald.Page) ([]herald.AuditEntry, string, error) {
				return s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "post", Page: pg})
			})
			wantIDs(t, "post audit walked with limit 2", auditIDs(got), posts)
			for _, c := range garbageCursors() {
				_, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Cursor: c}})
				wantBadCursor(t, err, "ListAudit(cursor "+c+")")
			}
		}},
		{"RawJSONKept", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			e := herald.AuditEntry{WorkspaceID: w.ID, Action: "x.y", ObjectType: "x", ObjectID: 1,
				Before: json.RawMessage(`{"text": "héllo \u00e9 \"quoted\"", "n": 1.5, "b": [true, null]}`), At: at(0)}
			noErr(t, s.AppendAudit(ctx, &e), "AppendAudit")
			list, _, err := s.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListAudit")
			sameJSONValue(t, "before", list[0].Before, e.Before)
			if len(list[0].After) != 0 {
				t.Fatalf("After = %s, want empty", list[0].After)
			}
		}},
	}
}
