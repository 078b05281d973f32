package herald

import (
	"net/url"
	"strings"
)

// Federated reports whether the platform is a federation of servers that
// each hand out their own account ids (the Mastodon API): an id means
// something only together with its server.
func (p Platform) Federated() bool {
	return p == PlatformMastodon
}

// RemoteInstance is the server part of the account's identity: on a
// federated platform its normalised instance address (NormalizeInstanceURL),
// elsewhere "" (an id there is unique on the whole platform, and the
// server, like a Bluesky PDS, may change without the account changing).
// An account is identified by (workspace, platform, RemoteInstance,
// RemoteID).
func (a Account) RemoteInstance() string {
	if !a.Platform.Federated() {
		return ""
	}
	return NormalizeInstanceURL(a.InstanceURL)
}

// SameRemote reports whether a and b are the same profile on the platform
// (they may be in different workspaces).
func (a Account) SameRemote(b Account) bool {
	return a.Platform == b.Platform && a.RemoteID == b.RemoteID && a.RemoteInstance() == b.RemoteInstance()
}

// NormalizeInstanceURL returns a server's base address in one spelling:
// lower-case scheme and host, no default port, no trailing slash, no
// query or fragment. Addresses it cannot parse are only trimmed and
// lower-cased, so equal spellings still compare equal.
func NormalizeInstanceURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return strings.ToLower(strings.TrimRight(s, "/"))
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if port := u.Port(); (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}
