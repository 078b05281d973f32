package web

import (
	"database/sql"
	"strings"
)

// mustNotStoreInSessions fails when a stored session row holds secret or
// any 16-character piece of it.
func (e *env) mustNotStoreInSessions(secret string) {
	e.t.Helper()
	db, ok := e.store.(interface{ WriteDB() *sql.DB })
	if !ok {
		e.t.Fatal("the test store does not expose its database")
	}
	rows, err := db.WriteDB().QueryContext(e.t.Context(), `SELECT hash, data FROM sessions`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key string
		var data []byte
		if err := rows.Scan(&key, &data); err != nil {
			e.t.Fatal(err)
		}
		n++
		for i := 0; i+16 <= len(secret); i++ {
			if piece := secret[i : i+16]; strings.Contains(key, piece) || strings.Contains(string(data), piece) {
				e.t.Fatalf("a stored session holds %q, part of the secret", piece)
			}
		}
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	if n == 0 {
		e.t.Fatal("no session is stored: nothing was checked")
	}
}
