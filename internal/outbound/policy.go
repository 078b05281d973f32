package outbound

import (
	"fmt"
	"net/netip"
)

// AllowVariable is the setting that lets Herald reach servers on the
// operator's own network; refusals name it.
const AllowVariable = "HERALD_ALLOW_PRIVATE_NETWORKS"

// Class names a kind of address that is not on the public internet, as a
// phrase for messages ("a loopback address").
type Class string

// The classes of refused addresses. Loopback, Private and Shared are
// allowed by Options.AllowPrivate (they are where an operator's own servers
// live); the others never carry a server Herald should call.
const (
	Loopback    Class = "a loopback address"
	Private     Class = "a private network address"
	Shared      Class = "a carrier-grade NAT (shared) address"
	LinkLocal   Class = "a link-local address (where cloud metadata services live)"
	Multicast   Class = "a multicast address"
	Unspecified Class = "an unspecified address"
	Broadcast   Class = "the broadcast address"
	Reserved    Class = "a reserved address that is not on the public internet"
)

// allowable reports whether AllowPrivate lets a class through.
func (c Class) allowable() bool { return c == Loopback || c == Private || c == Shared }

// RefusedError is the dial-time refusal of an address. It reaches callers
// wrapped in *url.Error and *net.OpError; errors.As finds it.
type RefusedError struct {
	// Addr is the address Herald was about to connect to, as resolved.
	Addr netip.Addr
	// Class says why it is refused.
	Class Class
}

// Error names the address, its class and, when the switch would allow it,
// the switch.
func (e *RefusedError) Error() string {
	if e.Class.allowable() {
		return fmt.Sprintf("refusing to connect to %s: %s; set %s=true to allow servers on your own network", e.Addr, e.Class, AllowVariable)
	}
	return fmt.Sprintf("refusing to connect to %s: %s", e.Addr, e.Class)
}

// ranges are the non-public ranges that netip's predicates do not name,
// most specific first where they nest.
var ranges = []struct {
	p     netip.Prefix
	class Class
}{
	{netip.MustParsePrefix("255.255.255.255/32"), Broadcast},
	{netip.MustParsePrefix("0.0.0.0/8"), Unspecified}, // "this network": connecting reaches the host itself
	{netip.MustParsePrefix("100.64.0.0/10"), Shared},
	{netip.MustParsePrefix("192.0.0.0/24"), Reserved},    // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), Reserved},    // documentation
	{netip.MustParsePrefix("198.51.100.0/24"), Reserved}, // documentation
	{netip.MustParsePrefix("203.0.113.0/24"), Reserved},  // documentation
	{netip.MustParsePrefix("192.88.99.0/24"), Reserved},  // 6to4 relay anycast
	{netip.MustParsePrefix("198.18.0.0/15"), Reserved},   // benchmarking
	{netip.MustParsePrefix("240.0.0.0/4"), Reserved},
	{netip.MustParsePrefix("64:ff9b:1::/48"), Private}, // local-use NAT64
	{netip.MustParsePrefix("fec0::/10"), Private},      // deprecated site-local
	{netip.MustParsePrefix("100::/64"), Reserved},      // discard-only
	{netip.MustParsePrefix("2001::/32"), Reserved},     // Teredo: hides an IPv4 address
	{netip.MustParsePrefix("2001:2::/48"), Reserved},   // benchmarking
	{netip.MustParsePrefix("2001:db8::/32"), Reserved}, // documentation
}

// Classify says why addr is not a public internet address, or ok when it
// is. IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64's
// 64:ff9b::/96, 6to4's 2002::/16) are judged by the IPv4 address they
// reach.
func Classify(addr netip.Addr) (Class, bool) {
	addr = addr.WithZone("")
	if v4, ok := embeddedIPv4(addr); ok {
		return Classify(v4)
	}
	switch {
	case addr.IsUnspecified():
		return Unspecified, false
	case addr.IsLoopback():
		return Loopback, false
	case addr.IsPrivate():
		return Private, false
	case addr.IsLinkLocalUnicast():
		return LinkLocal, false
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return Multicast, false
	}
	for _, r := range ranges {
		if r.p.Contains(addr) {
			return r.class, false
		}
	}
	if addr.Is6() && !netip.MustParsePrefix("2000::/3").Contains(addr) {
		// Outside global unicast: IPv4-compatible ::a.b.c.d and ranges
		// not yet assigned.
		return Reserved, false
	}
	if !addr.IsValid() || !addr.IsGlobalUnicast() {
		return Reserved, false
	}
	return "", true
}

// embeddedIPv4 returns the IPv4 address an IPv6 address stands for.
func embeddedIPv4(addr netip.Addr) (netip.Addr, bool) {
	if !addr.Is6() {
		return netip.Addr{}, false
	}
	if addr.Is4In6() {
		return addr.Unmap(), true
	}
	b := addr.As16()
	switch {
	case netip.MustParsePrefix("64:ff9b::/96").Contains(addr):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case netip.MustParsePrefix("2002::/16").Contains(addr):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// check is the dial-time policy: nil when addr may be connected to.
func check(addr netip.Addr, allowPrivate bool) error {
	class, ok := Classify(addr)
	if ok || allowPrivate && class.allowable() {
		return nil
	}
	return &RefusedError{Addr: addr.WithZone(""), Class: class}
}

// Check returns the *RefusedError the client's dialer would return for
// addr (nil when it may be connected to), so an address can be refused
// when it is saved rather than only when it is called.
func Check(addr netip.Addr, allowPrivate bool) error { return check(addr, allowPrivate) }
