package x

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestRepostAndHideReply(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	m := e.srv.PostAs(fan.ID, "@herald love it", "")
	for range 2 {
		if err := e.c.Repost(c, e.acct, herald.RemoteRef{ID: m.ID}); err != nil {
			t.Fatalf("repost: %v", err)
		}
	}
	if tw, _ := e.srv.Tweet(m.ID); !e.srv.Retweeted(e.user.ID, m.ID) || tw.Reposts != 1 {
		t.Fatalf("retweeted %v, reposts %d; want once", e.srv.Retweeted(e.user.ID, m.ID), tw.Reposts)
	}
	if err := e.c.Repost(c, e.acct, herald.RemoteRef{ID: "1"}); classOf(t, err) != connector.Invalid {
		t.Errorf("reposting a missing post: %v; want invalid", err)
	}

	ours, err := e.c.Publish(c, e.acct, connector.Part{Text: "Our launch"})
	if err != nil {
		t.Fatal(err)
	}
	reply := e.srv.PostAs(fan.ID, "@herald meh", ours.ID)
	if err := e.c.HideReply(c, e.acct, herald.RemoteRef{ID: reply.ID}, true); err != nil {
		t.Fatalf("hide: %v", err)
	}
	if !e.srv.Hidden(reply.ID) {
		t.Fatal("the reply is not hidden on the platform")
	}
	if err := e.c.HideReply(c, e.acct, herald.RemoteRef{ID: reply.ID}, false); err != nil || e.srv.Hidden(reply.ID) {
		t.Fatalf("unhide: %v, hidden %v", err, e.srv.Hidden(reply.ID))
	}
	// A reply to someone else's post cannot be hidden by the account.
	theirs := e.srv.PostAs(fan.ID, "my own post", "")
	other := e.srv.PostAs(fan.ID, "a reply to myself", theirs.ID)
	err = e.c.HideReply(c, e.acct, herald.RemoteRef{ID: other.ID}, true)
	if classOf(t, err) != connector.Invalid || e.srv.Hidden(other.ID) {
		t.Fatalf("hiding a reply to another's post: %v", err)
	}
}

func TestHideReplyWithoutTheScope(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	ours, err := e.c.Publish(c, e.acct, connector.Part{Text: "Our launch"})
	if err != nil {
		t.Fatal(err)
	}
	reply := e.srv.PostAs(fan.ID, "@herald meh", ours.ID)
	old := account(e.user, e.srv.IssueToken(e.user.ID, "tweet.read", "tweet.write", "users.read", "offline.access"))
	err = e.c.HideReply(c, old, herald.RemoteRef{ID: reply.ID}, true)
	var ce *connector.Error
	if !asErr(err, &ce) || ce.Class != connector.Invalid || !strings.Contains(ce.Message, "reconnect") || e.srv.Hidden(reply.ID) {
		t.Fatalf("hiding without tweet.moderate.write: %v; want invalid, saying to reconnect", err)
	}
}
