package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// InstallationID returns the installation's random id, writing a new one on
// the first call. The write only fills an empty id, so two processes that
// race both read back the one that won.
func (db *DB) InstallationID(ctx context.Context) (string, error) {
	if _, err := db.w.ExecContext(ctx,
		`UPDATE installation_settings SET installation_id = ? WHERE id = 1 AND installation_id IS NULL`,
		herald.NewInstallationID()); err != nil {
		return "", dbErr(err, "create installation id", "", "")
	}
	var id sql.NullString
	// Read on the write connection: the read pool may not see the write yet.
	if err := db.w.QueryRowContext(ctx, `SELECT installation_id FROM installation_settings WHERE id = 1`).Scan(&id); err != nil {
		return "", getErr(err, "installation settings")
	}
	if err := herald.ValidInstallationID(id.String); err != nil {
		return "", fmt.Errorf("sqlite: %w", err)
	}
	return id.String, nil
}
