package trialdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrBusy is returned by [Lock] when another process holds the trial's lock.
var ErrBusy = errors.New("trial is being run by another process")

// Lock takes the trial's lock: an exclusive, non-blocking flock on its lock file, created
// if needed. It fails with an error wrapping [ErrBusy] when another process holds it. The
// kernel drops the lock when the process dies, so a killed run never leaves a stale lock.
// Once the lock is held, the temporary files that an earlier, killed run left in dir are
// removed (see [RemoveTemps]); one that cannot be removed is left, and is never read.
func Lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock trial: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock trial: %w", err)
	}
	if !held {
		f.Close()
		return nil, fmt.Errorf("%s: %w", dir, ErrBusy)
	}
	RemoveTemps(dir)
	return func() { f.Close() }, nil
}

// Locked reports whether a process holds the trial's lock, i.e. the trial is running. It
// creates no file.
func Locked(dir string) bool {
	f, err := os.Open(filepath.Join(dir, lockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	held, err := tryLock(f)
	if err != nil {
		return false
	}
	if held {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return !held
}

// tryLock takes an exclusive flock on f without waiting: held is false when another
// process holds it.
func tryLock(f *os.File) (held bool, err error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
