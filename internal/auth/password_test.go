package auth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestHashAndCheckPassword(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string", hash)
	}
	other, _ := HashPassword("correct horse battery")
	if other == hash {
		t.Error("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
		wantErr  bool
	}{
		{"right", hash, "correct horse battery", true, false},
		{"wrong", hash, "correct horse batterz", false, false},
		{"empty", hash, "", false, false},
		{"not phc", "plaintext", "x", false, true},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"bad version", strings.Replace(hash, "v=19", "v=16", 1), "correct horse battery", false, true},
		{"huge memory", strings.Replace(hash, "m=19456", "m=99999999", 1), "correct horse battery", false, true},
		{"bad params", strings.Replace(hash, "m=19456,t=2,p=1", "m=x", 1), "correct horse battery", false, true},
		{"bad salt", strings.Replace(hash, "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$v=19$m=19456,t=2,p=1$!!", 1), "correct horse battery", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckPassword(tt.hash, tt.password)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("CheckPassword = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"too short", "123456789", false},
		{"empty", "", false},
		{"min", "1234567890", true},
		{"multibyte counts characters", strings.Repeat("é", 10), true},
		{"max", strings.Repeat("a", 256), true},
		{"too long", strings.Repeat("a", 257), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePassword(tt.password)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidatePassword: %v", err)
				}
				return
			}
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.CodeInvalid || len(he.Details) != 1 || he.Details[0].Field != "password" {
				t.Fatalf("ValidatePassword error = %v, want invalid with field password", err)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"", "", false},
		{"Bearer hrld_abc", "hrld_abc", true},
		{"bearer hrld_abc", "hrld_abc", true},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer ", "", false},
		{"Bearer", "", false},
	}
	for _, tt := range tests {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			r.Header.Set("Authorization", tt.header)
		}
		got, ok := BearerToken(r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "1 second"},
		{42 * time.Second, "42 seconds"},
		{time.Minute, "1 minute"},
		{61 * time.Second, "2 minutes"},
		{15 * time.Minute, "15 minutes"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
