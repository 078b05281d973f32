package herald_test

import (
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestNormalizeInstanceURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://mastodon.social":       "https://mastodon.social",
		" HTTPS://Mastodon.Social/ ":    "https://mastodon.social",
		"https://mastodon.social:443/":  "https://mastodon.social",
		"http://127.0.0.1:80":           "http://127.0.0.1",
		"http://127.0.0.1:8080/":        "http://127.0.0.1:8080",
		"https://example.com/mastodon/": "https://example.com/mastodon",
		"https://example.com/?q=1#frag": "https://example.com",
		"":                              "",
		"Not A URL/":                    "not a url",
	} {
		if got := herald.NormalizeInstanceURL(in); got != want {
			t.Errorf("NormalizeInstanceURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRemoteInstance(t *testing.T) {
	one := herald.Account{Platform: herald.PlatformMastodon, RemoteID: "1", InstanceURL: "https://One.example/"}
	two := herald.Account{Platform: herald.PlatformMastodon, RemoteID: "1", InstanceURL: "https://two.example"}
	if got := one.RemoteInstance(); got != "https://one.example" {
		t.Fatalf("RemoteInstance = %q, want https://one.example", got)
	}
	if one.SameRemote(two) {
		t.Fatal("accounts with the same id on two Mastodon servers are the same remote")
	}
	again := one
	again.InstanceURL = "https://one.example"
	if !one.SameRemote(again) {
		t.Fatal("the same id on the same server, spelled differently, is not the same remote")
	}
	// Elsewhere the server is no part of the identity: a Bluesky account
	// keeps its DID when it moves to another PDS.
	a := herald.Account{Platform: herald.PlatformBluesky, RemoteID: "did:plc:x", InstanceURL: "https://pds1.example"}
	b := a
	b.InstanceURL = "https://pds2.example"
	if a.RemoteInstance() != "" || !a.SameRemote(b) {
		t.Fatalf("bluesky RemoteInstance = %q, SameRemote = %v; want \"\", true", a.RemoteInstance(), a.SameRemote(b))
	}
}
