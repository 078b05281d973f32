package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestInboxResponseTarget sets a target on the report page (a bad one is
// refused with the form kept), sees an item that waited too long marked
// overdue and found by the filter, and reads the report and its CSV.
func TestInboxResponseTarget(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "alice")
	items := []herald.InboxItem{{WorkspaceID: w.ID, AccountID: acct.ID, RemoteID: "late-1", AuthorID: "bob",
		AuthorHandle: "@bob", Text: "anyone there?", CreatedAt: time.Now().Add(-5 * time.Hour), FetchedAt: time.Now()}}
	if _, err := e.store.AddInboxItems(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	report := inboxURL(w.ID) + "/report"
	a := b.get(report)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, `id="target-form"`) || !strings.Contains(a.Body, "No target") {
		t.Fatalf("report page %d", a.Status)
	}
	a = b.post(report+"/target", url.Values{"minutes": {"60"}, "always": {"false"}, "day": {"1", "2"}, "start": {"nine"}, "end": {"17:00"}})
	if a.Status != http.StatusUnprocessableEntity || !strings.Contains(a.Body, "is not a time of day") || !strings.Contains(a.Body, `value="nine"`) {
		t.Fatalf("bad start: %d", a.Status)
	}
	a = b.post(report+"/target", url.Values{"minutes": {"60"}, "always": {"true"}, "start": {"09:00"}, "end": {"17:00"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("save target: %d %s", a.Status, a.Body)
	}
	a = b.get(inboxURL(w.ID) + "?overdue=yes")
	if !strings.Contains(a.Body, "anyone there?") || !strings.Contains(a.Body, `class="badge overdue"`) {
		t.Fatalf("the overdue filter does not show the late item marked overdue")
	}
	a = b.get(inboxItemURL(w.ID, items[0].ID))
	if !strings.Contains(a.Body, `id="item-overdue"`) {
		t.Fatal("the item's page does not say it is past the target")
	}
	a = b.get(report + "?days=7")
	if !strings.Contains(a.Body, `id="report-total"`) || !strings.Contains(a.Body, "Answer within 60 minutes") {
		t.Fatalf("report page lacks the table or the target")
	}
	a = b.get(report + ".csv?days=7")
	if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(a.Body, "total,all,All items,1,0,") || !strings.Contains(a.Body, "kind,mention,mention,1") {
		t.Fatalf("csv %d %q:\n%s", a.Status, a.Header.Get("Content-Type"), a.Body)
	}
}
