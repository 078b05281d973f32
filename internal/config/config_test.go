package config

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr:               "127.0.0.1:8080",
		DataDir:            "./herald-data",
		BaseURL:            "http://127.0.0.1:8080",
		KeyFile:            filepath.Join("herald-data", "secret.key"),
		MediaDir:           filepath.Join("herald-data", "media"),
		MediaMaxBytes:      50 << 20,
		LogLevel:           "info",
		LogFormat:          "json",
		ShutdownTimeout:    15 * time.Second,
		PublishConcurrency: 1024,
	}
	if c != want {
		t.Fatalf("Load(nil) =\n%+v\nwant\n%+v", c, want)
	}
	if c.Driver() != DriverSQLite || c.SQLitePath() != filepath.Join("herald-data", "herald.db") || c.SecureCookies() {
		t.Errorf("driver %q, sqlite path %q, secure %v", c.Driver(), c.SQLitePath(), c.SecureCookies())
	}
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		o       Overrides
		check   func(t *testing.T, c Config)
	}{
		{"data dir moves derived paths", []string{"HERALD_DATA_DIR=/srv/h"}, Overrides{}, func(t *testing.T, c Config) {
			if c.KeyFile != "/srv/h/secret.key" || c.MediaDir != "/srv/h/media" || c.SQLitePath() != "/srv/h/herald.db" {
				t.Errorf("got %+v", c)
			}
		}},
		{"flags override env", []string{"HERALD_ADDR=127.0.0.1:1", "HERALD_DATA_DIR=/a"},
			Overrides{Addr: "0.0.0.0:9000", DataDir: "/b", DatabaseURL: "postgres://u@db/herald"}, func(t *testing.T, c Config) {
				if c.Addr != "0.0.0.0:9000" || c.DataDir != "/b" || c.KeyFile != "/b/secret.key" || c.Driver() != DriverPostgres {
					t.Errorf("got %+v", c)
				}
				if c.BaseURL != "http://localhost:9000" {
					t.Errorf("BaseURL = %q, want http://localhost:9000", c.BaseURL)
				}
			}},
		{"explicit paths kept", []string{"HERALD_KEY_FILE=/k/key", "HERALD_MEDIA_DIR=/m"}, Overrides{DataDir: "/d"}, func(t *testing.T, c Config) {
			if c.KeyFile != "/k/key" || c.MediaDir != "/m" {
				t.Errorf("got %+v", c)
			}
		}},
		{"https base url", []string{"HERALD_BASE_URL=https://herald.example.com/"}, Overrides{}, func(t *testing.T, c Config) {
			if !c.SecureCookies() || c.BaseURL != "https://herald.example.com" {
				t.Errorf("BaseURL %q secure %v", c.BaseURL, c.SecureCookies())
			}
		}},
		{"postgresql scheme", []string{"HERALD_DATABASE_URL=postgresql://u:p@h:5432/d?sslmode=disable"}, Overrides{}, func(t *testing.T, c Config) {
			if c.Driver() != DriverPostgres {
				t.Errorf("driver %q", c.Driver())
			}
		}},
		{"numbers and levels", []string{"HERALD_MEDIA_MAX_BYTES=1000", "HERALD_SHUTDOWN_TIMEOUT=1m", "HERALD_LOG_LEVEL=debug", "HERALD_LOG_FORMAT=text"}, Overrides{}, func(t *testing.T, c Config) {
			if c.MediaMaxBytes != 1000 || c.ShutdownTimeout != time.Minute || c.Level() != slog.LevelDebug {
				t.Errorf("got %+v", c)
			}
			var buf bytes.Buffer
			c.NewLogger(&buf).Debug("hello", "k", "v")
			if !strings.Contains(buf.String(), "level=DEBUG msg=hello k=v") {
				t.Errorf("text logger wrote %q", buf.String())
			}
		}},
		{"unrelated variables ignored", []string{"PATH=/bin", "HERALD_UNKNOWN=1", "ADDR=nonsense"}, Overrides{}, func(t *testing.T, c Config) {
			if c.Addr != DefaultAddr {
				t.Errorf("Addr = %q", c.Addr)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadWith(tt.environ, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		o       Overrides
		want    []string // substrings the error must contain
		notWant string
	}{
		{"addr not host:port", []string{"HERALD_ADDR=abc"}, Overrides{},
			[]string{`HERALD_ADDR "abc": not host:port; use e.g. 127.0.0.1:8080`}, ""},
		{"addr bad port", []string{"HERALD_ADDR=127.0.0.1:http99"}, Overrides{},
			[]string{`HERALD_ADDR "127.0.0.1:http99": the port is not a number`}, ""},
		{"addr port too big", []string{"HERALD_ADDR=:70000"}, Overrides{},
			[]string{`HERALD_ADDR ":70000"`, "0 to 65535"}, ""},
		{"addr flag", nil, Overrides{Addr: "localhost"},
			[]string{`HERALD_ADDR "localhost": not host:port`}, ""},
		{"data dir empty", []string{"HERALD_DATA_DIR= "}, Overrides{},
			[]string{"HERALD_DATA_DIR is empty"}, ""},
		{"database url mysql, password hidden", []string{"HERALD_DATABASE_URL=mysql://root:hunter2@db/h"}, Overrides{},
			[]string{`HERALD_DATABASE_URL has scheme "mysql"`, "postgres://"}, "hunter2"},
		{"database url path", []string{"HERALD_DATABASE_URL=/var/lib/herald.db"}, Overrides{},
			[]string{`HERALD_DATABASE_URL has scheme "none"`, "SQLite"}, ""},
		{"database url no host", []string{"HERALD_DATABASE_URL=postgres://"}, Overrides{},
			[]string{"HERALD_DATABASE_URL is not a valid PostgreSQL URL"}, ""},
		{"base url scheme", []string{"HERALD_BASE_URL=ftp://x"}, Overrides{},
			[]string{`HERALD_BASE_URL "ftp://x": the scheme must be http or https; use e.g. https://herald.example.com`}, ""},
		{"base url no host", []string{"HERALD_BASE_URL=https://"}, Overrides{},
			[]string{`HERALD_BASE_URL "https:": the host is missing`}, ""},
		{"base url query", []string{"HERALD_BASE_URL=https://h/?a=b"}, Overrides{},
			[]string{"HERALD_BASE_URL", "query"}, ""},
		{"media max bytes not a number", []string{"HERALD_MEDIA_MAX_BYTES=50MB"}, Overrides{},
			[]string{"HERALD_MEDIA_MAX_BYTES: not a whole number of bytes; use e.g. 52428800"}, ""},
		{"media max bytes zero", []string{"HERALD_MEDIA_MAX_BYTES=0"}, Overrides{},
			[]string{"HERALD_MEDIA_MAX_BYTES 0: must be more than 0"}, ""},
		{"log level", []string{"HERALD_LOG_LEVEL=verbose"}, Overrides{},
			[]string{`HERALD_LOG_LEVEL "verbose": not a level; use debug, info, warn or error`}, ""},
		{"log format", []string{"HERALD_LOG_FORMAT=xml"}, Overrides{},
			[]string{`HERALD_LOG_FORMAT "xml": not a format; use json or text`}, ""},
		{"shutdown timeout not a duration", []string{"HERALD_SHUTDOWN_TIMEOUT=15"}, Overrides{},
			[]string{"HERALD_SHUTDOWN_TIMEOUT: not a duration; use e.g. 15s"}, ""},
		{"shutdown timeout negative", []string{"HERALD_SHUTDOWN_TIMEOUT=-1s"}, Overrides{},
			[]string{"HERALD_SHUTDOWN_TIMEOUT -1s: must be more than 0"}, ""},
		{"publish concurrency zero", []string{"HERALD_PUBLISH_CONCURRENCY=0"}, Overrides{},
			[]string{"HERALD_PUBLISH_CONCURRENCY 0: must be from 1 to 10000"}, ""},
		{"publish concurrency not a number", []string{"HERALD_PUBLISH_CONCURRENCY=many"}, Overrides{},
			[]string{"HERALD_PUBLISH_CONCURRENCY: not a whole number"}, ""},
		{"x secret without id", []string{"HERALD_X_CLIENT_SECRET=s3cret"}, Overrides{},
			[]string{"HERALD_X_CLIENT_SECRET is set but HERALD_X_CLIENT_ID is not"}, ""},
		{"pinterest id without secret", []string{"HERALD_PINTEREST_CLIENT_ID=app"}, Overrides{},
			[]string{"HERALD_PINTEREST_CLIENT_ID and HERALD_PINTEREST_CLIENT_SECRET must be set together"}, ""},
		{"google id without secret", []string{"HERALD_GOOGLE_CLIENT_ID=123.apps.googleusercontent.com"}, Overrides{},
			[]string{"HERALD_GOOGLE_CLIENT_ID and HERALD_GOOGLE_CLIENT_SECRET must be set together"}, ""},
		{"google secret without id", []string{"HERALD_GOOGLE_CLIENT_SECRET=GOCSPX-s3cret"}, Overrides{},
			[]string{"HERALD_GOOGLE_CLIENT_ID and HERALD_GOOGLE_CLIENT_SECRET must be set together"}, "GOCSPX-s3cret"},
		{"test platform not a bool", []string{"HERALD_TEST_PLATFORM=maybe"}, Overrides{},
			[]string{"HERALD_TEST_PLATFORM: not true or false"}, ""},
		{"webhook not a URL", []string{"HERALD_NOTIFY_WEBHOOK_URL=hooks.example.com"}, Overrides{},
			[]string{"HERALD_NOTIFY_WEBHOOK_URL the scheme must be http or https"}, ""},
		{"several at once", []string{"HERALD_ADDR=x", "HERALD_LOG_FORMAT=xml"}, Overrides{},
			[]string{"HERALD_ADDR", "HERALD_LOG_FORMAT"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadWith(tt.environ, tt.o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q reveals %q", err, tt.notWant)
			}
		})
	}
}

func TestValidateEmptyPaths(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.KeyFile, c.MediaDir = "", ""
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "HERALD_KEY_FILE is empty") || !strings.Contains(err.Error(), "HERALD_MEDIA_DIR is empty") {
		t.Fatalf("Validate = %v", err)
	}
}

func TestPublishKnobs(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		wantErr string // "" for valid
		check   func(t *testing.T, c Config)
	}{
		{"unset keeps the dispatcher's defaults", nil, "", func(t *testing.T, c Config) {
			if c.PublishLease != 0 || c.PublishCallTimeout != 0 || c.PublishExpiredEvery != 0 || c.PublishBackoffBase != 0 || c.TestPlatformIdempotency {
				t.Errorf("got %+v", c)
			}
		}},
		{"small lease and call timeout", []string{"HERALD_PUBLISH_LEASE=2s", "HERALD_PUBLISH_CALL_TIMEOUT=500ms",
			"HERALD_PUBLISH_EXPIRED_EVERY=100ms", "HERALD_PUBLISH_BACKOFF_BASE=50ms", "HERALD_TEST_PLATFORM_IDEMPOTENCY=true"}, "",
			func(t *testing.T, c Config) {
				if c.PublishLease != 2*time.Second || c.PublishCallTimeout != 500*time.Millisecond ||
					c.PublishExpiredEvery != 100*time.Millisecond || c.PublishBackoffBase != 50*time.Millisecond || !c.TestPlatformIdempotency {
					t.Errorf("got %+v", c)
				}
			}},
		{"call timeout alone under the default lease", []string{"HERALD_PUBLISH_CALL_TIMEOUT=10s"}, "", nil},
		{"lease shorter than the default call timeout", []string{"HERALD_PUBLISH_LEASE=30s"}, "HERALD_PUBLISH_CALL_TIMEOUT 1m0s must be shorter than the lease 30s", nil},
		{"call timeout not shorter than lease", []string{"HERALD_PUBLISH_LEASE=1s", "HERALD_PUBLISH_CALL_TIMEOUT=1s"}, "must be shorter than the lease", nil},
		{"negative", []string{"HERALD_PUBLISH_EXPIRED_EVERY=-1s"}, "HERALD_PUBLISH_EXPIRED_EVERY -1s: must not be negative", nil},
		{"backoff over the ceiling", []string{"HERALD_PUBLISH_BACKOFF_BASE=1h"}, "HERALD_PUBLISH_BACKOFF_BASE 1h0m0s: must be at most 15m0s", nil},
		{"not a duration", []string{"HERALD_PUBLISH_LEASE=soon"}, "HERALD_PUBLISH_LEASE: not a duration", nil},
		{"not a bool", []string{"HERALD_TEST_PLATFORM_IDEMPOTENCY=maybe"}, "HERALD_TEST_PLATFORM_IDEMPOTENCY: not true or false", nil},
		{"instance staleness", []string{"HERALD_INSTANCE_STALE_AFTER=10s"}, "", func(t *testing.T, c Config) {
			if c.InstanceStaleAfter != 10*time.Second {
				t.Errorf("InstanceStaleAfter = %s, want 10s", c.InstanceStaleAfter)
			}
		}},
		{"instance staleness too short", []string{"HERALD_INSTANCE_STALE_AFTER=100ms"}, "HERALD_INSTANCE_STALE_AFTER 100ms: must be at least 1s", nil},
		{"instance staleness negative", []string{"HERALD_INSTANCE_STALE_AFTER=-3s"}, "HERALD_INSTANCE_STALE_AFTER -3s: must be at least 1s", nil},
		{"instance staleness not a duration", []string{"HERALD_INSTANCE_STALE_AFTER=3"}, "HERALD_INSTANCE_STALE_AFTER: not a duration", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.environ)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load(%q) error = %v, want one containing %q", tt.environ, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.environ, err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestAllowPrivateNetworks(t *testing.T) {
	c, err := Load(nil)
	if err != nil || c.AllowPrivateNetworks {
		t.Fatalf("default: AllowPrivateNetworks = %v, %v; want off", c.AllowPrivateNetworks, err)
	}
	c, err = Load([]string{"HERALD_ALLOW_PRIVATE_NETWORKS=true"})
	if err != nil || !c.AllowPrivateNetworks {
		t.Fatalf("set: AllowPrivateNetworks = %v, %v; want on", c.AllowPrivateNetworks, err)
	}
	_, err = Load([]string{"HERALD_ALLOW_PRIVATE_NETWORKS=sometimes"})
	if err == nil || !strings.Contains(err.Error(), "HERALD_ALLOW_PRIVATE_NETWORKS: not true or false") {
		t.Fatalf("not a bool: %v", err)
	}
}
