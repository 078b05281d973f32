package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// countingServer is a loopback server that counts its requests.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// refused asserts err is a dial-time refusal of class.
func refused(t *testing.T, err error, class Class) *RefusedError {
	t.Helper()
	var re *RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v, want a refusal (%s)", err, class)
	}
	if re.Class != class {
		t.Fatalf("refused as %q, want %q: %v", re.Class, class, err)
	}
	return re
}

func TestRefusesEachClassAtDial(t *testing.T) {
	c := NewClient(Options{Timeout: 5 * time.Second})
	for _, tc := range []struct {
		host  string
		class Class
	}{
		{"127.0.0.1", Loopback},
		{"[::1]", Loopback},
		{"10.1.2.3", Private},
		{"192.168.0.10", Private},
		{"[fd00::5]", Private},
		{"169.254.169.254", LinkLocal},
		{"[fe80::1]", LinkLocal},
		{"224.0.0.251", Multicast},
		{"[ff02::1]", Multicast},
		{"0.0.0.0", Unspecified},
		{"[::]", Unspecified},
		{"100.64.0.1", Shared},
		{"[::ffff:127.0.0.1]", Loopback},
		{"[::ffff:169.254.169.254]", LinkLocal},
		{"[::ffff:10.0.0.1]", Private},
	} {
		t.Run(tc.host, func(t *testing.T) {
			// The refusal comes from Control, before the connect system
			// call: nothing is sent anywhere.
			res, err := c.Get("http://" + tc.host + ":9/latest/meta-data")
			if res != nil {
				res.Body.Close()
			}
			if errors.Is(err, syscall.EAFNOSUPPORT) {
				t.Skip("this machine has no IPv6 sockets")
			}
			refused(t, err, tc.class)
		})
	}
}

func TestLoopbackServerRefusedUnlessAllowed(t *testing.T) {
	srv, hits := countingServer(t, nil)
	res, err := NewClient(Options{}).Get(srv.URL)
	if res != nil {
		res.Body.Close()
	}
	re := refused(t, err, Loopback)
	want := fmt.Sprintf("refusing to connect to %s: a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true to allow servers on your own network", re.Addr)
	if re.Error() != want || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %q\nwant it to contain %q", err, want)
	}
	if hits.Load() != 0 {
		t.Fatalf("the server got %d requests", hits.Load())
	}

	// The switch lets a server on the operator's own machine through.
	allowed := NewClient(Options{AllowPrivate: true})
	res, err = allowed.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "hello" || hits.Load() != 1 {
		t.Fatalf("allowed: body %q, %d requests", body, hits.Load())
	}
	// ... but never the metadata service.
	_, err = allowed.Get("http://169.254.169.254/latest/meta-data")
	refused(t, err, LinkLocal)
}

// TestRebindingRefused: a name that is public when someone looks and
// loopback when Herald dials. The check is on the address dialled.
func TestRebindingRefused(t *testing.T) {
	srv, hits := countingServer(t, nil)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	dns := &fakeDNS{answer: func(name string, n int) (netip.Addr, bool) {
		if name != "rebind.example.com" {
			return netip.Addr{}, false
		}
		if n == 1 {
			return netip.MustParseAddr("93.184.215.14"), true
		}
		return netip.MustParseAddr("127.0.0.1"), true
	}}
	r := dns.resolver()
	// A check made by looking the name up first would see a public address...
	first, err := r.LookupNetIP(context.Background(), "ip4", "rebind.example.com")
	if err != nil || len(first) != 1 || first[0] != netip.MustParseAddr("93.184.215.14") {
		t.Fatalf("first lookup = %v, %v", first, err)
	}
	if _, ok := Classify(first[0]); !ok {
		t.Fatalf("the first answer %s should look public", first[0])
	}
	// ... and the connection would then go to 127.0.0.1.
	c := NewClient(Options{Resolver: r, Timeout: 5 * time.Second})
	res, err := c.Get(fmt.Sprintf("http://rebind.example.com:%d/", port))
	if res != nil {
		res.Body.Close()
	}
	re := refused(t, err, Loopback)
	if re.Addr != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("refused %s, want 127.0.0.1", re.Addr)
	}
	if hits.Load() != 0 {
		t.Fatalf("the loopback server got %d requests", hits.Load())
	}
	if dns.queries["rebind.example.com"] < 2 {
		t.Fatalf("the name was looked up %d times, want the dial's own lookup", dns.queries["rebind.example.com"])
	}
}

func TestRedirects(t *testing.T) {
	c := NewClient(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	t.Run("to the metadata service", func(t *testing.T) {
		for _, target := range []string{"http://169.254.169.254/latest/meta-data", "http://[::ffff:169.254.169.254]/"} {
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			})
			res, err := c.Get(srv.URL)
			if res != nil {
				res.Body.Close()
			}
			refused(t, err, LinkLocal)
		}
	})
	t.Run("to a private address without the switch", func(t *testing.T) {
		// The first hop goes to a public address as far as the dialler
		// knows (the fake DNS says so), the redirect to 10.0.0.1.
		srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://10.0.0.1/admin", http.StatusFound)
		})
		res, err := allowOnly(srv, Options{Timeout: 5 * time.Second}).Get(srv.URL)
		if res != nil {
			res.Body.Close()
		}
		refused(t, err, Private)
		if hits.Load() != 1 {
			t.Fatalf("the first server got %d requests, want 1", hits.Load())
		}
	})
	t.Run("too many", func(t *testing.T) {
		srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/again", http.StatusFound)
		})
		res, err := c.Get(srv.URL)
		if res != nil {
			res.Body.Close()
		}
		if !errors.Is(err, ErrTooManyRedirects) || hits.Load() != DefaultMaxRedirects+1 {
			t.Fatalf("error %v after %d requests; want too many redirects after %d", err, hits.Load(), DefaultMaxRedirects+1)
		}
	})
	t.Run("five are followed", func(t *testing.T) {
		var n atomic.Int64
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) <= DefaultMaxRedirects {
				http.Redirect(w, r, "/next", http.StatusFound)
				return
			}
			fmt.Fprint(w, "arrived")
		})
		res, err := c.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != "arrived" {
			t.Fatalf("body %q", body)
		}
	})
}

// allowOnly returns a client with o's policy that also lets through the
// one loopback server srv, standing for a public server: the test can
// then watch what happens after its answer.
func allowOnly(srv *httptest.Server, o Options) *http.Client {
	c := NewClient(o)
	self := srv.Listener.Addr().String()
	g := c.Transport.(*guard)
	t := g.base.(*http.Transport)
	guarded := t.DialContext
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == self {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}
		return guarded(ctx, network, addr)
	}
	return c
}

func TestBodyLimit(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", len(r.URL.Path)-1))
	})
	c := NewClient(Options{AllowPrivate: true, MaxBody: 10})
	get := func(n int) ([]byte, error) {
		res, err := c.Get(srv.URL + "/" + strings.Repeat("a", n))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return io.ReadAll(res.Body)
	}
	if b, err := get(10); err != nil || len(b) != 10 {
		t.Fatalf("10 bytes: %d, %v", len(b), err)
	}
	b, err := get(11)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 10 || len(b) != 10 {
		t.Fatalf("11 bytes: %d read, error %v; want *TooLargeError after 10", len(b), err)
	}
	if !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Fatalf("message %q", err)
	}
}

func TestTimeout(t *testing.T) {
	slow := func(d time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
			fmt.Fprint(w, "late")
		}
	}
	t.Run("no deadline in the context", func(t *testing.T) {
		srv, _ := countingServer(t, slow(5*time.Second))
		start := time.Now()
		res, err := NewClient(Options{AllowPrivate: true, Timeout: 200 * time.Millisecond}).Get(srv.URL)
		if res != nil {
			res.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
			t.Fatalf("error %v after %s; want the timeout", err, time.Since(start))
		}
	})
	t.Run("the context's deadline wins", func(t *testing.T) {
		srv, _ := countingServer(t, slow(300*time.Millisecond))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		res, err := NewClient(Options{AllowPrivate: true, Timeout: 50 * time.Millisecond}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || string(body) != "late" {
			t.Fatalf("body %q, %v", body, err)
		}
	})
	t.Run("redirects share one timeout", func(t *testing.T) {
		// Each hop is well within the timeout; the chain is not.
		srv, hits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(150 * time.Millisecond)
			http.Redirect(w, r, "/next", http.StatusFound)
		})
		res, err := NewClient(Options{AllowPrivate: true, Timeout: 400 * time.Millisecond, MaxRedirects: 20}).Get(srv.URL)
		if res != nil {
			res.Body.Close()
		}
		if !errors.Is(err, context.DeadlineExceeded) || hits.Load() > 4 {
			t.Fatalf("error %v after %d requests; want the timeout within 4", err, hits.Load())
		}
	})
}

// TestEnvironmentProxyNotUsed: a proxy would connect wherever the request
// says, so the guarded client never uses one.
func TestEnvironmentProxyNotUsed(t *testing.T) {
	proxy, hits := countingServer(t, nil)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	c := NewClient(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	res, err := c.Get("http://169.254.169.254/latest/meta-data")
	if res != nil {
		res.Body.Close()
	}
	refused(t, err, LinkLocal)
	if hits.Load() != 0 {
		t.Fatalf("the proxy got %d requests", hits.Load())
	}
	if c.Transport.(*guard).base.(*http.Transport).Proxy != nil {
		t.Fatal("the transport has a proxy function")
	}
}
