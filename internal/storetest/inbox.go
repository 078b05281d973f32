package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustInbox adds one item from author to the account and returns it.
func mustInbox(t *testing.T, s herald.Tx, ws, account int64, author, text string, created time.Duration) herald.InboxItem {
	t.Helper()
	it := []herald.InboxItem{{WorkspaceID: ws, AccountID: account, RemoteID: "r-" + unique(), AuthorID: author,
		AuthorHandle: "@" + author, AuthorName: "Name " + author, Text: text, CreatedAt: at(created),
		FetchedAt: at(created + time.Minute)}}
	n, err := s.AddInboxItems(t.Context(), it)
	noErr(t, err, "AddInboxItems")
	if n != 1 || it[0].ID == 0 || it[0].State != herald.InboxOpen {
		t.Fatalf("AddInboxItems added %d, id %d, state %q; want one open item", n, it[0].ID, it[0].State)
	}
	return it[0]
}

func inboxList(t *testing.T, s herald.Tx, f herald.InboxFilter) []int64 {
	t.Helper()
	items, _, err := s.ListInbox(t.Context(), f)
	noErr(t, err, "ListInbox")
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func inboxWorkTests() []test {
	return []test{
		{"StatesAssignAndResponse", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			a := mustInbox(t, s, w.ws.ID, w.account.ID, "a1", "one", 0)
			b := mustInbox(t, s, w.ws.ID, w.account.ID, "a2", "two", time.Second)
			other := mustWorld(t, s)
			o := mustInbox(t, s, other.ws.ID, other.account.ID, "a3", "elsewhere", 0)

			n, err := s.CountOpenInbox(ctx, w.ws.ID)
			noErr(t, err, "CountOpenInbox")
			if n != 2 {
				t.Fatalf("open count %d, want 2", n)
			}
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{a.ID, b.ID, a.ID}, herald.InboxDone, w.owner.ID, at(time.Hour)),
				"SetInboxState done")
			got, err := s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			if got.State != herald.InboxDone || got.DoneBy == nil || *got.DoneBy != w.owner.ID || got.StateChangedAt == nil {
				t.Fatalf("after done: state %q, done by %v, changed %v", got.State, got.DoneBy, got.StateChangedAt)
			}
			wantTime(t, "state changed at", *got.StateChangedAt, at(time.Hour))
			// Setting the same state again keeps when it changed.
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{a.ID}, herald.InboxDone, w.owner.ID, at(2*time.Hour)), "SetInboxState again")
			got, err = s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			wantTime(t, "state changed at after a repeat", *got.StateChangedAt, at(time.Hour))
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{a.ID}, herald.InboxPending, w.owner.ID, at(3*time.Hour)), "SetInboxState pending")
			got, err = s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			if got.State != herald.InboxPending || got.DoneBy != nil {
				t.Fatalf("after pending: state %q, done by %v; want pending and nobody", got.State, got.DoneBy)
			}
			n, err = s.CountOpenInbox(ctx, w.ws.ID)
			noErr(t, err, "CountOpenInbox")
			if n != 0 {
				t.Fatalf("open count %d after done and pending, want 0", n)
			}
			// One id of another workspace: nothing changes.
			wantNotFound(t, s.SetInboxState(ctx, w.ws.ID, []int64{b.ID, o.ID}, herald.InboxOpen, w.owner.ID, at(4*time.Hour)),
				"SetInboxState with another workspace's item")
			got, err = s.GetInboxItem(ctx, w.ws.ID, b.ID)
			noErr(t, err, "GetInboxItem")
			if got.State != herald.InboxDone {
				t.Fatalf("a refused bulk change moved item %d to %q", b.ID, got.State)
			}

			noErr(t, s.AssignInbox(ctx, w.ws.ID, []int64{a.ID, b.ID}, &w.owner.ID), "AssignInbox")
			got, err = s.GetInboxItem(ctx, w.ws.ID, b.ID)
			noErr(t, err, "GetInboxItem")
			if got.AssignedTo == nil || *got.AssignedTo != w.owner.ID {
				t.Fatalf("assigned to %v, want %d", got.AssignedTo, w.owner.ID)
			}
			wantNotFound(t, s.AssignInbox(ctx, w.ws.ID, []int64{o.ID}, nil), "AssignInbox of another workspace's item")
			noErr(t, s.AssignInbox(ctx, w.ws.ID, []int64{b.ID}, nil), "AssignInbox to nobody")
			got, err = s.GetInboxItem(ctx, w.ws.ID, b.ID)
			noErr(t, err, "GetInboxItem")
			if got.AssignedTo != nil {
				t.Fatalf("unassigned item is assigned to %d", *got.AssignedTo)
			}

			noErr(t, s.MarkInboxResponded(ctx, w.ws.ID, a.ID, at(5*time.Hour)), "MarkInboxResponded")
			noErr(t, s.MarkInboxResponded(ctx, w.ws.ID, a.ID, at(6*time.Hour)), "MarkInboxResponded again")
			got, err = s.GetInboxItem(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetInboxItem")
			if got.FirstResponseAt == nil {
				t.Fatal("first response not recorded")
			}
			wantTime(t, "first response", *got.FirstResponseAt, at(5*time.Hour))
			wantNotFound(t, s.MarkInboxResponded(ctx, w.ws.ID, o.ID, at(0)), "MarkInboxResponded in another workspace")
		}},
		{"ReopenWhenTheAuthorWritesAgain", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			second := mustAccount(t, s, w.ws.ID)
			old := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "first", 0)
			latest := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "second", time.Second)
			bo := mustInbox(t, s, w.ws.ID, w.account.ID, "bo", "other author", 2*time.Second)
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{old.ID, latest.ID, bo.ID}, herald.InboxDone, w.owner.ID, at(time.Hour)),
				"SetInboxState")
			// The same author on another account, and another author: no change.
			mustInbox(t, s, w.ws.ID, second.ID, "ana", "to the other account", 3*time.Second)
			mustInbox(t, s, w.ws.ID, w.account.ID, "cy", "someone else", 4*time.Second)
			for _, id := range []int64{old.ID, latest.ID, bo.ID} {
				got, err := s.GetInboxItem(ctx, w.ws.ID, id)
				noErr(t, err, "GetInboxItem")
				if got.State != herald.InboxDone {
					t.Fatalf("item %d reopened by another account's or author's item", id)
				}
			}
			// Ana writes again to the account: her latest item reopens.
			again := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "hello again", 5*time.Second)
			got, err := s.GetInboxItem(ctx, w.ws.ID, latest.ID)
			noErr(t, err, "GetInboxItem")
			if got.State != herald.InboxOpen || got.DoneBy != nil || got.StateChangedAt == nil {
				t.Fatalf("latest earlier item: state %q, done by %v; want open", got.State, got.DoneBy)
			}
			wantTime(t, "reopened at", *got.StateChangedAt, again.FetchedAt)
			got, err = s.GetInboxItem(ctx, w.ws.ID, old.ID)
			noErr(t, err, "GetInboxItem")
			if got.State != herald.InboxDone {
				t.Fatalf("an older item of the author reopened too: %q", got.State)
			}
		}},
		{"RemoteEditAndDeletion", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			it := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "the parcel arrived", 0)
			found, err := s.FindInboxItem(ctx, w.account.ID, it.RemoteID)
			noErr(t, err, "FindInboxItem")
			if found.ID != it.ID {
				t.Fatalf("FindInboxItem found %d, want %d", found.ID, it.ID)
			}
			_, err = s.FindInboxItem(ctx, w.account.ID, "no-such-post")
			wantNotFound(t, err, "FindInboxItem of an unknown post")
			noErr(t, s.ChangeInboxRemote(ctx, w.ws.ID, it.ID, herald.InboxRemoteChange{Text: "the parcel arrived damaged",
				EditedAt: ptr(at(time.Hour))}), "ChangeInboxRemote edit")
			got, err := s.GetInboxItem(ctx, w.ws.ID, it.ID)
			noErr(t, err, "GetInboxItem")
			if got.Text != "the parcel arrived damaged" || got.EditedAt == nil || got.DeletedAt != nil {
				t.Fatalf("after the edit: %q edited %v deleted %v", got.Text, got.EditedAt, got.DeletedAt)
			}
			wantTime(t, "edited at", *got.EditedAt, at(time.Hour))
			wantIDs(t, "search the edited text", inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Search: "damaged"}),
				[]int64{it.ID})
			noErr(t, s.ChangeInboxRemote(ctx, w.ws.ID, it.ID, herald.InboxRemoteChange{DeletedAt: ptr(at(2 * time.Hour))}),
				"ChangeInboxRemote delete")
			// Found deleted again later: the first time stands.
			noErr(t, s.ChangeInboxRemote(ctx, w.ws.ID, it.ID, herald.InboxRemoteChange{DeletedAt: ptr(at(3 * time.Hour))}),
				"ChangeInboxRemote delete again")
			got, err = s.GetInboxItem(ctx, w.ws.ID, it.ID)
			noErr(t, err, "GetInboxItem")
			if got.DeletedAt == nil || got.Text != "the parcel arrived damaged" {
				t.Fatalf("after the deletion: %q deleted %v", got.Text, got.DeletedAt)
			}
			wantTime(t, "deleted at", *got.DeletedAt, at(2*time.Hour))
			other := mustWorld(t, s)
			wantNotFound(t, s.ChangeInboxRemote(ctx, other.ws.ID, it.ID, herald.InboxRemoteChange{DeletedAt: ptr(at(0))}),
				"change another workspace's item")
		}},
		{"ToCheck", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			old := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "last week", -7*24*time.Hour)
			a := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "one", 0)
			b := mustInbox(t, s, w.ws.ID, w.account.ID, "bo", "two", time.Minute)
			c := mustInbox(t, s, w.ws.ID, w.account.ID, "cy", "three", 2*time.Minute)
			gone := mustInbox(t, s, w.ws.ID, w.account.ID, "dee", "four", 3*time.Minute)
			noErr(t, s.ChangeInboxRemote(ctx, w.ws.ID, gone.ID, herald.InboxRemoteChange{DeletedAt: ptr(at(time.Hour))}), "delete")
			dm := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "dm-" + unique(), AuthorID: "eve",
				Text: "psst", Direct: true, ConversationID: "c1", CreatedAt: at(4 * time.Minute), FetchedAt: at(4 * time.Minute)}}
			_, err := s.AddInboxItems(ctx, dm)
			noErr(t, err, "AddInboxItems")
			other := mustWorld(t, s)
			mustInbox(t, s, other.ws.ID, other.account.ID, "fay", "elsewhere", 0)
			since := at(-24 * time.Hour)
			ids := func(checkedBefore time.Time, limit int) []int64 {
				t.Helper()
				items, err := s.InboxToCheck(ctx, w.account.ID, since, checkedBefore, limit)
				noErr(t, err, "InboxToCheck")
				var out []int64
				for _, it := range items {
					out = append(out, it.ID)
				}
				return out
			}
			// Never checked: newest first; not the old one, the deleted
			// one, the direct message or another account's.
			wantIDs(t, "never checked", ids(at(time.Hour), 10), []int64{c.ID, b.ID, a.ID})
			noErr(t, s.MarkInboxChecked(ctx, []int64{c.ID, b.ID}, at(time.Hour)), "MarkInboxChecked")
			wantIDs(t, "after checking two", ids(at(time.Hour), 10), []int64{a.ID})
			noErr(t, s.MarkInboxChecked(ctx, []int64{a.ID}, at(2*time.Hour)), "MarkInboxChecked")
			noErr(t, s.MarkInboxChecked(ctx, []int64{b.ID}, at(90*time.Minute)), "MarkInboxChecked again")
			// Longest unchecked first.
			wantIDs(t, "all due again", ids(at(3*time.Hour), 10), []int64{c.ID, b.ID, a.ID})
			wantIDs(t, "a page of one", ids(at(3*time.Hour), 1), []int64{c.ID})
			if got := ids(at(3*time.Hour), 10); len(got) == 0 || got[0] == old.ID {
				t.Fatalf("the week-old item is due: %v", got)
			}
		}},
		{"BatchArrival", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			old := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "first", 0)
			latest := mustInbox(t, s, w.ws.ID, w.account.ID, "ana", "second", time.Second)
			bo := mustInbox(t, s, w.ws.ID, w.account.ID, "bo", "bo's", 2*time.Second)
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{old.ID, latest.ID, bo.ID}, herald.InboxPending, w.owner.ID, at(time.Hour)),
				"SetInboxState")
			// One batch: Ana twice, a repeat of an item in the batch, one
			// already stored, Cy new; the order of the batch is the order
			// of the ids.
			item := func(remote, author string, due bool) herald.InboxItem {
				return herald.InboxItem{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: remote, AuthorID: author,
					AuthorHandle: "@" + author, Text: "hi from " + author, CreatedAt: at(3 * time.Hour), FetchedAt: at(4 * time.Hour),
					InboxAnalysis: herald.InboxAnalysis{Sentiment: herald.SentimentNeutral, LanguageDue: due}}
			}
			p := "b-" + unique()
			batch := []herald.InboxItem{item(p+"1", "ana", true), item(p+"2", "cy", false), item(p+"1", "ana", true),
				item(p+"3", "ana", true), item(old.RemoteID, "ana", false)}
			n, err := s.AddInboxItems(ctx, batch)
			noErr(t, err, "AddInboxItems")
			if n != 3 {
				t.Fatalf("added %d, want 3", n)
			}
			if batch[0].ID == 0 || batch[1].ID <= batch[0].ID || batch[3].ID <= batch[1].ID || batch[2].ID != 0 || batch[4].ID != 0 {
				t.Fatalf("ids %d %d %d %d %d: want rising ids for the new items, 0 for the repeat and the stored one",
					batch[0].ID, batch[1].ID, batch[2].ID, batch[3].ID, batch[4].ID)
			}
			// Ana's latest earlier item reopened, once; the older one and
			// Bo's stay as they were.
			for id, want := range map[int64]herald.InboxState{latest.ID: herald.InboxOpen, old.ID: herald.InboxPending,
				bo.ID: herald.InboxPending, batch[0].ID: herald.InboxOpen} {
				got, err := s.GetInboxItem(ctx, w.ws.ID, id)
				noErr(t, err, "GetInboxItem")
				if got.State != want {
					t.Fatalf("item %d is %q, want %q", id, got.State, want)
				}
			}
			// Items whose language is due are waiting for it; once saved,
			// they are not.
			todo, err := s.UnanalysedInbox(ctx, 100)
			noErr(t, err, "UnanalysedInbox")
			var due []int64
			for _, it := range todo {
				if it.WorkspaceID == w.ws.ID && it.Sentiment != "" {
					due = append(due, it.ID)
				}
			}
			wantIDs(t, "language due", due, []int64{batch[0].ID, batch[3].ID})
			batch[0].Language, batch[3].Language = "de", ""
			noErr(t, s.SetInboxLanguages(ctx, []herald.InboxItem{batch[0], batch[3]}), "SetInboxLanguages")
			got, err := s.GetInboxItem(ctx, w.ws.ID, batch[0].ID)
			noErr(t, err, "GetInboxItem")
			if got.Language != "de" {
				t.Fatalf("language %q, want de", got.Language)
			}
			todo, err = s.UnanalysedInbox(ctx, 100)
			noErr(t, err, "UnanalysedInbox")
			for _, it := range todo {
				if it.WorkspaceID == w.ws.ID && it.Sentiment != "" {
					t.Fatalf("item %d still waits for its language", it.ID)
				}
			}
		}},
		{"Filters", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			u := mustUser(t, s)
			mustMember(t, s, w.ws.ID, u.ID, herald.RoleEditor)
			fake := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "f-" + unique(),
				Handle: "@f", Status: herald.AccountConnected}
			noErr(t, s.CreateAccount(ctx, &fake), "CreateAccount")
			tg := mustPublished(t, s, w, w.account, "ours-"+unique(), at(-time.Hour))
			reply := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "rp-" + unique(),
				AuthorID: "ana", AuthorHandle: "@ana", AuthorName: "Ana Lima", Text: "Love THIS post",
				ReplyToRemoteID: tg.RemoteID, CreatedAt: at(0), FetchedAt: at(time.Minute)}}
			_, err := s.AddInboxItems(ctx, reply)
			noErr(t, err, "AddInboxItems")
			r := reply[0]
			m := mustInbox(t, s, w.ws.ID, w.account.ID, "bo", "a 100% mention", time.Hour)
			f := mustInbox(t, s, w.ws.ID, fake.ID, "cy", "on the fake platform", 2*time.Hour)
			noErr(t, s.SetInboxState(ctx, w.ws.ID, []int64{f.ID}, herald.InboxPending, u.ID, at(3*time.Hour)), "SetInboxState")
			noErr(t, s.AssignInbox(ctx, w.ws.ID, []int64{m.ID}, &u.ID), "AssignInbox")
			since, until := at(30*time.Minute), at(2*time.Hour)
			ws := w.ws.ID
			for name, c := range map[string]struct {
				f    herald.InboxFilter
				want []int64
			}{
				"all":            {herald.InboxFilter{}, []int64{f.ID, m.ID, r.ID}},
				"account":        {herald.InboxFilter{AccountID: fake.ID}, []int64{f.ID}},
				"platform":       {herald.InboxFilter{Platform: herald.PlatformMastodon}, []int64{m.ID, r.ID}},
				"replies":        {herald.InboxFilter{Kind: herald.InboxReply}, []int64{r.ID}},
				"mentions":       {herald.InboxFilter{Kind: herald.InboxMention}, []int64{f.ID, m.ID}},
				"open":           {herald.InboxFilter{State: herald.InboxOpen}, []int64{m.ID, r.ID}},
				"pending":        {herald.InboxFilter{State: herald.InboxPending}, []int64{f.ID}},
				"assignee":       {herald.InboxFilter{AssigneeID: u.ID}, []int64{m.ID}},
				"unassigned":     {herald.InboxFilter{AssigneeID: -1}, []int64{f.ID, r.ID}},
				"author":         {herald.InboxFilter{AccountID: w.account.ID, AuthorID: "ana"}, []int64{r.ID}},
				"since":          {herald.InboxFilter{Since: &since}, []int64{f.ID, m.ID}},
				"until":          {herald.InboxFilter{Until: &until}, []int64{m.ID, r.ID}},
				"range":          {herald.InboxFilter{Since: &since, Until: &until}, []int64{m.ID}},
				"search text":    {herald.InboxFilter{Search: "love this"}, []int64{r.ID}},
				"search handle":  {herald.InboxFilter{Search: "@BO"}, []int64{m.ID}},
				"search name":    {herald.InboxFilter{Search: "lima"}, []int64{r.ID}},
				"search literal": {herald.InboxFilter{Search: "100%"}, []int64{m.ID}},
				"search none":    {herald.InboxFilter{Search: "_"}, nil},
				"combined":       {herald.InboxFilter{State: herald.InboxOpen, Kind: herald.InboxMention, AssigneeID: u.ID}, []int64{m.ID}},
			} {
				c.f.WorkspaceID = ws
				wantIDs(t, name, inboxList(t, s, c.f), c.want)
			}
			c := herald.InboxFilter{WorkspaceID: mustWorld(t, s).ws.ID, Search: "love"}
			wantIDs(t, "another workspace", inboxList(t, s, c), nil)
		}},
	}
}
