package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
)

// withCompetitors turns the competitors page on in e, reading Bluesky
// through a fake where ws has a connected account; it returns the fake.
func (e *env) withCompetitors(ws herald.Workspace) *blueskyfake.Server {
	e.t.Helper()
	t := e.t
	ctx := context.Background()
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "competitors.key"))
	if err != nil {
		t.Fatal(err)
	}
	fake := blueskyfake.New(blueskyfake.Config{})
	u, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	c := bluesky.New(&http.Client{Timeout: 10 * time.Second}, bluesky.WithPLCURL(u), bluesky.WithHandleResolver(u))
	own := fake.CreateAccount("acme.test", "Acme")
	got, err := c.ConnectWithPassword(ctx, own.Handle, own.AppPassword)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Account
	a.WorkspaceID, a.Status = ws.ID, herald.AccountConnected
	if a.Credentials, err = keys.Seal(got.Credentials, a.CredentialsAAD()); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformBluesky, c)
	e.web.d.Competitors = competitor.New(e.store, reg, keys.Open, herald.SystemClock{}, nil)
	return fake
}

// TestCompetitorsPage adds a competitor through the form (after refused
// forms that keep their input and name the field), sets the own brand's
// topic, reads the comparison and share of voice, edits and removes the
// competitor, and checks who may manage competitors.
func TestCompetitorsPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	b := e.browser()
	b.signIn("ana@example.com")
	base := competitorsURL(w.ID)

	if a := b.get(base); a.Status != http.StatusNotFound {
		t.Fatalf("competitors without a service: %d", a.Status)
	}
	listenSvc := e.withListen()
	fake := e.withCompetitors(w)
	rival := fake.CreateAccount("rival.test", "Rival")
	fake.SetFollowCounts(rival.DID, 1200, 30)
	fake.Post(rival.DID, "Our new phone", "", time.Now().Add(-time.Minute))

	a := b.get(base)
	want(t, a, http.StatusOK, `id="competitor-compare"`, `id="competitors-empty"`, `id="voice-empty"`, `id="competitor-add"`,
		`id="voice-data"`, "competitors.js", "uPlot.iife.min.js")
	wantNot(t, a, "/static/missing/")

	actor := herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner}
	members, err := e.store.ListMembers(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Role == herald.RoleOwner {
			actor.UserID = m.UserID
		}
	}
	brand, err := listenSvc.Create(ctx, actor, herald.ListenTopic{Name: "Acme", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}
	rivalTopic, err := listenSvc.Create(ctx, actor, herald.ListenTopic{Name: "Rival", Rules: herald.TopicRule{Any: []string{"rival"}}})
	if err != nil {
		t.Fatal(err)
	}

	// Refused forms: the problem next to its field, the input kept.
	a = b.post(base+"/new", url.Values{"name": {""}, "platform": {"bluesky"}, "handle": {"rival.test"}})
	want(t, a, http.StatusUnprocessableEntity, `id="competitor-add-name-problem"`, "is empty; name the competitor", `value="rival.test"`)
	a = b.post(base+"/new", url.Values{"name": {"Rival"}, "platform": {"bluesky"}, "handle": {"nobody.test"}})
	want(t, a, http.StatusUnprocessableEntity, `id="competitor-add-account-0-handle-problem"`, "was not found on Bluesky",
		`value="nobody.test"`, `value="Rival"`)
	a = b.post(base+"/new", url.Values{"name": {"Rival"}, "platform": {"friendster"}, "handle": {"rival"}})
	want(t, a, http.StatusUnprocessableEntity, `id="competitor-add-account-0-platform-problem"`, "accounts can be tracked on bluesky",
		`<option value="friendster" selected>`)
	a = b.post(base+"/new", url.Values{"name": {"Rival"}, "platform": {"bluesky", ""}, "handle": {"", ""}})
	want(t, a, http.StatusUnprocessableEntity, `id="competitor-add-account-0-handle-problem"`, "is empty")

	a = b.post(base+"/new", url.Values{"name": {"Rival"}, "topic_id": {itoa(rivalTopic.ID)},
		"platform": {"bluesky", "", ""}, "handle": {"@rival.test", "", ""}})
	if a.Status != http.StatusSeeOther || a.Location != base {
		t.Fatalf("create: %d %q\n%s", a.Status, a.Location, a.Body)
	}
	cs, err := e.store.ListCompetitors(ctx, w.ID)
	if err != nil || len(cs) != 1 || len(cs[0].Accounts) != 1 || cs[0].Accounts[0].RemoteID != rival.DID || cs[0].TopicID != rivalTopic.ID {
		t.Fatalf("stored %+v %v", cs, err)
	}
	c := cs[0]
	a = b.post(base+"/new", url.Values{"name": {"RIVAL"}})
	want(t, a, http.StatusConflict, `id="competitor-add-name-problem"`, "is taken by another competitor")

	// The own brand's topic: a bad value, a topic of nowhere, then a good one.
	a = b.post(base+"/settings", url.Values{"own_topic_id": {"abc"}})
	want(t, a, http.StatusUnprocessableEntity, `id="voice-settings-error"`)
	a = b.post(base+"/settings", url.Values{"own_topic_id": {"99999"}})
	want(t, a, http.StatusUnprocessableEntity, `id="own-topic-problem"`, "not a listening topic of this workspace")
	a = b.post(base+"/settings", url.Values{"own_topic_id": {itoa(brand.ID)}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d\n%s", a.Status, a.Body)
	}

	now := time.Now().UTC()
	var ms []herald.ListenMatch
	for i, tp := range []int64{brand.ID, brand.ID, brand.ID, rivalTopic.ID} {
		ms = append(ms, listenMatch(w.ID, tp, fmt.Sprint("m", i), "fan", "text", "neutral", now.Add(-time.Duration(i+1)*time.Second)))
	}
	if _, err := e.store.AddListenMatches(ctx, ms); err != nil {
		t.Fatal(err)
	}
	a = b.get(base + "?days=7")
	want(t, a, http.StatusOK, `id="period-7"`, `id="chart-voice"`, `id="voice-table"`, "75.0% (3)", "25.0% (1)",
		`id="competitor-`+itoa(c.ID)+`"`, "Bluesky: rival.test", "1200", "Our new phone")
	if !strings.Contains(a.Body, `<option value="`+itoa(brand.ID)+`" selected>`) {
		t.Errorf("the own topic is not selected:\n%s", a.Body)
	}
	want(t, a, http.StatusOK, `id="competitors-csv"`, `listen/competitors.csv?days=7"`)

	// The same figures as CSV, for the page's period.
	a = b.get(base + ".csv?days=7")
	today := herald.ListenDay(now)
	if a.Status != http.StatusOK || a.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		a.Header.Get("Content-Disposition") != `attachment; filename="competitors-`+today.AddDate(0, 0, -6).Format("20060102")+
			"-"+today.Format("20060102")+`.csv"` {
		t.Fatalf("csv: %d %v", a.Status, a.Header)
	}
	for _, line := range []string{
		"table,day,brand,own,accounts,followers,follower_growth,posts,posts_per_day,avg_engagements_per_post,mentions,share_of_voice_percent,note\n",
		"\nbrand,,Rival,false,1,1200,",
		"\nvoice_total,,Rival,false,,,,,,,1,25.0,\n",
		// The rival's one match was stored 4 s before now; three days ago nobody was mentioned.
		"\nvoice_day," + herald.ListenDay(now.Add(-4*time.Second)).Format("2006-01-02") + ",Rival,false,,,,,,,1,",
		"\nvoice_day," + today.AddDate(0, 0, -3).Format("2006-01-02") + ",Rival,false,,,,,,,0,,no brand was mentioned\n",
	} {
		if !strings.Contains(a.Body, line) {
			t.Errorf("the csv lacks %q:\n%s", line, a.Body)
		}
	}
	if n := strings.Count(a.Body, "\nvoice_day,"); n != 7*2 {
		t.Errorf("%d voice_day rows, want 7 days × 2 brands:\n%s", n, a.Body)
	}

	// Edit: a refused form keeps the input; then a rename.
	edit := competitorURL(w.ID, c.ID, "edit")
	want(t, b.get(edit), http.StatusOK, `value="Rival"`, `value="rival.test"`)
	a = b.post(edit, url.Values{"name": {" "}, "platform": {"bluesky"}, "handle": {"rival.test"}})
	want(t, a, http.StatusUnprocessableEntity, `id="competitor-edit-name-problem"`)
	a = b.post(edit, url.Values{"name": {"Rival Inc"}, "topic_id": {itoa(rivalTopic.ID)}, "platform": {"bluesky"}, "handle": {"rival.test"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", a.Status, a.Body)
	}
	got, err := e.store.GetCompetitor(ctx, w.ID, c.ID)
	if err != nil || got.Name != "Rival Inc" || len(got.Accounts) != 1 || got.Accounts[0].ID != c.Accounts[0].ID {
		t.Fatalf("after edit %+v %v", got, err)
	}

	// An analyst reads but does not manage.
	an := e.browser()
	an.signIn("ann@example.com")
	a = an.get(base)
	want(t, a, http.StatusOK, "Rival Inc")
	if a := an.get(base + ".csv"); a.Status != http.StatusOK || !strings.Contains(a.Body, "\nbrand,,Rival Inc,false,") {
		t.Fatalf("an analyst's csv: %d\n%s", a.Status, a.Body)
	}
	wantNot(t, a, `id="competitor-add"`, `id="voice-settings"`)
	if a := an.post(base+"/new", url.Values{"name": {"Mine"}}); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst adding: %d", a.Status)
	}
	if a := an.post(competitorURL(w.ID, c.ID, "delete"), url.Values{}); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst removing: %d", a.Status)
	}

	a = b.post(competitorURL(w.ID, c.ID, "delete"), url.Values{})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", a.Status, a.Body)
	}
	if _, err := e.store.GetCompetitor(ctx, w.ID, c.ID); err == nil {
		t.Fatal("the competitor is still there")
	}
	if a := b.get(competitorURL(w.ID, c.ID, "edit")); a.Status != http.StatusNotFound {
		t.Fatalf("editing a removed competitor: %d", a.Status)
	}
}

// competitorInput is a competitor with one Bluesky account.
func competitorInput(name string, topicID int64, handle string) competitor.Input {
	return competitor.Input{Name: name, TopicID: topicID,
		Accounts: []competitor.AccountInput{{Platform: herald.PlatformBluesky, Handle: handle}}}
}
