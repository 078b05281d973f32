package template_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/teststore"
)

// fixedClock is a clock stopped at one instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// now is a Friday evening in UTC, already Saturday in Tokyo.
var now = time.Date(2026, 12, 4, 20, 30, 0, 0, time.UTC)

// world is a workspace with one member of each role, an account, a label
// and a campaign.
type world struct {
	st       herald.Store
	svc      *template.Service
	ws       herald.Workspace
	acct     herald.Account
	label    herald.Label
	campaign herald.Campaign
	actors   map[herald.Role]herald.Actor
}

func forEachStore(t *testing.T, fn func(t *testing.T, w *world)) {
	t.Helper()
	teststore.Each(t, func(t *testing.T, st herald.Store) { fn(t, newWorld(t, st)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newWorld(t *testing.T, st herald.Store) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{st: st, actors: map[herald.Role]herald.Actor{}}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "Asia/Tokyo", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	for _, r := range herald.Roles {
		u := herald.User{Email: string(r) + "@example.com", Name: string(r), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r}))
		w.actors[r] = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: r}
	}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: "Acme", Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateAccount(ctx, &w.acct))
	w.label = herald.Label{WorkspaceID: w.ws.ID, Name: "Weekly", Color: "#112233", CreatedAt: now}
	must(t, st.CreateLabel(ctx, &w.label))
	w.campaign = herald.Campaign{WorkspaceID: w.ws.ID, Name: "Winter sale", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateCampaign(ctx, &w.campaign))
	clock := fixedClock{now}
	w.svc = template.New(st, clock, post.New(st, clock, slog.New(slog.DiscardHandler)), slog.New(slog.DiscardHandler))
	return w
}

func (w *world) template() herald.Template {
	return herald.Template{Name: "Weekly tip", Description: "Every {{weekday}}",
		Content: herald.TemplateContent{Title: "Tip for {{date}}", Text: "Happy {{weekday}} from {{workspace}}! #tips",
			Thread:       []herald.ThreadPart{{Text: "Part two: {{campaign}}"}},
			FirstComment: "More on {{month}} {{year}}", AccountIDs: []int64{w.acct.ID}, LabelIDs: []int64{w.label.ID},
			CampaignID: &w.campaign.ID,
			Variants:   []herald.TemplateVariant{{Platform: herald.PlatformFake, Text: "Fake {{weekday}} at {{time}}"}}}}
}

func TestRoles(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		tp, err := w.svc.Create(ctx, w.actors[herald.RoleOwner], w.template())
		must(t, err)
		for _, role := range herald.Roles {
			a := w.actors[role]
			manage := role.Can(herald.ActTemplatesManage)
			if want := role == herald.RoleOwner || role == herald.RoleAdmin || role == herald.RoleManager || role == herald.RoleEditor; manage != want {
				t.Fatalf("%s: templates.manage = %v, want %v", role, manage, want)
			}
			in := w.template()
			in.Name = "By " + string(role)
			_, err := w.svc.Create(ctx, a, in)
			if (err == nil) != manage || (err != nil && herald.ErrorCode(err) != herald.CodeForbidden) {
				t.Errorf("%s: create: %v", role, err)
			}
			_, err = w.svc.SaveSnippet(ctx, a, 0, herald.Snippet{Name: "S " + string(role), Text: "x"})
			if (err == nil) != manage {
				t.Errorf("%s: save snippet: %v", role, err)
			}
			_, _, err = w.svc.NewPost(ctx, a, tp.ID, template.Use{})
			if (err == nil) != role.Can(herald.ActPostsWrite) {
				t.Errorf("%s: new post: %v", role, err)
			}
			_, err = w.svc.List(ctx, a, "")
			if err != nil {
				t.Errorf("%s: list: %v", role, err)
			}
		}
		if herald.RoleContributor.Can(herald.ActTemplatesManage) || !herald.RoleContributor.Can(herald.ActPostsWrite) {
			t.Fatal("contributors should use templates but not write them")
		}
		must(t, w.svc.Delete(ctx, w.actors[herald.RoleEditor], tp.ID))
		entries, _, err := w.st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
		must(t, err)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"template.create", "template.delete", "snippet.create"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit has %v, missing %s", actions, want)
			}
		}
	})
}

func TestUnknownPlaceholder(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		owner := w.actors[herald.RoleOwner]
		in := w.template()
		in.Content.Thread = append(in.Content.Thread, herald.ThreadPart{Text: "Buy {{Product name}} on {{date}}"})
		_, err := w.svc.Create(ctx, owner, in)
		he, ok := err.(*herald.Error)
		if !ok || he.Code != herald.CodeInvalid {
			t.Fatalf("create with an unknown placeholder: %v", err)
		}
		if !strings.Contains(he.Message, "{{product name}} is not a placeholder Herald knows") ||
			!strings.Contains(he.Message, "{{date}}, {{weekday}}") {
			t.Fatalf("message %q does not name the placeholder and the known ones", he.Message)
		}
		if len(he.Details) != 1 || he.Details[0].Field != "content.thread[1].text" {
			t.Fatalf("details = %+v, want the thread part", he.Details)
		}
		list, err := w.svc.List(ctx, owner, "")
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("a refused template was saved: %+v", list)
		}
		// An update that adds one is refused and keeps what was saved.
		tp, err := w.svc.Create(ctx, owner, w.template())
		must(t, err)
		bad := tp
		bad.Content.Text = "{{price}}"
		if _, err := w.svc.Update(ctx, owner, tp.ID, bad); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("update with an unknown placeholder: %v", err)
		}
		got, err := w.svc.Get(ctx, owner, tp.ID)
		must(t, err)
		if got.Content.Text != tp.Content.Text {
			t.Fatalf("refused update changed the text to %q", got.Content.Text)
		}
	})
}

func TestUniqueNames(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		owner := w.actors[herald.RoleOwner]
		_, err := w.svc.Create(ctx, owner, w.template())
		must(t, err)
		dup := w.template()
		dup.Name = "WEEKLY TIP"
		_, err = w.svc.Create(ctx, owner, dup)
		if herald.ErrorCode(err) != herald.CodeConflict || !strings.Contains(err.Error(), `a template named "WEEKLY TIP" already exists`) {
			t.Fatalf("duplicate template: %v", err)
		}
		other := w.template()
		other.Name = "Other"
		o, err := w.svc.Create(ctx, owner, other)
		must(t, err)
		o.Name = "weekly tip"
		if _, err := w.svc.Update(ctx, owner, o.ID, o); herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("rename to a taken name: %v", err)
		}
		_, err = w.svc.SaveSnippet(ctx, owner, 0, herald.Snippet{Name: "Sign-off", Text: "Bye"})
		must(t, err)
		_, err = w.svc.SaveSnippet(ctx, owner, 0, herald.Snippet{Name: "sign-off", Text: "Bye again"})
		if herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("duplicate snippet: %v", err)
		}
		_, err = w.svc.SaveHashtagGroup(ctx, owner, 0, herald.HashtagGroup{Name: "Launch", Hashtags: []string{"launch"}})
		if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), `"launch" is not a hashtag`) {
			t.Fatalf("tag without #: %v", err)
		}
		g, err := w.svc.SaveHashtagGroup(ctx, owner, 0, herald.HashtagGroup{Name: "Launch", Hashtags: []string{"#launch", "#Launch", " #herald "}})
		must(t, err)
		if !slices.Equal(g.Hashtags, []string{"#launch", "#herald"}) {
			t.Fatalf("tags = %q", g.Hashtags)
		}
	})
}

func TestNewPost(t *testing.T) {
	forEachStore(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		owner := w.actors[herald.RoleOwner]
		tp, err := w.svc.Create(ctx, owner, w.template())
		must(t, err)
		// Without a time: today in Tokyo, which is already Saturday.
		p, dropped, err := w.svc.NewPost(ctx, w.actors[herald.RoleContributor], tp.ID, template.Use{})
		must(t, err)
		if len(dropped) != 0 {
			t.Fatalf("dropped %v", dropped)
		}
		if p.Title != "Tip for 5 December 2026" || p.Text != "Happy Saturday from Acme! #tips" {
			t.Fatalf("title %q, text %q", p.Title, p.Text)
		}
		if len(p.Targets) != 1 || p.Targets[0].State != herald.StateDraft || p.Targets[0].ScheduledAt != nil {
			t.Fatalf("targets = %+v", p.Targets)
		}
		v := p.Targets[0].Variant
		if v.Text != "Fake Saturday at " || v.FirstComment != "More on December 2026" ||
			len(v.Thread) != 1 || v.Thread[0].Text != "Part two: Winter sale" {
			t.Fatalf("variant = %+v", v)
		}
		if !slices.Equal(p.LabelIDs, []int64{w.label.ID}) || p.CampaignID == nil || *p.CampaignID != w.campaign.ID {
			t.Fatalf("labels %v, campaign %v", p.LabelIDs, p.CampaignID)
		}
		// With a time: its day and time in the workspace zone.
		at := time.Date(2026, 12, 7, 0, 15, 0, 0, time.UTC) // Monday 09:15 in Tokyo
		p, _, err = w.svc.NewPost(ctx, owner, tp.ID, template.Use{At: &at})
		must(t, err)
		if p.Targets[0].Variant.Text != "Fake Monday at 09:15" || p.Targets[0].ScheduledAt == nil || !p.Targets[0].ScheduledAt.Equal(at) {
			t.Fatalf("target = %+v", p.Targets[0])
		}
		// A deleted label is left out and said so.
		must(t, w.st.DeleteLabel(ctx, w.ws.ID, w.label.ID))
		f, err := w.svc.Fill(ctx, owner, tp.ID, template.Use{})
		must(t, err)
		if len(f.Post.LabelIDs) != 0 || len(f.Dropped) != 1 || !strings.Contains(f.Dropped[0], "label") {
			t.Fatalf("after deleting the label: labels %v, dropped %v", f.Post.LabelIDs, f.Dropped)
		}
	})
}
