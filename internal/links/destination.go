package links

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// MaxURLLength is the longest address, as written and with its UTM
// parameters, that Herald tracks (in bytes): what every browser and most
// servers accept.
const MaxURLLength = 2048

type utmField struct{ key, value string }

// utmFields are u's parameters in the order they are added.
func utmFields(u herald.UTM) [5]utmField {
	return [5]utmField{{"utm_source", u.Source}, {"utm_medium", u.Medium}, {"utm_campaign", u.Campaign},
		{"utm_content", u.Content}, {"utm_term", u.Term}}
}

// withDefaults returns u with each empty field taken from def.
func withDefaults(u, def herald.UTM) herald.UTM {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return herald.UTM{Source: pick(u.Source, def.Source), Medium: pick(u.Medium, def.Medium),
		Campaign: pick(u.Campaign, def.Campaign), Content: pick(u.Content, def.Content), Term: pick(u.Term, def.Term)}
}

// Slug is a campaign name as a UTM value: lower-case letters and digits,
// every run of other characters one '-', none at either end
// ("Spring Sale — 2025!" is "spring-sale-2025").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		dash = true
	}
	return b.String()
}

// Build returns rawURL with the UTM parameters that are set, without a
// short link (the builder's "copy the tagged address"). A parameter the
// address already has is kept as written. The address must pass
// CheckDestination.
func Build(rawURL string, utm herald.UTM) (string, error) {
	if err := utm.Validate(); err != nil {
		return "", err
	}
	return tagChecked(strings.TrimSpace(rawURL), utm)
}

// tagChecked checks rawURL, tags it and checks the result's length.
func tagChecked(rawURL string, utm herald.UTM) (string, error) {
	if err := CheckDestination(rawURL); err != nil {
		return "", err
	}
	dest := tag(rawURL, utm)
	if len(dest) > MaxURLLength {
		return "", problem("url", fmt.Sprintf("with its UTM parameters the address is %d bytes long, over the limit of %d; shorten the address or the UTM values",
			len(dest), MaxURLLength))
	}
	return dest, nil
}

// tag adds utm's non-empty parameters that rawURL's query does not have
// yet, after its query and before its fragment, leaving everything as
// written.
func tag(rawURL string, utm herald.UTM) string {
	base, frag := rawURL, ""
	if i := strings.IndexByte(rawURL, '#'); i >= 0 {
		base, frag = rawURL[:i], rawURL[i:]
	}
	query := ""
	if i := strings.IndexByte(base, '?'); i >= 0 {
		query = base[i+1:]
	}
	var b strings.Builder
	b.Grow(len(rawURL) + 128)
	b.WriteString(base)
	sep := separator(base)
	for _, f := range utmFields(utm) {
		if f.value == "" || hasParam(query, f.key) {
			continue
		}
		b.WriteString(sep)
		b.WriteString(f.key)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f.value))
		sep = "&"
	}
	b.WriteString(frag)
	return b.String()
}

// separator is what goes between base (an address without fragment) and
// a parameter added to it.
func separator(base string) string {
	i := strings.IndexByte(base, '?')
	switch {
	case i < 0:
		return "?"
	case i == len(base)-1 || strings.HasSuffix(base, "&"):
		return ""
	}
	return "&"
}

// hasParam reports whether the raw query has the parameter key, however
// its name is escaped.
func hasParam(query, key string) bool {
	for query != "" {
		var part string
		part, query, _ = strings.Cut(query, "&")
		name, _, _ := strings.Cut(part, "=")
		if name == key {
			return true
		}
		if strings.ContainsAny(name, "%+") {
			if n, err := url.QueryUnescape(name); err == nil && n == key {
				return true
			}
		}
	}
	return false
}

// blockedSuffixes are names that never reach the public internet.
var blockedSuffixes = []string{".localhost", ".local", ".internal", ".home.arpa", ".localdomain"}

// CheckDestination returns a CodeInvalid error saying what to fix when
// rawURL is not an address Herald redirects to: only http and https
// addresses with a public host name or address, without a user name or
// password, at most MaxURLLength bytes. Loopback, private, link-local,
// shared (CGNAT), multicast, unspecified and reserved addresses and the
// names localhost, *.localhost, *.local, *.internal, *.home.arpa and
// *.localdomain are refused, as are names without a dot and hosts that a
// browser would read as an address in another notation (0x7f.1,
// 2130706433). The check is on the address alone: nothing is resolved.
func CheckDestination(rawURL string) error {
	if rawURL == "" {
		return problem("url", "is required")
	}
	if len(rawURL) > MaxURLLength {
		return problem("url", fmt.Sprintf("is %d bytes long, over the limit of %d", len(rawURL), MaxURLLength))
	}
	if !utf8.ValidString(rawURL) || strings.IndexFunc(rawURL, unicode.IsSpace) >= 0 {
		return problem("url", "is not a valid address: it holds spaces or characters that are not text")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return problem("url", "is not a valid address; write it as https://example.com/page")
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return problem("url", "has no scheme; write the full address starting with https://")
	default:
		return problem("url", fmt.Sprintf("is a %s: address; only http and https addresses can be tracked", strings.ToLower(u.Scheme)))
	}
	if u.Opaque != "" || u.Host == "" {
		return problem("url", "has no host; write it as https://example.com/page")
	}
	if u.User != nil {
		return problem("url", "holds a user name or password (user:password@); remove them from the address")
	}
	return checkHost(u.Hostname())
}

// checkHost refuses a host that is not on the public internet.
func checkHost(host string) error {
	if strings.HasPrefix(host, "[") || strings.Contains(host, ":") {
		host = strings.Trim(host, "[]")
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if class, ok := outbound.Classify(addr); !ok {
			return problem("url", fmt.Sprintf("points to %s, which is %s; links must lead to a public web site", host, class))
		}
		return nil
	}
	if strings.Contains(host, ":") || strings.Contains(host, "%") {
		return problem("url", "has a host that is not a valid address")
	}
	name, err := asciiHost(strings.TrimSuffix(host, "."))
	if err != nil || name == "" {
		return problem("url", fmt.Sprintf("has the host %q, which is not a valid domain name", host))
	}
	if name == "localhost" {
		return problem("url", "points to localhost, which is this computer; links must lead to a public web site")
	}
	for _, s := range blockedSuffixes {
		if strings.HasSuffix(name, s) {
			return problem("url", fmt.Sprintf("points to %s, a name (*%s) only a local network knows; links must lead to a public web site", name, s))
		}
	}
	labels := strings.Split(name, ".")
	if numeric(labels[len(labels)-1]) {
		// Browsers read such a host as an IPv4 address (0x7f.1,
		// 2130706433, 010.0.0.1), which netip does not: refuse it
		// rather than guess where it leads.
		return problem("url", fmt.Sprintf("has the host %q, which browsers read as a numeric address; write a domain name", host))
	}
	if len(labels) < 2 {
		return problem("url", fmt.Sprintf("has the host %q, which is not a public domain name (it has no dot)", host))
	}
	return nil
}

// hostProfile maps an international name as browsers do (full-width
// letters become ASCII, so "ｌｏｃａｌｈｏｓｔ" is localhost) while allowing
// the underscores some real host names hold.
var hostProfile = idna.New(idna.MapForLookup(), idna.StrictDomainName(false), idna.Transitional(false))

// asciiHost returns host lower-cased and, when it is international, in
// its ASCII (punycode) form.
func asciiHost(host string) (string, error) {
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			name, err := hostProfile.ToASCII(host)
			if err != nil {
				return "", fmt.Errorf("links: host %q: %w", host, err)
			}
			return strings.ToLower(name), nil
		}
	}
	return strings.ToLower(host), nil
}

// numeric reports whether a host label is a number in a browser's IPv4
// notation: decimal, octal or hexadecimal (0x…).
func numeric(label string) bool {
	if label == "" {
		return false
	}
	digits := label
	hex := false
	if len(label) >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') {
		digits, hex = label[2:], true
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			continue
		}
		return false
	}
	return true
}

// problem is a CodeInvalid error with one field problem.
func problem(field, text string) error {
	return herald.Problems{{Field: field, Problem: text}}.Err("the address cannot be tracked")
}
