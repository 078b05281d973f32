package sqlite

import (
	"errors"
	"os"
	"os/exec"
	"testing"
)

func TestLockDirRefusesSecondHolder(t *testing.T) {
	if os.Getenv("HERALD_LOCK_CHILD") != "" {
		_, err := LockDir(os.Getenv("HERALD_LOCK_CHILD"))
		if errors.Is(err, ErrInUse) {
			os.Exit(3)
		}
		os.Exit(0)
	}
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatalf("LockDir: %v", err)
	}
	// Another process is refused while the lock is held.
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLockDirRefusesSecondHolder$")
	cmd.Env = append(os.Environ(), "HERALD_LOCK_CHILD="+dir)
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("second process while locked: %v, want exit 3 (ErrInUse)", err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	// Once released, another process gets it.
	cmd = exec.Command(os.Args[0], "-test.run", "^TestLockDirRefusesSecondHolder$")
	cmd.Env = append(os.Environ(), "HERALD_LOCK_CHILD="+dir)
	if err := cmd.Run(); err != nil {
		t.Fatalf("second process after unlock: %v", err)
	}
}
