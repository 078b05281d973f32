package outbound

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS is a tiny DNS server in the test process: a net.Resolver whose
// Dial returns one end of a pipe to it. answer decides the A record for
// each query of a name (n counts the A queries for that name, from 1);
// other names and AAAA queries get no address.
type fakeDNS struct {
	answer func(name string, n int) (netip.Addr, bool)

	mu      sync.Mutex
	queries map[string]int
}

func (d *fakeDNS) resolver() *net.Resolver {
	d.queries = map[string]int{}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		go d.serve(server)
		return client, nil
	}}
}

// serve answers queries on one connection. A net.Pipe is not a
// PacketConn, so the resolver speaks DNS over a stream: each message
// prefixed with its length.
func (d *fakeDNS) serve(c net.Conn) {
	defer c.Close()
	for {
		var size [2]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return
		}
		buf := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		out, err := d.reply(buf)
		if err != nil {
			return
		}
		binary.BigEndian.PutUint16(size[:], uint16(len(out)))
		if _, err := c.Write(append(size[:], out...)); err != nil {
			return
		}
	}
}

func (d *fakeDNS) reply(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(q.Name.String(), ".")
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeSuccess}
	var addr netip.Addr
	found := false
	if q.Type == dnsmessage.TypeA {
		d.mu.Lock()
		d.queries[name]++
		n := d.queries[name]
		d.mu.Unlock()
		addr, found = d.answer(name, n)
	}
	if !found && q.Type == dnsmessage.TypeA {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	if found {
		if err := b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0},
			dnsmessage.AResource{A: addr.As4()}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
