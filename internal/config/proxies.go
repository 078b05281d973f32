package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// ProxyPrefixes parses TrustedProxies: addresses (10.0.0.1, ::1) and CIDRs
// (10.0.0.0/8, fd00::/8), separated by commas or spaces.
func (c Config) ProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(c.TrustedProxies, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or fd00::/8: %w", f, err)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR; list your reverse proxies' addresses, e.g. 127.0.0.1,10.0.0.0/8: %w", f, err)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
