package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// Sizes of the task benchmark's workspace.
const (
	benchTaskPosts     = 100000 // posts in all (benchPosts of them varied, the rest drafts)
	benchTasks         = 10000
	benchTaskCampaigns = 200
)

// BenchmarkTaskPages measures the board (whole, filtered by assignee and
// by overdue), a task's page and My work in a workspace with 200
// campaigns, 10,000 tasks and 100,000 posts, through the whole handler
// stack, on SQLite and, when HERALD_TEST_POSTGRES_URL is set, PostgreSQL.
func BenchmarkTaskPages(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) herald.Store
	}{
		{"sqlite", func(b *testing.B) herald.Store { return benchSQLite(b) }},
		{"postgres", func(b *testing.B) herald.Store { return pgtest.Open(b) }},
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			site := newBenchSite(b, s.open(b))
			taskID := fillTasks(b, site)
			ws := site.ws.ID
			pages := []benchPage{
				{"board", fmt.Sprintf("/w/%d/tasks", ws), "Task number"},
				{"board-assignee", fmt.Sprintf("/w/%d/tasks?assignee=%d", ws, site.ownerID()), "Task number"},
				{"board-overdue", fmt.Sprintf("/w/%d/tasks?due=overdue", ws), "(overdue)"},
				{"task", fmt.Sprintf("/w/%d/tasks/%d", ws, taskID), "Task number"},
				{"my-work", fmt.Sprintf("/w/%d/my-work", ws), "(overdue)"},
			}
			site.benchPages(b, pages)
		})
	}
}

// ownerID is the signed-in owner's user id.
func (s *benchSite) ownerID() int64 {
	ms, err := s.store.ListMembers(context.Background(), s.ws.ID)
	if err != nil {
		panic(err)
	}
	for _, m := range ms {
		if m.Role == herald.RoleOwner {
			return m.UserID
		}
	}
	return 0
}

// fillTasks adds the campaigns, the tasks (spread over the members, the
// states, the campaigns and 60 days either side of now, a few with
// comments) and the posts beyond benchPosts, straight into the store, and
// returns one task's id.
func fillTasks(b *testing.B, site *benchSite) int64 {
	b.Helper()
	ctx := context.Background()
	st := site.store
	members, err := st.ListMembers(ctx, site.ws.ID)
	if err != nil {
		b.Fatal(err)
	}
	owner := site.ownerID()
	now := time.Now().UTC().Truncate(time.Second)
	var campaigns []int64
	var first int64
	err = st.InTx(ctx, func(tx herald.Tx) error {
		for i := range benchTaskCampaigns {
			c := herald.Campaign{WorkspaceID: site.ws.ID, Name: fmt.Sprintf("Campaign %d", i), StartDate: now.Format(time.DateOnly)}
			if err := tx.CreateCampaign(ctx, &c); err != nil {
				return err
			}
			campaigns = append(campaigns, c.ID)
		}
		step := 120 * 24 * time.Hour / benchTasks
		for i := range benchTasks {
			due := now.AddDate(0, 0, -60).Add(time.Duration(i) * step)
			t := herald.Task{WorkspaceID: site.ws.ID, Title: fmt.Sprintf("Task number %d", i),
				Description: "Something to do for the campaign", State: herald.TaskStates[i%4],
				AssigneeID: members[i%len(members)].UserID, CampaignID: campaigns[i%len(campaigns)], Position: float64(i),
				Checklist: []herald.ChecklistItem{{Text: "one", Done: true}, {Text: "two"}, {Text: "three"}},
				CreatedBy: owner, CreatedAt: now, UpdatedAt: now}
			if i%3 != 0 {
				t.Due = &due
			}
			if err := tx.CreateTask(ctx, &t); err != nil {
				return err
			}
			if i%50 == 0 {
				c := herald.TaskComment{WorkspaceID: site.ws.ID, TaskID: t.ID, AuthorID: owner, Body: "Looks good", CreatedAt: now}
				if err := tx.CreateTaskComment(ctx, &c); err != nil {
					return err
				}
			}
			if first == 0 {
				first = t.ID
			}
		}
		for i := range benchTaskPosts - benchPosts {
			p := herald.Post{WorkspaceID: site.ws.ID, AuthorID: owner, Text: fmt.Sprintf("Extra draft %d", i),
				CreatedAt: now, UpdatedAt: now, Targets: []herald.Target{{AccountID: site.accts[i%len(site.accts)],
					State: herald.StateDraft, CreatedAt: now, UpdatedAt: now}}}
			if err := tx.CreatePost(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return first
}
