package postgres

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// InstallationID returns the installation's random id, writing a new one on
// the first call. The update only fills an empty id and RETURNING gives the
// row as it stands, so instances that race all get the one that won.
func (db *DB) InstallationID(ctx context.Context) (string, error) {
	var id *string
	err := db.q.QueryRow(ctx,
		`UPDATE installation_settings SET installation_id = COALESCE(installation_id, $1) WHERE id = 1 RETURNING installation_id`,
		herald.NewInstallationID()).Scan(&id)
	if err != nil {
		return "", dbErr("installation id", err)
	}
	if id == nil {
		return "", fmt.Errorf("postgres: the installation id was not stored")
	}
	if err := herald.ValidInstallationID(*id); err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	return *id, nil
}
