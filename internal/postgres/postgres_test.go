package postgres_test

import (
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) herald.Store { return pgtest.Open(t) })
}

func TestInstallationIDSurvivesReopen(t *testing.T) {
	db, schema := pgtest.OpenUnmigrated(t)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	storetest.InstallationIDSurvivesReopen(t, db,
		func(t *testing.T) herald.Store { return pgtest.Reopen(t, schema) },
		func(t *testing.T) herald.Store { return pgtest.Open(t) })
}
