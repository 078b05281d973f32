package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// DMFake is what a fake offers the direct-message check, where the
// platform gives direct messages to apps.
type DMFake interface {
	// DirectMessage makes another user send text to the account privately
	// and returns the message's id.
	DirectMessage(acct connector.Account, text string) string
	// DirectSent returns the texts the account sent privately in the
	// conversation, oldest first.
	DirectSent(acct connector.Account, conversationID string) []string
}

func checkDM(t *testing.T, s Setup) {
	r, ok := s.Connector.(connector.DMReader)
	if !ok {
		t.Skip("the platform does not give direct messages to apps")
	}
	df, ok := s.Fake.(DMFake)
	if !ok {
		t.Fatal("the connector reads direct messages but its fake cannot send one (conformance.DMFake)")
	}
	acct := s.Fake.Account(t)
	id := df.DirectMessage(acct, "Can we talk privately?")
	got, cursor, err := r.DirectMessages(ctx(t), acct, "")
	if err != nil {
		t.Fatalf("DirectMessages: %v", err)
	}
	var dm *connector.DirectMessage
	for i := range got {
		if got[i].RemoteID == id {
			dm = &got[i]
		}
	}
	if dm == nil {
		t.Fatalf("DirectMessages did not return %q: %+v", id, got)
	}
	if dm.ConversationID == "" || !strings.Contains(dm.Text, "Can we talk privately?") {
		t.Fatalf("direct message: conversation %q, text %q", dm.ConversationID, dm.Text)
	}
	again, _, err := r.DirectMessages(ctx(t), acct, cursor)
	if err != nil {
		t.Fatalf("DirectMessages from the cursor: %v", err)
	}
	for _, m := range again {
		if m.RemoteID == id {
			t.Errorf("the cursor %q gave %q again", cursor, id)
		}
	}
	snd, ok := s.Connector.(connector.DMSender)
	if !ok {
		return
	}
	before := time.Now().Add(-time.Minute)
	to := herald.RemoteRef{ID: dm.RemoteID, URL: dm.URL, Meta: dm.Meta}
	if _, err := snd.SendDM(ctx(t), acct, dm.ConversationID, to, connector.Part{WorkspaceID: 1, Text: "Sure, write here.",
		Key: "k-dm", Options: map[string]string{}}); err != nil {
		t.Fatalf("SendDM: %v", err)
	}
	sent := df.DirectSent(acct, dm.ConversationID)
	if len(sent) != 1 || !strings.Contains(sent[0], "Sure, write here.") {
		t.Fatalf("the account sent %q in the conversation, want the one answer", sent)
	}
	// The answer is the account's own: reading again does not bring it in.
	mine, _, err := r.DirectMessages(ctx(t), acct, cursor)
	if err != nil {
		t.Fatalf("DirectMessages after the answer: %v", err)
	}
	for _, m := range mine {
		if strings.Contains(m.Text, "Sure, write here.") {
			t.Errorf("DirectMessages returned the account's own answer %q", m.RemoteID)
		}
	}
	if f, ok := s.Connector.(connector.DMFinder); ok {
		if _, found, err := f.FindDM(ctx(t), acct, dm.ConversationID, "Sure, write here.", before); err != nil || !found {
			t.Fatalf("FindDM of the sent answer: found %v, %v", found, err)
		}
		if _, found, err := f.FindDM(ctx(t), acct, dm.ConversationID, "Never sent", before); err != nil || found {
			t.Fatalf("FindDM of a text never sent: found %v, %v", found, err)
		}
	}
}
