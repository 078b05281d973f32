package task

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// DueHour is the hour of the day, in the workspace's time zone, at which a
// task made from a template set is due.
const DueHour = 17

// TemplateSets returns the workspace's template sets by name.
func (s *Service) TemplateSets(ctx context.Context, actor herald.Actor) ([]herald.TaskTemplateSet, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	sets, err := s.store.ListTaskTemplateSets(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("task: list template sets: %w", err)
	}
	return sets, nil
}

// TemplateSet returns one template set of the workspace.
func (s *Service) TemplateSet(ctx context.Context, actor herald.Actor, id int64) (herald.TaskTemplateSet, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.TaskTemplateSet{}, err
	}
	return getSet(ctx, s.store, actor.WorkspaceID, id)
}

func getSet(ctx context.Context, tx herald.Tx, ws, id int64) (herald.TaskTemplateSet, error) {
	set, err := tx.GetTaskTemplateSet(ctx, ws, id)
	if errors.Is(err, herald.ErrNotFound) {
		return set, &herald.Error{Code: herald.CodeNotFound, Message: fmt.Sprintf("template set %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return set, fmt.Errorf("task: get template set %d: %w", id, err)
	}
	return set, nil
}

// SaveTemplateSet creates a template set (id 0) or replaces the name and
// items of set id.
func (s *Service) SaveTemplateSet(ctx context.Context, actor herald.Actor, id int64, in herald.TaskTemplateSet) (herald.TaskTemplateSet, error) {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return herald.TaskTemplateSet{}, err
	}
	set := herald.TaskTemplateSet{ID: id, WorkspaceID: actor.WorkspaceID, Name: in.Name, Items: in.Items}
	if err := set.Validate(); err != nil {
		return herald.TaskTemplateSet{}, err
	}
	now := s.clock.Now()
	set.UpdatedAt = now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var before any
		if id == 0 {
			set.CreatedAt = now
			if err := tx.CreateTaskTemplateSet(ctx, &set); err != nil {
				return err
			}
		} else {
			old, err := getSet(ctx, tx, actor.WorkspaceID, id)
			if err != nil {
				return err
			}
			before, set.CreatedAt = old, old.CreatedAt
			if err := tx.UpdateTaskTemplateSet(ctx, &set); err != nil {
				return err
			}
		}
		e := herald.NewAudit(actor, "task_template_set.save", "task_template_set", set.ID, before, set, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.TaskTemplateSet{}, fmt.Errorf("task: save template set: %w", err)
	}
	return set, nil
}

// DeleteTemplateSet removes a template set; tasks made from it stay.
func (s *Service) DeleteTemplateSet(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getSet(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTaskTemplateSet(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "task_template_set.delete", "task_template_set", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("task: delete template set %d: %w", id, err)
	}
	return nil
}

// Apply makes one task per item of template set setID, linked to the
// campaign and due OffsetDays after the campaign's start date at DueHour
// in the workspace's zone. An item's person is its assignee while they
// are a member; else the first member (by name) with its role; else
// nobody. Assignees are told.
func (s *Service) Apply(ctx context.Context, actor herald.Actor, setID, campaignID int64) ([]herald.Task, error) {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return nil, err
	}
	var made []herald.Task
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		set, err := getSet(ctx, tx, actor.WorkspaceID, setID)
		if err != nil {
			return err
		}
		c, start, err := campaignStart(ctx, tx, actor.WorkspaceID, campaignID)
		if err != nil {
			return err
		}
		members, err := tx.ListMembers(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		for _, it := range set.Items {
			due := start.AddDate(0, 0, it.OffsetDays)
			t := herald.Task{WorkspaceID: actor.WorkspaceID, Title: it.Title, Description: it.Description,
				AssigneeID: pick(members, it), Due: &due, State: herald.TaskTodo, CampaignID: c.ID,
				Checklist: append([]herald.ChecklistItem(nil), it.Checklist...), CreatedBy: actor.UserID}
			if t, err = s.create(ctx, tx, actor, t, "task.apply_template"); err != nil {
				return err
			}
			made = append(made, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("task: apply template set %d to campaign %d: %w", setID, campaignID, err)
	}
	for _, t := range made {
		s.assigned(ctx, actor, t, 0)
	}
	return made, nil
}

// campaignStart reads a campaign and returns DueHour of its start date in
// the workspace's zone (so that adding days keeps the hour across a
// daylight-saving change).
func campaignStart(ctx context.Context, tx herald.Tx, ws, id int64) (herald.Campaign, time.Time, error) {
	c, err := tx.GetCampaign(ctx, ws, id)
	if errors.Is(err, herald.ErrNotFound) {
		return c, time.Time{}, herald.Problems{{Field: "campaign_id", Problem: fmt.Sprintf("campaign %d is not in this workspace", id)}}.Err("no such campaign")
	}
	if err != nil {
		return c, time.Time{}, err
	}
	if c.StartDate == "" {
		return c, time.Time{}, herald.Problems{{Field: "campaign_id",
			Problem: fmt.Sprintf("campaign %q has no start date: set one, then apply the template set", c.Name)}}.Err("the campaign has no start date")
	}
	loc, err := location(ctx, tx, ws)
	if err != nil {
		return c, time.Time{}, err
	}
	day, err := time.ParseInLocation(time.DateOnly, c.StartDate, loc)
	if err != nil {
		return c, time.Time{}, fmt.Errorf("campaign %d start date: %w", id, err)
	}
	return c, time.Date(day.Year(), day.Month(), day.Day(), DueHour, 0, 0, 0, loc), nil
}

// pick returns who an item of a template set goes to.
func pick(members []herald.Member, it herald.TaskTemplateItem) int64 {
	for _, m := range members {
		if it.AssigneeID != 0 && m.UserID == it.AssigneeID {
			return m.UserID
		}
	}
	for _, m := range members {
		if it.AssigneeRole != "" && m.Role == it.AssigneeRole {
			return m.UserID
		}
	}
	return 0
}

// CopyCampaignTasks copies the tasks of campaign fromCampaignID to
// toCampaignID (both in the actor's workspace), for a duplicated
// campaign: every copy is "to do", due shiftDays later than its original,
// with its checklist unchecked and no post; it keeps its assignee while
// they are still a member. Nobody is notified: the copies are a plan.
func (s *Service) CopyCampaignTasks(ctx context.Context, actor herald.Actor, fromCampaignID, toCampaignID int64, shiftDays int) error {
	if err := actor.Require(herald.ActCampaignsManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		for _, id := range []int64{fromCampaignID, toCampaignID} {
			if _, err := tx.GetCampaign(ctx, actor.WorkspaceID, id); err != nil {
				if errors.Is(err, herald.ErrNotFound) {
					return herald.NotFound(fmt.Sprintf("campaign %d", id))
				}
				return err
			}
		}
		tasks, err := tx.ListTasks(ctx, herald.TaskFilter{WorkspaceID: actor.WorkspaceID, CampaignID: fromCampaignID})
		if err != nil {
			return err
		}
		loc, err := location(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		for _, t := range tasks {
			c := herald.Task{WorkspaceID: actor.WorkspaceID, Title: t.Title, Description: t.Description,
				State: herald.TaskTodo, CampaignID: toCampaignID, CreatedBy: actor.UserID}
			if !t.AssigneeLeft {
				c.AssigneeID = t.AssigneeID
			}
			if t.Due != nil {
				due := t.Due.In(loc).AddDate(0, 0, shiftDays)
				c.Due = &due
			}
			for _, it := range t.Checklist {
				c.Checklist = append(c.Checklist, herald.ChecklistItem{Text: it.Text})
			}
			if _, err := s.create(ctx, tx, actor, c, "task.copy"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("task: copy tasks of campaign %d to %d: %w", fromCampaignID, toCampaignID, err)
	}
	return nil
}

// location returns the workspace's time zone.
func location(ctx context.Context, tx herald.Tx, ws int64) (*time.Location, error) {
	w, err := tx.GetWorkspace(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("task: workspace %d: %w", ws, err)
	}
	return w.Location()
}
