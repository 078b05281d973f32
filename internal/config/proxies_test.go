package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	c, err := Load([]string{"HERALD_TRUSTED_PROXIES=10.0.0.0/8, 127.0.0.1 ::ffff:192.168.1.2,fd00::1/8"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("192.168.1.2/32"), netip.MustParsePrefix("fd00::/8")}
	if !slices.Equal(got, want) {
		t.Errorf("ProxyPrefixes = %v, want %v", got, want)
	}
	c, err = Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.ProxyPrefixes(); err != nil || len(got) != 0 {
		t.Errorf("default ProxyPrefixes = %v, %v; want none", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0"} {
		_, err := Load([]string{"HERALD_TRUSTED_PROXIES=127.0.0.1," + bad})
		if err == nil || !strings.Contains(err.Error(), "HERALD_TRUSTED_PROXIES") || !strings.Contains(err.Error(), bad) {
			t.Errorf("TRUSTED_PROXIES=%s: error %v, want it named with the bad entry", bad, err)
		}
	}
}
