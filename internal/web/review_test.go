package web

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/review"
)

// reviewWorld is a workspace with a campaign of two posts in review, a
// post outside it, and a manager signed in.
type reviewWorld struct {
	e                  *env
	owner, author      herald.User
	ws                 herald.Workspace
	campaign           herald.Campaign
	first, second, out herald.Post
	manager            *browser
}

func newReviewWorld(t *testing.T) *reviewWorld {
	t.Helper()
	e := newEnv(t)
	rw := &reviewWorld{e: e}
	rw.owner, rw.ws = e.owner("owner@example.com", "Acme")
	e.member(rw.ws, "manager@example.com", herald.RoleManager)
	rw.author = e.member(rw.ws, "writer@example.com", herald.RoleContributor)
	acct := e.account(rw.owner, rw.ws, "acme")
	ctx := context.Background()
	var err error
	rw.campaign, err = e.campaigns.Create(ctx, herald.Actor{UserID: rw.owner.ID, WorkspaceID: rw.ws.ID, Role: herald.RoleOwner},
		herald.Campaign{Name: "Spring launch"})
	if err != nil {
		t.Fatal(err)
	}
	writer := herald.Actor{UserID: rw.author.ID, WorkspaceID: rw.ws.ID, Role: herald.RoleContributor}
	mk := func(text string, inCampaign bool, d time.Duration) herald.Post {
		at := time.Now().Add(d).UTC().Truncate(time.Second)
		in := herald.Post{Text: text, Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}
		if inCampaign {
			in.CampaignID = &rw.campaign.ID
		}
		p, err := e.posts.Create(ctx, writer, in, post.ActionSubmit)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	rw.first = mk("Spring is here #spring https://acme.example/spring", true, 48*time.Hour)
	rw.second = mk("Spring sale starts Monday", true, 72*time.Hour)
	rw.out = mk("Our secret roadmap", false, 48*time.Hour)
	rw.manager = e.browser()
	rw.manager.signIn("manager@example.com")
	return rw
}

// create makes a link through Settings › Review links and returns its path.
func (rw *reviewWorld) create(t *testing.T, form url.Values) string {
	t.Helper()
	a := rw.manager.post(reviewLinksURL(rw.ws.ID), form)
	want(t, a, http.StatusCreated, "Copy its address now")
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the answer with the address may be cached: %q", a.Header.Get("Cache-Control"))
	}
	m := regexp.MustCompile(`/review/hrev_[A-Za-z0-9_-]+`).FindString(a.Body)
	if m == "" {
		t.Fatalf("no review address in the answer:\n%s", a.Body)
	}
	return m
}

func TestReviewLinkPages(t *testing.T) {
	rw := newReviewWorld(t)
	e := rw.e
	campaignID := itoa(rw.campaign.ID)

	// Settings › Review links is the managers'; a contributor is refused.
	writer := e.browser()
	writer.signIn("writer@example.com")
	want(t, writer.get(reviewLinksURL(rw.ws.ID)), http.StatusForbidden)
	want(t, writer.post(reviewLinksURL(rw.ws.ID), url.Values{"review-name": {"x"}, "scope": {"campaign"}, "campaign_id": {campaignID}}), http.StatusForbidden)

	// The campaign page offers a link; the form names what is wrong.
	want(t, rw.manager.get(campaignsURL(rw.ws.ID)), http.StatusOK, "Client review link")
	want(t, rw.manager.get(reviewLinksURL(rw.ws.ID)+"?campaign="+campaignID), http.StatusOK, `value="`+campaignID+`" selected`)
	want(t, rw.manager.post(reviewLinksURL(rw.ws.ID), url.Values{"review-name": {""}, "scope": {"campaign"}, "campaign_id": {campaignID}}),
		http.StatusUnprocessableEntity, "name: is empty")
	want(t, rw.manager.post(reviewLinksURL(rw.ws.ID), url.Values{"review-name": {"Acme"}, "scope": {"dates"}, "from": {"2026-03-10"}, "to": {"2026-03-01"}}),
		http.StatusUnprocessableEntity, "to: must be after from")

	path := rw.create(t, url.Values{"review-name": {"Acme marketing team"}, "scope": {"campaign"}, "campaign_id": {campaignID},
		"password": {"open sesame please"}})
	token := strings.TrimPrefix(path, "/review/")
	e.mustNotStoreInSessions(token)
	want(t, rw.manager.get(reviewLinksURL(rw.ws.ID)), http.StatusOK, "Acme marketing team", "the campaign “Spring launch”", "works until")

	// The client: password first, nothing of the posts before it.
	client := e.browser()
	a := client.get(path)
	want(t, a, http.StatusOK, "Password")
	wantNot(t, a, "Spring is here", "Spring sale")
	want(t, client.post(path+"/posts/"+itoa(rw.first.ID)+"/decide", url.Values{"verdict": {"approve"}}), http.StatusSeeOther)
	want(t, client.post(path+"/password", url.Values{"password": {"wrong one"}}), http.StatusUnauthorized, "not the password")
	want(t, client.post(path+"/password", url.Values{"password": {"open sesame please"}}), http.StatusSeeOther)
	a = client.get(path)
	want(t, a, http.StatusOK, "Spring is here", "Spring sale starts Monday", "Approve", "Request changes", `class="pv-tag"`)
	wantNot(t, a, "Our secret roadmap")
	if strings.Index(a.Body, "Spring is here") > strings.Index(a.Body, "Spring sale") {
		t.Error("posts are not in time order")
	}

	// Decisions: changes need a comment (kept when refused); a post out of scope is not found.
	a = client.post(path+"/posts/"+itoa(rw.second.ID)+"/decide", url.Values{"verdict": {"request_changes"}, "comment": {"  "}})
	want(t, a, http.StatusUnprocessableEntity, "comment: is empty")
	a = client.post(path+"/posts/"+itoa(rw.out.ID)+"/decide", url.Values{"verdict": {"approve"}})
	want(t, a, http.StatusNotFound, "not part of this review")
	wantNot(t, a, "Our secret roadmap")
	want(t, client.post(path+"/posts/"+itoa(rw.first.ID)+"/decide", url.Values{"verdict": {"approve"}, "comment": {"Lovely"}}), http.StatusSeeOther)
	want(t, client.post(path+"/posts/"+itoa(rw.second.ID)+"/decide", url.Values{"verdict": {"request_changes"}, "comment": {"Say 20% off"}}), http.StatusSeeOther)
	a = client.get(path)
	want(t, a, http.StatusOK, "the team was told what to change", "You approved", "You asked for changes")

	// The team sees both, under the link's name.
	mgr := herald.Actor{UserID: rw.owner.ID, WorkspaceID: rw.ws.ID, Role: herald.RoleOwner}
	p1, err := e.posts.Get(context.Background(), mgr, rw.first.ID)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.posts.Get(context.Background(), mgr, rw.second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p1.Targets[0].State != herald.StateApproved || p2.Targets[0].State != herald.StateDraft {
		t.Fatalf("states %s and %s, want approved and draft", p1.Targets[0].State, p2.Targets[0].State)
	}
	want(t, rw.manager.get(postURL(rw.ws.ID, rw.second.ID)), http.StatusOK, "Client review", "Acme marketing team", "Say 20% off",
		"by Acme marketing team (review link)")
	owner := e.browser()
	owner.signIn("owner@example.com")
	want(t, owner.get(settingsURL(rw.ws.ID, "audit")), http.StatusOK, "Acme marketing team (review link)")
	detail := rw.manager.get(reviewLinksURL(rw.ws.ID))
	id := regexp.MustCompile(`review-links/(\d+)`).FindStringSubmatch(detail.Body)
	if id == nil {
		t.Fatal("no link to the link's page")
	}
	want(t, rw.manager.get(reviewLinksURL(rw.ws.ID)+"/"+id[1]), http.StatusOK, "approved", "asked for changes", "Say 20% off")

	// Revoked: 410, naming whom to ask, and nothing of the workspace.
	want(t, rw.manager.post(reviewLinksURL(rw.ws.ID)+"/"+id[1]+"/revoke", nil), http.StatusSeeOther)
	a = client.get(path)
	want(t, a, http.StatusGone, "was revoked on", "Ask manager for a new one")
	wantNot(t, a, "Spring is here", "Acme</p>", "Posts of")
	want(t, client.post(path+"/posts/"+itoa(rw.first.ID)+"/decide", url.Values{"verdict": {"approve"}}), http.StatusGone)
}

func TestReviewLinkRefusals(t *testing.T) {
	rw := newReviewWorld(t)
	e := rw.e
	path := rw.create(t, url.Values{"review-name": {"Acme"}, "scope": {"campaign"}, "campaign_id": {itoa(rw.campaign.ID)},
		"password": {"open sesame please"}})

	// Unknown addresses are 404 and name nothing.
	anon := e.browser()
	for _, p := range []string{"/review/hrev_nope", "/review/nothing", path + "x"} {
		a := anon.get(p)
		want(t, a, http.StatusNotFound, "not a review link")
		wantNot(t, a, "Acme")
	}

	// Wrong passwords: five from one address, then refused with a wait,
	// even for the right one; the team still signs in.
	for range 5 {
		want(t, anon.post(path+"/password", url.Values{"password": {"guess"}}), http.StatusUnauthorized)
	}
	a := anon.post(path+"/password", url.Values{"password": {"open sesame please"}})
	want(t, a, http.StatusTooManyRequests, "too many wrong passwords")
	if a.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	e.browser().signIn("manager@example.com")

	// Media: only what a post in scope uses, only once unlocked.
	want(t, anon.get(path+"/media/1"), http.StatusNotFound)

	// Expired: 410 with the day it expired.
	token := "hrev_expiredtokenexpiredtokenexpiredtoken01"
	h := sha256.Sum256([]byte(token))
	past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	l := herald.ReviewLink{WorkspaceID: rw.ws.ID, Name: "Old", CampaignID: &rw.campaign.ID, TokenHash: h[:],
		ExpiresAt: past, CreatedBy: rw.owner.ID, CreatedAt: past.Add(-time.Hour)}
	if err := e.store.CreateReviewLink(context.Background(), &l); err != nil {
		t.Fatal(err)
	}
	a = anon.get(review.Path(token))
	want(t, a, http.StatusGone, "expired on "+past.Format("2 January 2006"), "Ask owner for a new one")
	wantNot(t, a, "Spring")

	// Another workspace's link never shows this workspace's posts.
	_, other := e.owner("other@example.com", "Other")
	ob := e.browser()
	ob.signIn("other@example.com")
	oc, err := e.campaigns.Create(context.Background(), herald.Actor{UserID: 0, WorkspaceID: other.ID, Role: herald.RoleOwner},
		herald.Campaign{Name: "Theirs"})
	if err != nil {
		t.Fatal(err)
	}
	a = ob.post(reviewLinksURL(other.ID), url.Values{"review-name": {"Them"}, "scope": {"campaign"}, "campaign_id": {itoa(oc.ID)}})
	want(t, a, http.StatusCreated)
	opath := regexp.MustCompile(`/review/hrev_[A-Za-z0-9_-]+`).FindString(a.Body)
	a = anon.get(opath)
	want(t, a, http.StatusOK, "nothing to review")
	wantNot(t, a, "Spring")
	want(t, anon.post(opath+"/posts/"+itoa(rw.first.ID)+"/decide", url.Values{"verdict": {"approve"}}), http.StatusNotFound)
	// Nor may its owner read this workspace's links.
	want(t, ob.get(reviewLinksURL(rw.ws.ID)), http.StatusNotFound)
}
