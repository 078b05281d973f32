package jobs_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// dmPlatform is the fake platform with direct messages scripted in
// process: by the account's token, the messages it holds, each cursor
// being the index of the next one. Token "refused" has no DM access.
type dmPlatform struct {
	*fake.Connector
	mu      sync.Mutex
	msgs    map[string][]connector.DirectMessage
	cursors map[string][]string // the cursors each token was read from
}

func (p *dmPlatform) DirectMessages(_ context.Context, acct connector.Account, cursor string) ([]connector.DirectMessage, string, error) {
	var cr fake.Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return nil, "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cursors[cr.AccessToken] = append(p.cursors[cr.AccessToken], cursor)
	if cr.AccessToken == "refused" {
		return nil, "", &connector.DMRefusedError{Reason: "reconnect to allow direct messages"}
	}
	all := p.msgs[cr.AccessToken]
	from := 0
	if cursor != "" {
		from = int(cursor[0] - '0')
	}
	if from >= len(all) {
		return nil, "", nil
	}
	return all[from:], string(rune('0' + len(all))), nil
}

func (p *dmPlatform) add(token, id, conv, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs[token] = append(p.msgs[token], connector.DirectMessage{ConversationID: conv, Mention: connector.Mention{
		RemoteID: id, AuthorID: "bob", AuthorHandle: "@bob", Text: text, CreatedAt: time.Now().UTC()}})
}

func (p *dmPlatform) readFrom(token string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cursors[token]...)
}

func TestSyncInboxReadsDirectMessages(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			plat := &dmPlatform{Connector: fake.New(nil), msgs: map[string][]connector.DirectMessage{}, cursors: map[string][]string{}}
			d.Connectors.Register(herald.PlatformFake, plat)
			ctx := t.Context()
			_, base := startPlatform(t)
			w := mustWorkspace(t, st)
			alice := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "alice", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "alice"}))
			carol := mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake,
				RemoteID: "refused", Status: herald.AccountConnected},
				fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: "refused"}))
			plat.add("alice", "dm-1", "conv-1", "psst")
			mention := postAs(t, base, "bob", "@refused hello in public", "")

			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: jobs.MinEvery}, d)
			waitFor(t, "alice's DM and carol's mention", func() (bool, error) {
				items, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID})
				return len(items) == 2, err
			})
			dms, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID, Kind: herald.InboxDM})
			if err != nil {
				t.Fatal(err)
			}
			if len(dms) != 1 || dms[0].RemoteID != "dm-1" || !dms[0].Direct || dms[0].ConversationID != "conv-1" || dms[0].AccountID != alice.ID {
				t.Fatalf("direct items %+v, want alice's dm-1 in conv-1", dms)
			}
			// Carol's platform refused her DMs: her mentions came all the same,
			// and the refusal is recorded for the inbox page.
			ms, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ID, AccountID: carol.ID})
			if err != nil || len(ms) != 1 || ms[0].RemoteID != mention.ID || ms[0].Direct {
				t.Fatalf("carol's items %+v (%v), want her public mention", ms, err)
			}
			waitFor(t, "carol's refusal recorded", func() (bool, error) {
				r, err := st.DMRefusals(ctx, w.ID)
				return r[carol.ID] == "reconnect to allow direct messages" && len(r) == 1, err
			})
			got, err := st.GetAccount(ctx, w.ID, carol.ID)
			if err != nil || got.Status != herald.AccountConnected {
				t.Fatalf("carol's account is %q (%v) after the refusal, want still connected", got.Status, err)
			}
			// The next run starts from the DM cursor and adds only the new message.
			plat.add("alice", "dm-2", "conv-1", "still there?")
			waitFor(t, "alice's second DM", func() (bool, error) {
				items, err := st.ListConversation(ctx, w.ID, alice.ID, "conv-1", 0)
				return len(items) == 2, err
			})
			if c, err := st.DMCursor(ctx, w.ID, alice.ID); err != nil || c != "2" {
				t.Fatalf("alice's dm cursor %q (%v), want 2", c, err)
			}
			a, err := st.GetAccount(ctx, w.ID, alice.ID)
			if err != nil || a.InboxCursor == "2" {
				t.Fatalf("alice's inbox cursor %q (%v): the dm cursor must be kept apart", a.InboxCursor, err)
			}
			from := plat.readFrom("alice")
			if len(from) < 2 || from[0] != "" || !slices.Contains(from, "1") {
				t.Fatalf("alice's DMs were read from %q, want \"\" first, then the saved cursor 1", from)
			}
		})
	}
}
