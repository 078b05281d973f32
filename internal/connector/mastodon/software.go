package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Which server software honours Idempotency-Key on POST /api/v1/statuses
// (see docs/platforms/mastodon.md). Everything else, and any server whose
// software cannot be learned, is assumed to ignore the key.
//
//   - Mastodon has deduplicated on the key (for an hour) since 2.x; its
//     forks (glitch-soc, Hometown) report themselves as mastodon.
//   - Pleroma deduplicates POSTs carrying the key in its idempotency plug
//     (2.x); Akkoma, a fork of Pleroma 2.4, inherits it.
//   - GoToSocial, Misskey's forks with a Mastodon layer, Pixelfed and
//     others do not.
var dedupMinVersion = map[string][3]int{
	"mastodon": {2, 0, 0},
	"pleroma":  {2, 0, 0},
	"akkoma":   {0, 0, 0},
}

// Deduplicates reports whether software name at version is known to honour
// Idempotency-Key. name is nodeinfo's software.name (any case).
func Deduplicates(name, version string) bool {
	min, ok := dedupMinVersion[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return false
	}
	v, ok := parseVersion(version)
	if !ok {
		return false
	}
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}

var versionRE = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?`)

func parseVersion(s string) ([3]int, bool) {
	m := versionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return [3]int{}, false
	}
	var v [3]int
	for i := range 3 {
		if m[i+1] != "" {
			v[i], _ = strconv.Atoi(m[i+1])
		}
	}
	return v, true
}

// compatibleRE reads the software a Pleroma-like server names in its
// instance version: "2.7.2 (compatible; Pleroma 2.5.0)".
var compatibleRE = regexp.MustCompile(`\(compatible;\s*([A-Za-z][\w.\-]*)\s+([^)\s]+)\s*\)`)

// SoftwareFromVersion reads the server software from the version string of
// /api/v2/instance (or /api/v1/instance): "2.7.2 (compatible; Pleroma
// 2.5.0)" names Pleroma 2.5.0. A bare version ("4.3.0") names nothing: other
// servers (GoToSocial) answer bare versions too, so only nodeinfo can tell.
func SoftwareFromVersion(version string) (name, ver string, ok bool) {
	if m := compatibleRE.FindStringSubmatch(version); m != nil {
		return strings.ToLower(m[1]), m[2], true
	}
	return "", "", false
}

// SoftwareStore remembers what software each instance runs, so that
// whether it deduplicates retries survives restarts and is shown to
// people. The Connector uses its AppStore when it implements this too.
type SoftwareStore interface {
	GetSoftware(ctx context.Context, instance string) (herald.InstanceSoftware, bool, error)
	SaveSoftware(ctx context.Context, s herald.InstanceSoftware) error
}

// MemorySoftwareStore is a SoftwareStore in memory, for tests.
type MemorySoftwareStore struct {
	mu sync.Mutex
	m  map[string]herald.InstanceSoftware
}

// GetSoftware returns what was saved for instance.
func (m *MemorySoftwareStore) GetSoftware(_ context.Context, instance string) (herald.InstanceSoftware, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[instance]
	return s, ok, nil
}

// SaveSoftware replaces what is known of s.Instance.
func (m *MemorySoftwareStore) SaveSoftware(_ context.Context, s herald.InstanceSoftware) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]herald.InstanceSoftware{}
	}
	m.m[s.Instance] = s
	return nil
}

// GetSoftware and SaveSoftware make MemoryAppStore a SoftwareStore too.
func (m *MemoryAppStore) GetSoftware(ctx context.Context, instance string) (herald.InstanceSoftware, bool, error) {
	return m.software.GetSoftware(ctx, instance)
}

// SaveSoftware records what instance runs.
func (m *MemoryAppStore) SaveSoftware(ctx context.Context, s herald.InstanceSoftware) error {
	return m.software.SaveSoftware(ctx, s)
}

// nodeinfo reads the software from /.well-known/nodeinfo and the
// document it links to (schema 2.x), following only links on the
// instance itself.
func (c *Connector) nodeinfo(ctx context.Context, inst string) (name, version string, err error) {
	var idx struct {
		Links []struct {
			Rel  string `json:"rel"`
			Href string `json:"href"`
		} `json:"links"`
	}
	if _, err := c.call(ctx, inst, request{method: http.MethodGet, path: "/.well-known/nodeinfo"}, &idx); err != nil {
		return "", "", err
	}
	href, best := "", ""
	for _, l := range idx.Links {
		if !strings.HasPrefix(l.Rel, "http://nodeinfo.diaspora.software/ns/schema/2.") {
			continue
		}
		if l.Rel > best {
			best, href = l.Rel, l.Href
		}
	}
	u, perr := url.Parse(href)
	base, _ := url.Parse(inst)
	if href == "" || perr != nil || base == nil || u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return "", "", &connector.Error{Class: connector.Invalid, Message: "the instance's nodeinfo links to no nodeinfo 2.x document on the instance itself"}
	}
	var doc struct {
		Software struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"software"`
	}
	if _, err := c.call(ctx, inst, request{method: http.MethodGet, path: u.RequestURI()}, &doc); err != nil {
		return "", "", err
	}
	return strings.ToLower(strings.TrimSpace(doc.Software.Name)), strings.TrimSpace(doc.Software.Version), nil
}

// learnSoftware works out what inst runs from nodeinfo, else from the
// instance's version string, and records it. A failure leaves the software
// unknown (not deduplicating).
func (c *Connector) learnSoftware(ctx context.Context, inst, instanceVersion string) herald.InstanceSoftware {
	sw := herald.InstanceSoftware{Platform: herald.PlatformMastodon, Instance: inst, CheckedAt: c.now().UTC()}
	name, ver, err := c.nodeinfo(ctx, inst)
	if err != nil || name == "" {
		name, ver, _ = SoftwareFromVersion(instanceVersion)
	}
	sw.Name, sw.Version = name, ver
	sw.Deduplicates = Deduplicates(name, ver)
	if c.software != nil {
		if err := c.software.SaveSoftware(ctx, sw); err != nil {
			c.log.WarnContext(ctx, "instance software not recorded", "instance", inst, "error", err)
		}
	}
	return sw
}

// softwareOf returns what inst runs: from the instance cache, else the
// store, else it is learned now. Unknown software is a zero Name.
func (c *Connector) softwareOf(ctx context.Context, inst, tok string) herald.InstanceSoftware {
	info, err := c.instance(ctx, inst, tok)
	if err == nil {
		return info.Software
	}
	if c.software != nil {
		if sw, ok, err := c.software.GetSoftware(ctx, inst); err == nil && ok {
			return sw
		}
	}
	return herald.InstanceSoftware{Platform: herald.PlatformMastodon, Instance: inst}
}

// idempotentWait bounds how long Idempotent waits for the instance to say
// what it runs; unknown means no.
const idempotentWait = 10 * time.Second

// Idempotent reports whether the account's instance is known to honour
// Idempotency-Key (Mastodon, Pleroma, Akkoma: see Deduplicates), learned
// from its nodeinfo and version and recorded per instance. Where it is
// false, an ambiguous send is never repeated unless Find can tell.
// WithIdempotency(false) makes it false everywhere.
func (c *Connector) Idempotent(ctx context.Context, acct connector.Account) bool {
	if !c.idempotent {
		return false
	}
	cr, err := creds(acct)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, idempotentWait)
	defer cancel()
	return c.softwareOf(ctx, cr.Instance, cr.AccessToken).Deduplicates
}
