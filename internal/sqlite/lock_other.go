//go:build !unix

package sqlite

import "os"

// Without flock the folder is not locked: the operator must not start two
// processes on one folder.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
