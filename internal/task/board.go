package task

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ColumnLimit is how many tasks of one column the board shows; the rest
// are counted, and filters narrow them down.
const ColumnLimit = 50

// MyWorkLimit is how many open tasks My work shows.
const MyWorkLimit = 200

// Due filters of the board.
const (
	DueAny     = ""
	DueOverdue = "overdue" // open and past its due time
	DueWeek    = "week"    // due within the next seven days (or overdue)
)

// BoardFilter narrows the board: AssigneeID (-1: unassigned), CampaignID
// and Due (DueOverdue, DueWeek) when set.
type BoardFilter struct {
	AssigneeID int64
	CampaignID int64
	Due        string
}

// Column is one state of the board: its first ColumnLimit tasks in order
// and how many it holds in all.
type Column struct {
	State herald.TaskState
	Tasks []herald.Task
	Total int
}

// Board returns the board's columns in order.
func (s *Service) Board(ctx context.Context, actor herald.Actor, bf BoardFilter) ([]Column, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	f := herald.TaskFilter{WorkspaceID: actor.WorkspaceID, AssigneeID: bf.AssigneeID, CampaignID: bf.CampaignID,
		Limit: ColumnLimit}
	now := s.clock.Now()
	switch bf.Due {
	case DueAny:
	case DueOverdue:
		f.DueBefore = &now
	case DueWeek:
		week := now.Add(7 * 24 * time.Hour)
		f.DueBefore = &week
	default:
		return nil, herald.Problems{{Field: "due", Problem: fmt.Sprintf("%q is not a due filter: use overdue or week", bf.Due)}}.Err("the filter is not valid")
	}
	counts, err := s.store.CountTasks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("task: board counts: %w", err)
	}
	cols := make([]Column, 0, len(herald.TaskStates))
	for _, st := range herald.TaskStates {
		c := Column{State: st, Total: counts[st], Tasks: []herald.Task{}}
		if c.Total > 0 && !(st == herald.TaskDone && bf.Due == DueOverdue) {
			f.State = st
			if c.Tasks, err = s.store.ListTasks(ctx, f); err != nil {
				return nil, fmt.Errorf("task: board column %s: %w", st, err)
			}
		}
		if st == herald.TaskDone && bf.Due == DueOverdue {
			c.Total = 0 // a done task is never overdue
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// MyWork returns the actor's open tasks, overdue and soonest due first,
// those without a due time last.
func (s *Service) MyWork(ctx context.Context, actor herald.Actor) ([]herald.Task, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ts, err := s.store.ListTasks(ctx, herald.TaskFilter{WorkspaceID: actor.WorkspaceID, AssigneeID: actor.UserID,
		OpenOnly: true, Order: herald.TaskByDue, Limit: MyWorkLimit})
	if err != nil {
		return nil, fmt.Errorf("task: my work: %w", err)
	}
	return ts, nil
}
