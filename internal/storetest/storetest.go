// Package storetest is the conformance suite every herald.Store passes.
//
// Each store package calls Run from its own tests with a function that opens
// a fresh, migrated, empty store. The suite speaks only the herald.Store
// contract, so it holds no SQL and no dialect knowledge.
//
// Where the contract in internal/herald leaves a choice open, the suite
// fixes it so that every store behaves the same:
//
//   - A reference to an object that does not exist in the workspace (a
//     post target's account, a post's label or campaign, a member's user) is
//     ErrConflict, like any other foreign-key violation, not ErrNotFound.
//   - Updating, deleting, transitioning or listing the history of an object
//     of another workspace is ErrNotFound, exactly as if it did not exist.
//   - Listing methods fetch one item more than the page to know whether a
//     next page exists, so a listing whose length is a multiple of the limit
//     ends with next == "" on its last full page, never an empty page.
//   - An unreadable cursor is a CodeBadRequest error.
//   - AuditFilter.WorkspaceID always applies: 0 selects installation-wide
//     entries only. PostFilter.WorkspaceID and MediaFilter.WorkspaceID always
//     apply too.
//   - ListTokens and GetTokenByHash include revoked and expired tokens (the
//     caller decides with APIToken.Active); ListInvitations includes expired
//     but not accepted invitations.
//   - Post label ids may come back in any order; targets come back by id.
//   - JSON values (audit before/after) round-trip as the same JSON value,
//     not necessarily the same bytes.
package storetest

import (
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// test is one conformance check against a fresh store.
type test struct {
	name string
	run  func(t *testing.T, s herald.Store)
}

// Run runs the whole suite: one subtest per store area, and in it one
// subtest per check, each with a store from open. open must return a fresh,
// migrated, empty store and register its own cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) herald.Store) {
	t.Helper()
	areas := []struct {
		name  string
		tests []test
	}{
		{"Store", storeTests()},
		{"Installation", installationTests()},
		{"Workspaces", workspaceTests()},
		{"WorkspaceLogo", workspaceLogoTests()},
		{"Users", userTests()},
		{"Members", memberTests()},
		{"Locks", lockTests()},
		{"Invitations", invitationTests()},
		{"Tokens", tokenTests()},
		{"Sessions", sessionTests()},
		{"Accounts", accountTests()},
		{"AccountIdentity", identityTests()},
		{"Posts", postTests()},
		{"PostList", postListTests()},
		{"Targets", targetTests()},
		{"Remote", remoteTests()},
		{"Publish", publishTests()},
		{"Instances", instanceTests()},
		{"Queues", queueTests()},
		{"Jobs", jobTests()},
		{"Connect", connectTests()},
		{"Metrics", metricsTests()},
		{"Analytics", analyticsTests()},
		{"Links", linkTests()},
		{"Reports", reportTests()},
		{"Inbox", inboxTests()},
		{"InboxWork", inboxWorkTests()},
		{"InboxDM", dmTests()},
		{"InboxRules", inboxRuleTests()},
		{"InboxNotes", inboxNoteTests()},
		{"InboxTargets", inboxTargetTests()},
		{"InboxStreams", inboxStreamTests()},
		{"InboxLive", inboxLiveTests()},
		{"Replies", replyTests()},
		{"InboxSync", inboxSyncTests()},
		{"Media", mediaTests()},
		{"Labels", labelTests()},
		{"Campaigns", campaignTests()},
		{"Comments", commentTests()},
		{"Evergreen", evergreenTests()},
		{"Templates", templateTests()},
		{"Tasks", taskTests()},
		{"ReviewLinks", reviewTests()},
		{"Snippets", snippetTests()},
		{"Feeds", feedTests()},
		{"Webhooks", webhookTests()},
		{"Notifications", notificationTests()},
		{"Listen", listenTests()},
		{"Crisis", crisisTests()},
		{"Competitors", competitorTests()},
		{"Playbook", playbookTests()},
		{"Audit", auditTests()},
		{"Tx", txTests()},
		{"WholeTx", wholeTests()},
		{"Time", timeTests()},
	}
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			for _, tc := range a.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					tc.run(t, s)
				})
			}
		})
	}
}
