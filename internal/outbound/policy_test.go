package outbound

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		class Class // "" for a public address
	}{
		{"127.0.0.1", Loopback},
		{"127.1.2.3", Loopback},
		{"::1", Loopback},
		{"10.0.0.1", Private},
		{"172.16.5.4", Private},
		{"192.168.1.1", Private},
		{"fc00::1", Private},
		{"fd12:3456::1", Private},
		{"fec0::1", Private},
		{"169.254.169.254", LinkLocal},
		{"169.254.0.1", LinkLocal},
		{"fe80::1", LinkLocal},
		{"fe80::1%eth0", LinkLocal},
		{"224.0.0.1", Multicast},
		{"239.255.255.250", Multicast},
		{"ff02::1", Multicast},
		{"ff0e::1", Multicast},
		{"0.0.0.0", Unspecified},
		{"0.1.2.3", Unspecified},
		{"::", Unspecified},
		{"100.64.0.1", Shared},
		{"100.127.255.254", Shared},
		{"255.255.255.255", Broadcast},
		{"240.0.0.1", Reserved},
		{"192.0.2.10", Reserved},
		{"198.18.0.1", Reserved},
		{"2001:db8::1", Reserved},
		{"2001:0:4136:e378::1", Reserved}, // Teredo
		{"::127.0.0.1", Reserved},         // IPv4-compatible
		// IPv6 forms of IPv4 addresses are judged by the IPv4 address.
		{"::ffff:127.0.0.1", Loopback},
		{"::ffff:10.1.1.1", Private},
		{"::ffff:169.254.169.254", LinkLocal},
		{"::ffff:100.64.1.1", Shared},
		{"::ffff:0.0.0.0", Unspecified},
		{"64:ff9b::7f00:1", Loopback},     // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", LinkLocal}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::1", Loopback},      // 6to4 of 127.0.0.1
		{"64:ff9b:1::1", Private},
		// Public.
		{"93.184.215.14", ""},
		{"1.1.1.1", ""},
		{"100.128.0.1", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		{"2606:4700:4700::1111", ""},
	} {
		class, ok := Classify(netip.MustParseAddr(tc.addr))
		if ok != (tc.class == "") || class != tc.class {
			t.Errorf("Classify(%s) = %q, %v; want %q", tc.addr, class, ok, tc.class)
		}
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	err := check(netip.MustParseAddr("127.0.0.1"), false)
	want := "refusing to connect to 127.0.0.1: a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true to allow servers on your own network"
	if err == nil || err.Error() != want {
		t.Fatalf("check(127.0.0.1) = %v\nwant %s", err, want)
	}
	// The switch does not open link-local addresses, so the message does not offer it.
	err = check(netip.MustParseAddr("169.254.169.254"), true)
	var re *RefusedError
	if !errors.As(err, &re) || re.Class != LinkLocal || strings.Contains(err.Error(), AllowVariable) {
		t.Fatalf("check(169.254.169.254, allowed) = %v", err)
	}
	for _, a := range []string{"127.0.0.1", "::1", "10.0.0.1", "fd00::1", "100.64.0.1", "::ffff:192.168.0.1"} {
		if err := check(netip.MustParseAddr(a), true); err != nil {
			t.Errorf("check(%s) with AllowPrivate = %v, want allowed", a, err)
		}
	}
	for _, a := range []string{"169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0", "::", "240.0.0.1"} {
		if err := check(netip.MustParseAddr(a), true); err == nil {
			t.Errorf("check(%s) with AllowPrivate = nil, want refused", a)
		}
	}
}
