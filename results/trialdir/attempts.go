package trialdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// AttemptsFile is the record of the processes that worked on a trial, one JSON object a
// line, appended and synced by the process that holds the trial's lock. It is not one of
// the trial's [Outputs]: an interrupted trial has more attempts than one that ran through.
// Comparisons of trial directories skip it.
//
// Each line is one event of an attempt:
//
//	{"event":"start","step":S,"resumed":true,"time":"2006-01-02T15:04:05Z","host":"h","pid":1}
//	{"event":"checkpoint","step":N}
//	{"event":"end","step":N,"how":"finished","status":"solved"}
//
// A start begins an attempt: step is 0, or the step of the checkpoint it resumed from
// (resumed is then true). A checkpoint line follows every checkpoint it saves. An end
// closes it: how is [Finished] (status is the result's status), [Interrupted] (SIGINT or
// SIGTERM, after saving a checkpoint at step), [Paused] (at a rung of successive halving,
// after saving a checkpoint at step, until its group is ranked), [Stopped] (an error left the trial
// unfinished, e.g. a full disk; error says which) or [Crashed] (written by the sweep for a
// worker that died without a result; its step is unknown). A process killed outright
// writes no end: see [ReadAttempts]. A partial last line, left by a kill during an append,
// is ignored, and removed when the next attempt starts.
const AttemptsFile = "attempts.jsonl"

// How an attempt ended: the How of an [Attempt].
const (
	Finished    = "finished"    // wrote result.json; Status is its status
	Interrupted = "interrupted" // stopped by SIGINT or SIGTERM after saving a checkpoint
	Paused      = "paused"      // stopped at a rung of successive halving after saving a checkpoint, to wait for its group
	Stopped     = "stopped"     // an error left the trial unfinished (a full disk); Error says which
	Crashed     = "crashed"     // the worker died without a result, as its sweep saw
	Killed      = "killed"      // ended without a word: the next attempt started, or none runs now
	Running     = "running"     // the last attempt, whose process still holds the trial's lock
)

// Attempt is one process's work on a trial, as [ReadAttempts] derives it.
type Attempt struct {
	Start   int  // step it started from: 0, or the step of the checkpoint it resumed from
	Resumed bool // it continued from a checkpoint
	// End is the step it reached. When EndKnown is false (killed, crashed or running) the
	// step it reached is not recorded, and End is the step of its last checkpoint, or
	// Start if it saved none: the work it kept.
	End      int
	EndKnown bool
	// LastCheckpoint is the step of the last checkpoint it recorded, -1 if none.
	LastCheckpoint int
	How            string // Finished, Interrupted, Paused, Stopped, Crashed, Killed or Running
	Status         string // How == Finished: the result's status
	Error          string // How == Stopped or Crashed: what stopped it
	// Wall-clock start, host name and process id of the process; they differ between runs.
	Time time.Time
	Host string
	PID  int
}

// attemptLine is one line of [AttemptsFile].
type attemptLine struct {
	Event   string     `json:"event"`
	Step    *int       `json:"step,omitempty"`
	Resumed bool       `json:"resumed,omitempty"`
	Time    *time.Time `json:"time,omitempty"`
	Host    string     `json:"host,omitempty"`
	PID     int        `json:"pid,omitempty"`
	How     string     `json:"how,omitempty"`
	Status  string     `json:"status,omitempty"`
	Error   string     `json:"error,omitempty"`
}

// AttemptEnd is how an attempt ended, for [EndAttempt].
type AttemptEnd struct {
	Step   int    // the step it reached (ignored for Crashed)
	How    string // Finished, Interrupted, Paused, Stopped or Crashed
	Status string // Finished: the result's status
	Error  string // Stopped, Crashed: what stopped it
}

// BeginAttempt records that this process starts working on the trial in dir at step
// (resumed from a checkpoint when resumed is true), at wall-clock time now. Only the
// holder of the trial's lock may call it. It first drops a partial last line that a
// killed process left.
func BeginAttempt(dir string, step int, resumed bool, now time.Time) error {
	path := filepath.Join(dir, AttemptsFile)
	if b, err := os.ReadFile(path); err == nil {
		if i := bytes.LastIndexByte(b, '\n'); i != len(b)-1 {
			if err := os.Truncate(path, int64(i+1)); err != nil {
				return fmt.Errorf("repair %s: %w", path, err)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	host, _ := os.Hostname()
	now = now.UTC()
	return appendAttempt(dir, attemptLine{Event: "start", Step: &step, Resumed: resumed, Time: &now, Host: host, PID: os.Getpid()})
}

// AttemptCheckpoint records that the running attempt saved a checkpoint at step.
func AttemptCheckpoint(dir string, step int) error {
	return appendAttempt(dir, attemptLine{Event: "checkpoint", Step: &step})
}

// EndAttempt records how the running attempt ended. For a worker that died without a
// word (How == Crashed), its sweep writes it, holding the trial's lock.
func EndAttempt(dir string, e AttemptEnd) error {
	l := attemptLine{Event: "end", How: e.How, Status: e.Status, Error: e.Error}
	if e.How != Crashed {
		l.Step = &e.Step
	}
	return appendAttempt(dir, l)
}

// appendAttempt appends one line to the trial's attempts file and syncs it.
func appendAttempt(dir string, l attemptLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("encode attempt: %w", err)
	}
	return appendSynced(filepath.Join(dir, AttemptsFile), append(b, '\n'))
}

// appendSynced appends data to the file at path, creating it with mode [FileMode] (less
// the umask), and syncs it.
func appendSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, FileMode)
	if err != nil {
		return fmt.Errorf("append %s: %w", path, err)
	}
	faultPoint("append", path, f, data)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("append %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// ReadAttempts returns the attempts recorded in the trial directory dir, oldest first;
// none when the file does not exist. An attempt without an end was killed (a SIGKILL, a
// crashed machine) when another attempt started after it, or when no process holds the
// trial's lock now; otherwise it is still running.
func ReadAttempts(dir string) ([]Attempt, error) {
	b, err := os.ReadFile(filepath.Join(dir, AttemptsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read attempts: %w", err)
	}
	return DecodeAttempts(b, filepath.Join(dir, AttemptsFile), Locked(dir))
}

// DecodeAttempts parses the content of an attempts file (see [ReadAttempts]); running
// tells whether a process holds the trial's lock, name is used in errors.
func DecodeAttempts(data []byte, name string, running bool) ([]Attempt, error) {
	if i := bytes.LastIndexByte(data, '\n'); i != len(data)-1 {
		data = data[:i+1] // a partial last line from an interrupted append
	}
	var out []Attempt
	var cur *Attempt
	closeCur := func(how string) {
		if cur != nil {
			cur.How = how
			out = append(out, *cur)
			cur = nil
		}
	}
	for n, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var l attemptLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
		}
		step := -1
		if l.Step != nil {
			step = *l.Step
		}
		switch l.Event {
		case "start":
			closeCur(Killed)
			cur = &Attempt{Start: max(step, 0), Resumed: l.Resumed, End: max(step, 0), LastCheckpoint: -1, Host: l.Host, PID: l.PID}
			if l.Time != nil {
				cur.Time = *l.Time
			}
		case "checkpoint":
			if cur != nil && step >= 0 {
				cur.LastCheckpoint, cur.End = step, step
			}
		case "end":
			if cur == nil {
				continue // the end of an attempt whose start was never recorded
			}
			if step >= 0 {
				cur.End, cur.EndKnown = step, true
			}
			cur.Status, cur.Error = l.Status, l.Error
			closeCur(l.How)
		}
	}
	if running {
		closeCur(Running)
	} else {
		closeCur(Killed)
	}
	return out, nil
}
