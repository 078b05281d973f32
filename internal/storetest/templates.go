package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func mustTemplate(t *testing.T, s herald.Tx, workspaceID int64, name string) herald.Template {
	t.Helper()
	campaign := int64(7)
	tp := herald.Template{WorkspaceID: workspaceID, Name: name, Description: "for " + name, CreatedBy: 1,
		Content: herald.TemplateContent{Title: "Weekly", Text: "Hello {{weekday}}", MediaIDs: []int64{3},
			Thread:       []herald.ThreadPart{{Text: "Part two"}, {Text: "Part three", MediaIDs: []int64{4}}},
			FirstComment: "Link in bio", LabelIDs: []int64{2, 1}, CampaignID: &campaign, AccountIDs: []int64{9},
			Variants: []herald.TemplateVariant{{AccountID: 9, Text: "Hi on nine", Options: map[string]string{"visibility": "unlisted"}},
				{Platform: herald.PlatformBluesky, FirstComment: "short"}}},
		CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateTemplate(t.Context(), &tp), "CreateTemplate")
	if tp.ID == 0 {
		t.Fatal("CreateTemplate did not set the ID")
	}
	return tp
}

func templateTests() []test {
	return []test{
		{"RoundTripListUpdateDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustTemplate(t, s, other.ID, "Another")
			b := mustTemplate(t, s, w.ID, "bravo")
			a := mustTemplate(t, s, w.ID, "Alpha")
			got, err := s.GetTemplate(ctx, w.ID, b.ID)
			noErr(t, err, "GetTemplate")
			same(t, "template", got, b)
			list, err := s.ListTemplates(ctx, herald.KitFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListTemplates")
			if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
				t.Fatalf("ListTemplates = %+v, want Alpha then bravo", list)
			}
			b.Name = "Charlie"
			b.Description = "changed"
			b.Content = herald.TemplateContent{Text: "Only text"}
			b.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateTemplate(ctx, &b), "UpdateTemplate")
			got, err = s.GetTemplate(ctx, w.ID, b.ID)
			noErr(t, err, "GetTemplate after update")
			same(t, "updated template", got, b)
			noErr(t, s.DeleteTemplate(ctx, w.ID, b.ID), "DeleteTemplate")
			_, err = s.GetTemplate(ctx, w.ID, b.ID)
			wantNotFound(t, err, "GetTemplate after delete")
			wantNotFound(t, s.DeleteTemplate(ctx, w.ID, b.ID), "DeleteTemplate twice")
		}},
		{"Search", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			a := mustTemplate(t, s, w.ID, "Launch day")
			b := mustTemplate(t, s, w.ID, "Weekly tip")
			b.Description = "100% organic_reach"
			noErr(t, s.UpdateTemplate(ctx, &b), "UpdateTemplate")
			for q, want := range map[string][]int64{"LAUNCH": {a.ID}, "tip": {b.ID}, "%": {b.ID}, "c_r": {b.ID},
				"for": {a.ID}, "nothing": nil} {
				list, err := s.ListTemplates(ctx, herald.KitFilter{WorkspaceID: w.ID, Query: q})
				noErr(t, err, "ListTemplates("+q+")")
				var ids []int64
				for _, x := range list {
					ids = append(ids, x.ID)
				}
				wantIDs(t, "ListTemplates("+q+")", ids, want)
			}
		}},
		{"DuplicateNameCaseInsensitive", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustTemplate(t, s, w.ID, "Launch")
			dup := herald.Template{WorkspaceID: w.ID, Name: "LAUNCH", CreatedBy: 1, CreatedAt: at(0)}
			wantConflict(t, s.CreateTemplate(ctx, &dup), "CreateTemplate(same name, other case)")
			mustTemplate(t, s, other.ID, "launch")
			x := mustTemplate(t, s, w.ID, "Other")
			x.Name = "launch"
			wantConflict(t, s.UpdateTemplate(ctx, &x), "UpdateTemplate(to a taken name)")
			got, err := s.GetTemplate(ctx, w.ID, x.ID)
			noErr(t, err, "GetTemplate")
			if got.Name != "Other" {
				t.Fatalf("refused rename stored %q", got.Name)
			}
		}},
		{"OtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorkspace(t, s)
			b := mustWorkspace(t, s)
			tp := mustTemplate(t, s, a.ID, "Mine")
			_, err := s.GetTemplate(ctx, b.ID, tp.ID)
			wantNotFound(t, err, "GetTemplate(other workspace)")
			moved := tp
			moved.WorkspaceID = b.ID
			wantNotFound(t, s.UpdateTemplate(ctx, &moved), "UpdateTemplate(other workspace)")
			wantNotFound(t, s.DeleteTemplate(ctx, b.ID, tp.ID), "DeleteTemplate(other workspace)")
			list, err := s.ListTemplates(ctx, herald.KitFilter{WorkspaceID: b.ID})
			noErr(t, err, "ListTemplates")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d templates of a", len(list))
			}
			noErr(t, s.DeleteWorkspace(ctx, a.ID), "DeleteWorkspace")
			_, err = s.GetTemplate(ctx, a.ID, tp.ID)
			wantNotFound(t, err, "GetTemplate after its workspace was deleted")
		}},
	}
}

func snippetTests() []test {
	return []test{
		{"SnippetsRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			b := herald.Snippet{WorkspaceID: w.ID, Name: "Sign-off", Text: "Thanks for reading!\n— The team", CreatedAt: at(0)}
			noErr(t, s.CreateSnippet(ctx, &b), "CreateSnippet")
			a := herald.Snippet{WorkspaceID: w.ID, Name: "about", Text: "Herald is open source", CreatedAt: at(0)}
			noErr(t, s.CreateSnippet(ctx, &a), "CreateSnippet")
			x := herald.Snippet{WorkspaceID: other.ID, Name: "Sign-off", Text: "elsewhere", CreatedAt: at(0)}
			noErr(t, s.CreateSnippet(ctx, &x), "CreateSnippet(other workspace, same name)")
			got, err := s.GetSnippet(ctx, w.ID, b.ID)
			noErr(t, err, "GetSnippet")
			same(t, "snippet", got, b)
			list, err := s.ListSnippets(ctx, herald.KitFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListSnippets")
			if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
				t.Fatalf("ListSnippets = %+v, want about then Sign-off", list)
			}
			list, err = s.ListSnippets(ctx, herald.KitFilter{WorkspaceID: w.ID, Query: "OPEN"})
			noErr(t, err, "ListSnippets(OPEN)")
			if len(list) != 1 || list[0].ID != a.ID {
				t.Fatalf("ListSnippets(OPEN) = %+v, want the one whose text says open", list)
			}
			dup := herald.Snippet{WorkspaceID: w.ID, Name: "SIGN-OFF", Text: "x"}
			wantConflict(t, s.CreateSnippet(ctx, &dup), "CreateSnippet(same name)")
			b.Name, b.Text, b.UpdatedAt = "Sign off", "Bye", at(time.Millisecond)
			noErr(t, s.UpdateSnippet(ctx, &b), "UpdateSnippet")
			got, err = s.GetSnippet(ctx, w.ID, b.ID)
			noErr(t, err, "GetSnippet after update")
			same(t, "updated snippet", got, b)
			_, err = s.GetSnippet(ctx, other.ID, b.ID)
			wantNotFound(t, err, "GetSnippet(other workspace)")
			wantNotFound(t, s.DeleteSnippet(ctx, other.ID, b.ID), "DeleteSnippet(other workspace)")
			noErr(t, s.DeleteSnippet(ctx, w.ID, b.ID), "DeleteSnippet")
			_, err = s.GetSnippet(ctx, w.ID, b.ID)
			wantNotFound(t, err, "GetSnippet after delete")
		}},
		{"HashtagGroupsRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			g := herald.HashtagGroup{WorkspaceID: w.ID, Name: "Launch", Hashtags: []string{"#launch", "#Herald2026", "#café"}, CreatedAt: at(0)}
			noErr(t, s.CreateHashtagGroup(ctx, &g), "CreateHashtagGroup")
			got, err := s.GetHashtagGroup(ctx, w.ID, g.ID)
			noErr(t, err, "GetHashtagGroup")
			same(t, "hashtag group", got, g)
			// A snippet and a group may share a name; each kind is its own list.
			sn := herald.Snippet{WorkspaceID: w.ID, Name: "launch", Text: "We launched"}
			noErr(t, s.CreateSnippet(ctx, &sn), "CreateSnippet(named like a group)")
			_, err = s.GetSnippet(ctx, w.ID, g.ID)
			wantNotFound(t, err, "GetSnippet(a group's id)")
			_, err = s.GetHashtagGroup(ctx, w.ID, sn.ID)
			wantNotFound(t, err, "GetHashtagGroup(a snippet's id)")
			wantNotFound(t, s.DeleteHashtagGroup(ctx, w.ID, sn.ID), "DeleteHashtagGroup(a snippet's id)")
			list, err := s.ListHashtagGroups(ctx, herald.KitFilter{WorkspaceID: w.ID, Query: "herald2026"})
			noErr(t, err, "ListHashtagGroups(tag)")
			if len(list) != 1 || list[0].ID != g.ID {
				t.Fatalf("ListHashtagGroups(tag) = %+v, want the group", list)
			}
			dup := herald.HashtagGroup{WorkspaceID: w.ID, Name: "LAUNCH", Hashtags: []string{"#x"}}
			wantConflict(t, s.CreateHashtagGroup(ctx, &dup), "CreateHashtagGroup(same name)")
			g.Hashtags, g.UpdatedAt = []string{"#one"}, at(2*time.Millisecond)
			noErr(t, s.UpdateHashtagGroup(ctx, &g), "UpdateHashtagGroup")
			got, err = s.GetHashtagGroup(ctx, w.ID, g.ID)
			noErr(t, err, "GetHashtagGroup after update")
			same(t, "updated group", got, g)
			noErr(t, s.DeleteHashtagGroup(ctx, w.ID, g.ID), "DeleteHashtagGroup")
			list, err = s.ListHashtagGroups(ctx, herald.KitFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListHashtagGroups")
			if len(list) != 0 {
				t.Fatalf("ListHashtagGroups after delete = %+v", list)
			}
			snips, err := s.ListSnippets(ctx, herald.KitFilter{WorkspaceID: w.ID})
			noErr(t, err, "ListSnippets")
			if len(snips) != 1 {
				t.Fatalf("deleting the group touched the snippets: %+v", snips)
			}
		}},
	}
}
