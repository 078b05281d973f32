package herald_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestTargetTransitions(t *testing.T) {
	legal := map[[2]herald.TargetState]bool{}
	for _, tc := range []struct{ from, to herald.TargetState }{
		{herald.StateDraft, herald.StateInReview},
		{herald.StateDraft, herald.StateScheduled},
		{herald.StateInReview, herald.StateApproved},
		{herald.StateInReview, herald.StateDraft},
		{herald.StateApproved, herald.StateScheduled},
		{herald.StateScheduled, herald.StatePublishing},
		{herald.StateScheduled, herald.StateHeld},
		{herald.StatePublishing, herald.StatePublished},
		{herald.StatePublishing, herald.StateRetrying},
		{herald.StatePublishing, herald.StateUnconfirmed},
		{herald.StatePublishing, herald.StateFailed},
		{herald.StateRetrying, herald.StatePublishing},
		{herald.StateUnconfirmed, herald.StatePublished},
		{herald.StateFailed, herald.StateScheduled},
		{herald.StateHeld, herald.StateScheduled},
		{herald.StateHeld, herald.StateInReview},
		{herald.StateCancelled, herald.StateDraft},
	} {
		legal[[2]herald.TargetState{tc.from, tc.to}] = true
		if !herald.CanTransition(tc.from, tc.to) {
			t.Errorf("%s → %s should be legal", tc.from, tc.to)
		}
	}
	for _, tc := range []struct{ from, to herald.TargetState }{
		{herald.StatePublished, herald.StateScheduled},
		{herald.StatePublished, herald.StateDraft},
		{herald.StateDraft, herald.StatePublished},
		{herald.StateDraft, herald.StatePublishing},
		{herald.StateInReview, herald.StateScheduled},
		{herald.StatePublishing, herald.StateScheduled},
		{herald.StatePublishing, herald.StateCancelled},
		{herald.StateHeld, herald.StatePublishing},
		{herald.StateUnconfirmed, herald.StatePublishing},
	} {
		if herald.CanTransition(tc.from, tc.to) {
			t.Errorf("%s → %s should be illegal", tc.from, tc.to)
		}
	}
	// Every state is known and reachable from somewhere or the start.
	for _, s := range herald.TargetStates {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if herald.TargetState("bogus").Valid() {
		t.Error("bogus state valid")
	}
}

func TestTargetTransitionRecords(t *testing.T) {
	now := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	actor := int64(7)
	tg := herald.Target{ID: 3, State: herald.StateScheduled}
	tr, err := tg.Transition(herald.StatePublishing, nil, "due", now)
	if err != nil {
		t.Fatal(err)
	}
	if tr.From != herald.StateScheduled || tr.To != herald.StatePublishing || tr.TargetID != 3 || tr.ActorID != nil || !tr.At.Equal(now) {
		t.Errorf("record %+v", tr)
	}
	if _, err := tg.Transition(herald.StatePublished, &actor, "", now); err != nil {
		t.Fatal(err)
	}
	if tg.PublishedAt == nil || !tg.PublishedAt.Equal(now) {
		t.Errorf("published at %v", tg.PublishedAt)
	}
	_, err = tg.Transition(herald.StateDraft, &actor, "", now)
	if !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("published → draft: %v, want conflict", err)
	}
	if tg.State != herald.StatePublished {
		t.Errorf("a refused move changed the state to %s", tg.State)
	}
	if _, err := tg.Transition("nope", nil, "", now); herald.ErrorCode(err) != herald.CodeInvalid {
		t.Errorf("unknown state: %v", err)
	}
}

func TestPermissions(t *testing.T) {
	for _, tc := range []struct {
		role herald.Role
		act  herald.Action
		want bool
	}{
		{herald.RoleOwner, herald.ActWorkspaceDelete, true},
		{herald.RoleAdmin, herald.ActWorkspaceDelete, false},
		{herald.RoleAdmin, herald.ActMembersManage, true},
		{herald.RoleManager, herald.ActMembersManage, false},
		{herald.RoleManager, herald.ActPostsApprove, true},
		{herald.RoleEditor, herald.ActPostsSchedule, true},
		{herald.RoleEditor, herald.ActPostsApprove, false},
		{herald.RoleContributor, herald.ActPostsWrite, true},
		{herald.RoleContributor, herald.ActPostsSchedule, false},
		{herald.RoleAnalyst, herald.ActPostsWrite, false},
		{herald.RoleAnalyst, herald.ActAnalyticsRead, true},
		{herald.RoleClient, herald.ActPostsApprove, true},
		{herald.RoleClient, herald.ActPostsWrite, false},
		{herald.Role("guest"), herald.ActWorkspaceRead, false},
	} {
		if got := tc.role.Can(tc.act); got != tc.want {
			t.Errorf("%s can %s = %v, want %v", tc.role, tc.act, got, tc.want)
		}
	}
	// Every role may read its workspace; only owners may do everything.
	for _, r := range herald.Roles {
		if !r.Can(herald.ActWorkspaceRead) {
			t.Errorf("%s cannot read the workspace", r)
		}
	}
	for _, a := range herald.Actions {
		if !herald.RoleOwner.Can(a) {
			t.Errorf("owner cannot %s", a)
		}
	}
	err := herald.Actor{Role: herald.RoleAnalyst}.Require(herald.ActPostsWrite)
	if !errors.Is(err, herald.ErrForbidden) || !strings.Contains(err.Error(), "analyst") {
		t.Errorf("Require: %v", err)
	}
	if herald.RoleEditor.Min(herald.RoleAdmin) != herald.RoleEditor || herald.RoleAdmin.Min(herald.RoleClient) != herald.RoleClient {
		t.Error("Min")
	}
	if !herald.RoleAdmin.AtLeast(herald.RoleManager) || herald.RoleEditor.AtLeast(herald.RoleManager) {
		t.Error("AtLeast")
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("saving: %w", herald.NotFound("post"))
	if !errors.Is(err, herald.ErrNotFound) || errors.Is(err, herald.ErrConflict) {
		t.Errorf("Is: %v", err)
	}
	if herald.ErrorCode(err) != herald.CodeNotFound {
		t.Errorf("code %q", herald.ErrorCode(err))
	}
	if herald.ErrorCode(errors.New("boom")) != herald.CodeInternal || herald.ErrorCode(nil) != "" {
		t.Error("ErrorCode of plain error / nil")
	}
	// A non-sentinel error never matches another non-sentinel one by code.
	if errors.Is(herald.NotFound("post"), herald.NotFound("label")) {
		t.Error("two ad-hoc errors compare equal")
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"unknown zone", (&herald.Workspace{Name: "Acme", TimeZone: "Mars/Olympus"}).Validate(), "time_zone"},
		{"empty name", (&herald.Workspace{Name: " ", TimeZone: "UTC"}).Validate(), "name"},
		{"local zone", (&herald.Workspace{Name: "Acme", TimeZone: "Local"}).Validate(), "time_zone"},
		{"bad hashtag", (&herald.Workspace{Name: "Acme", TimeZone: "UTC", BrandRules: herald.BrandRules{RequiredHashtags: []string{"acme"}}}).Validate(), "brand_rules.required_hashtags"},
		{"bad email", (&herald.User{Email: "nope", Name: "Ana"}).Validate(), "email"},
		{"bad colour", (&herald.Label{Name: "x", Color: "red"}).Validate(), "color"},
		{"end before start", (&herald.Campaign{Name: "x", StartDate: "2026-05-02", EndDate: "2026-05-01"}).Validate(), "end_date"},
		{"bad date", (&herald.Campaign{Name: "x", StartDate: "May 2"}).Validate(), "start_date"},
		{"text too long", (&herald.Post{Text: strings.Repeat("a", herald.MaxTextLen+1)}).Validate(), "text"},
		{"duplicate target", (&herald.Post{Targets: []herald.Target{{AccountID: 1}, {AccountID: 1}}}).Validate(), "targets[1].account_id"},
		{"empty thread part", (&herald.Post{Targets: []herald.Target{{AccountID: 1, Variant: herald.Variant{Thread: []herald.ThreadPart{{}}}}}}).Validate(), "targets[0].variant.thread[0].text"},
		{"alt text too long", (&herald.MediaAsset{Filename: "a.png", AltText: strings.Repeat("é", herald.MaxAltTextLen+1)}).Validate(), "alt_text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var he *herald.Error
			if !errors.As(tc.err, &he) || he.Code != herald.CodeInvalid {
				t.Fatalf("got %v, want an invalid error", tc.err)
			}
			for _, d := range he.Details {
				if d.Field == tc.field {
					return
				}
			}
			t.Fatalf("no problem for %s in %+v", tc.field, he.Details)
		})
	}
	ok := herald.Workspace{Name: "Acme", TimeZone: "America/New_York", BrandRules: herald.BrandRules{RequiredHashtags: []string{"#acme"}}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid workspace: %v", err)
	}
	u := herald.User{Email: " Ana@Example.COM ", Name: "Ana"}
	if err := u.Validate(); err != nil || u.Email != "ana@example.com" {
		t.Errorf("user: %v %q", err, u.Email)
	}
}

func TestPageNormalize(t *testing.T) {
	if p := (herald.Page{}).Normalize(); p.Limit != herald.DefaultPageLimit {
		t.Errorf("default %d", p.Limit)
	}
	if p := (herald.Page{Limit: 10_000}).Normalize(); p.Limit != herald.MaxPageLimit {
		t.Errorf("max %d", p.Limit)
	}
}
