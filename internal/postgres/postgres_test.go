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
