package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func sessionTests() []test {
	return []test{
		{"CommitFindDelete", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			data := []byte{0, 1, 2, 'a', 255}
			noErr(t, s.CommitSession(ctx, "tok-1", 0, data, time.Now().Add(time.Hour)), "CommitSession")
			got, found, err := s.FindSession(ctx, "tok-1")
			noErr(t, err, "FindSession")
			if !found || string(got) != string(data) {
				t.Fatalf("FindSession = %v, %v; want %v, true", got, found, data)
			}
			noErr(t, s.CommitSession(ctx, "tok-1", 0, []byte("replaced"), time.Now().Add(time.Hour)), "CommitSession(replace)")
			got, found, err = s.FindSession(ctx, "tok-1")
			noErr(t, err, "FindSession")
			if !found || string(got) != "replaced" {
				t.Fatalf("FindSession after replace = %q, %v", got, found)
			}
			noErr(t, s.DeleteSession(ctx, "tok-1"), "DeleteSession")
			_, found, err = s.FindSession(ctx, "tok-1")
			noErr(t, err, "FindSession after delete")
			if found {
				t.Fatal("deleted session found")
			}
			noErr(t, s.DeleteSession(ctx, "never-there"), "DeleteSession(absent)")
			_, found, err = s.FindSession(ctx, "never-there")
			noErr(t, err, "FindSession(absent)")
			if found {
				t.Fatal("absent session found")
			}
		}},
		{"DeleteUserSessions", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			exp := time.Now().Add(time.Hour)
			noErr(t, s.CommitSession(ctx, "u1-a", 1, []byte("a"), exp), "CommitSession")
			noErr(t, s.CommitSession(ctx, "u1-b", 1, []byte("b"), exp), "CommitSession")
			noErr(t, s.CommitSession(ctx, "u1-c", 1, []byte("c"), exp), "CommitSession")
			noErr(t, s.CommitSession(ctx, "u2-a", 2, []byte("d"), exp), "CommitSession")
			noErr(t, s.CommitSession(ctx, "anon", 0, []byte("e"), exp), "CommitSession")
			// A session that signs in later carries its user from its next commit.
			noErr(t, s.CommitSession(ctx, "u1-d", 0, []byte("f"), exp), "CommitSession")
			noErr(t, s.CommitSession(ctx, "u1-d", 1, []byte("f"), exp), "CommitSession(signed in)")
			n, err := s.DeleteUserSessions(ctx, 1, "u1-b")
			noErr(t, err, "DeleteUserSessions")
			if n != 3 {
				t.Fatalf("DeleteUserSessions = %d, want 3", n)
			}
			for key, want := range map[string]bool{"u1-a": false, "u1-b": true, "u1-c": false, "u1-d": false, "u2-a": true, "anon": true} {
				_, found, err := s.FindSession(ctx, key)
				noErr(t, err, "FindSession")
				if found != want {
					t.Errorf("session %s found = %v, want %v", key, found, want)
				}
			}
			n, err = s.DeleteUserSessions(ctx, 1, "")
			noErr(t, err, "DeleteUserSessions(all)")
			if n != 1 {
				t.Fatalf("DeleteUserSessions(all) = %d, want 1", n)
			}
			n, err = s.DeleteUserSessions(ctx, 0, "")
			noErr(t, err, "DeleteUserSessions(anonymous)")
			if n != 0 {
				t.Fatalf("DeleteUserSessions(0) = %d: anonymous sessions belong to nobody", n)
			}
		}},
		{"Expired", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			now := time.Now()
			noErr(t, s.CommitSession(ctx, "old-1", 0, []byte("a"), now.Add(-2*time.Hour)), "CommitSession")
			noErr(t, s.CommitSession(ctx, "old-2", 0, []byte("b"), now.Add(-time.Hour)), "CommitSession")
			noErr(t, s.CommitSession(ctx, "live", 0, []byte("c"), now.Add(time.Hour)), "CommitSession")
			_, found, err := s.FindSession(ctx, "old-1")
			noErr(t, err, "FindSession(expired)")
			if found {
				t.Fatal("expired session found")
			}
			n, err := s.DeleteExpiredSessions(ctx, now)
			noErr(t, err, "DeleteExpiredSessions")
			if n != 2 {
				t.Fatalf("DeleteExpiredSessions = %d, want 2", n)
			}
			_, found, err = s.FindSession(ctx, "live")
			noErr(t, err, "FindSession(live)")
			if !found {
				t.Fatal("live session deleted")
			}
			n, err = s.DeleteExpiredSessions(ctx, now)
			noErr(t, err, "DeleteExpiredSessions again")
			if n != 0 {
				t.Fatalf("second DeleteExpiredSessions = %d, want 0", n)
			}
		}},
	}
}
