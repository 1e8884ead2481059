package trialdir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestAttemptsRecord: the attempts of a trial read back as written; an attempt that wrote
// no end is killed once another starts (its end is its last checkpoint, not known), and
// the last one is killed unless the trial's lock is held; a partial last line is ignored,
// and dropped when the next attempt starts.
func TestAttemptsRecord(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(BeginAttempt(dir, 0, false, t0))
	must(AttemptCheckpoint(dir, 10))
	must(AttemptCheckpoint(dir, 20))
	// killed here: no end
	must(BeginAttempt(dir, 20, true, t0.Add(time.Minute)))
	must(AttemptCheckpoint(dir, 30))
	must(EndAttempt(dir, AttemptEnd{Step: 33, How: Interrupted}))
	must(BeginAttempt(dir, 33, true, t0.Add(2*time.Minute)))
	must(EndAttempt(dir, AttemptEnd{How: Crashed, Error: "worker signal: killed"}))
	must(BeginAttempt(dir, 30, true, t0.Add(3*time.Minute)))
	must(EndAttempt(dir, AttemptEnd{Step: 50, How: Finished, Status: Solved}))
	must(BeginAttempt(dir, 0, false, t0.Add(4*time.Minute)))

	path := filepath.Join(dir, AttemptsFile)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	must(err)
	f.WriteString(`{"event":"checkpoint","st`) // a kill in the middle of an append
	f.Close()

	got, err := ReadAttempts(dir)
	must(err)
	host, _ := os.Hostname()
	pid := os.Getpid()
	want := []Attempt{
		{Start: 0, End: 20, LastCheckpoint: 20, How: Killed, Time: t0, Host: host, PID: pid},
		{Start: 20, Resumed: true, End: 33, EndKnown: true, LastCheckpoint: 30, How: Interrupted, Time: t0.Add(time.Minute), Host: host, PID: pid},
		{Start: 33, Resumed: true, End: 33, LastCheckpoint: -1, How: Crashed, Error: "worker signal: killed", Time: t0.Add(2 * time.Minute), Host: host, PID: pid},
		{Start: 30, Resumed: true, End: 50, EndKnown: true, LastCheckpoint: -1, How: Finished, Status: Solved, Time: t0.Add(3 * time.Minute), Host: host, PID: pid},
		{Start: 0, End: 0, LastCheckpoint: -1, How: Killed, Time: t0.Add(4 * time.Minute), Host: host, PID: pid},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("attempts:\n got %+v\nwant %+v", got, want)
	}

	unlock, err := Lock(dir)
	must(err)
	if got, _ := ReadAttempts(dir); len(got) != 5 || got[4].How != Running {
		t.Errorf("with the trial's lock held, the last attempt reads %+v", got[len(got)-1])
	}
	unlock()
	b, _ := os.ReadFile(path)

	must(BeginAttempt(dir, 0, false, t0.Add(5*time.Minute)))
	b, _ = os.ReadFile(path)
	if _, err := DecodeAttempts(b, path, false); err != nil {
		t.Errorf("the partial line was not dropped by the next attempt: %v\n%s", err, b)
	}
	if got, _ := ReadAttempts(dir); len(got) != 6 {
		t.Errorf("%d attempts after another start, want 6", len(got))
	}
	if got, err := ReadAttempts(t.TempDir()); err != nil || got != nil {
		t.Errorf("no attempts file: %v, %v", got, err)
	}
	if IsTemp(AttemptsFile) {
		t.Errorf("%s would be removed as a temporary file", AttemptsFile)
	}
}
