package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
)

// SweepOptions controls a sweep run.
type SweepOptions struct {
	Out         string // parent of the sweep directory, which is <Out>/<spec name>
	Workers     int    // trials run at once, each in its own process (≥ 1)
	Shard       Shard  // the part of the sweep to run; zero value: all of it
	RetryFailed bool   // run failed trials again
	// RerunStale runs again the finished trials whose results another expctl version or
	// build computed; without it such trials stop the sweep before it runs anything.
	RerunStale      bool
	CheckpointEvery int // steps between checkpoints of a running trial
	// Select, when set, keeps the shard's trials it returns true for: the others are left
	// out of this run (trials.json still lists every trial of the sweep). With successive
	// halving it must keep or leave out whole groups.
	Select    func(experiments.Config) bool
	MaxTrials int      // refuse sweeps with more trials (≤ 0: no limit)
	Worker    []string // command that runs one trial; the trial directory is appended
	WorkerEnv []string // extra environment for workers ("KEY=value")
	// StopGrace is how long a worker may take to checkpoint and exit after the sweep is
	// cancelled before it is killed (default 30 s).
	StopGrace time.Duration
	Report    func(SweepEvent) // called from several goroutines, one event at a time
	// Notice, when set, is told in lines what changed since the sweep's directory was
	// last run with another spec, before any trial runs: where the earlier spec is kept,
	// which trials are new, which finished ones no longer belong to the spec.
	Notice func(line string)
}

// EventKind tells what a [SweepEvent] reports.
type EventKind int

// The events of a sweep.
const (
	TrialSkipped  EventKind = iota // finished in an earlier run; Result is set
	TrialStarted                   // a worker started the trial
	TrialProgress                  // an evaluation; Progress is set
	TrialFinished                  // Result is set (its Status may be failed)
	TrialStopped                   // interrupted (will resume), busy elsewhere or out of space; Err says which
	TrialNotice                    // the trial reports what it works around; Notice is set
	TrialResumed                   // the trial continues from its checkpoint; Resumed is its step
	TrialPaused                    // the trial reached a rung of successive halving and waits for its group; Paused is the step
)

// SweepEvent is one thing that happened in a sweep.
type SweepEvent struct {
	Kind     EventKind
	Index    int // position in the shard's trial list
	Total    int // trials in the shard
	Config   experiments.Config
	Progress *Progress
	Result   *trialdir.Result
	Err      error
	Notice   string // one line
	Resumed  int    // TrialResumed: the step of the checkpoint the trial continues from
	Paused   int    // TrialPaused: the rung (step) it waits at
}

// SweepSummary counts what a sweep run found and did.
type SweepSummary struct {
	Dir      string
	Shard    Shard
	Total    int            // trials in this shard
	Skipped  int            // already finished before this run
	Ran      int            // finished by this run
	Statuses map[string]int // finished trials of the shard by status (earlier runs included)
	Stopped  int            // interrupted, running elsewhere or out of space: not finished
	// Interrupted counts the stopped trials that SIGINT or SIGTERM stopped, to the sweep or
	// to their worker: they resume from their checkpoints when the sweep runs again.
	Interrupted int
	// Busy counts the stopped trials that another process was running (it held their
	// locks): running the sweep again does not finish them while that process runs.
	Busy int
	// Waiting counts the trials paused at a rung of successive halving whose group could
	// not be ranked because another of its trials stopped first: running the sweep again
	// continues them.
	Waiting int
}

// Pending is the number of the shard's trials that are not finished.
func (s *SweepSummary) Pending() int { return s.Total - s.Skipped - s.Ran }

// RunSweep runs the trials of spec that are not finished yet, in worker processes, and
// records each in <Out>/<spec name>/<trial id>. specYAML is stored as the sweep's
// spec.yaml, and the expanded list of all its trials as trials.json.
// Cancelling ctx asks the workers to checkpoint and stop; RunSweep then returns the summary
// and ErrInterrupted. A worker stopped by SIGINT or SIGTERM while the sweep goes on (a
// preempted job) leaves its trial unfinished, not failed, and RunSweep also returns
// ErrInterrupted once the other trials are done. A trial stopped by a full disk makes it
// return that error (see [NoSpace]).
func RunSweep(ctx context.Context, spec *experiments.Spec, specYAML []byte, opts SweepOptions) (*SweepSummary, error) {
	if opts.Workers < 1 {
		return nil, &experiments.ConfigError{Field: "workers", Value: opts.Workers, Want: "an integer ≥ 1"}
	}
	if len(opts.Worker) == 0 {
		return nil, errors.New("sweep: no worker command")
	}
	if opts.StopGrace == 0 {
		opts.StopGrace = 30 * time.Second
	}
	all, err := spec.Expand(opts.MaxTrials)
	if err != nil {
		return nil, err
	}
	trials, err := SelectTrials(ShardTrials(all, opts.Shard), opts.Select)
	if err != nil {
		return nil, err
	}
	dir := trialdir.SweepPath(opts.Out, spec.Name)
	if err := CheckWritable(dir); err != nil {
		return nil, err
	}
	oldList, _ := trialdir.ReadTrialList(dir) // nil on a first run
	kept, err := trialdir.ReplaceSpec(dir, specYAML)
	if err != nil {
		return nil, err
	}
	if opts.Notice != nil {
		for _, line := range specChanges(dir, kept, oldList, all) {
			opts.Notice(line)
		}
	}
	// The resolved spec: every trial of the sweep (not only this shard's), for reports.
	list := &trialdir.TrialList{Name: spec.Name, Axes: spec.Axes(), Trials: make([]trialdir.ListedTrial, len(all))}
	for i, c := range all {
		list.Trials[i] = trialdir.ListedTrial{ID: c.ID(), Config: c.Canonical()}
	}
	if err := trialdir.WriteTrialList(dir, list); err != nil {
		return nil, err
	}
	sum := &SweepSummary{Dir: dir, Shard: opts.Shard, Total: len(trials), Statuses: map[string]int{}}
	var noSpace error // the first trial stopped by a full disk
	var mu sync.Mutex
	report := func(e SweepEvent) {
		mu.Lock()
		defer mu.Unlock()
		e.Total = len(trials)
		switch e.Kind {
		case TrialSkipped:
			sum.Skipped++
			sum.Statuses[e.Result.Status]++
		case TrialFinished:
			sum.Ran++
			sum.Statuses[e.Result.Status]++
		case TrialStopped:
			sum.Stopped++
			if errors.Is(e.Err, ErrInterrupted) {
				sum.Interrupted++
			} else if errors.Is(e.Err, ErrBusy) {
				sum.Busy++
			} else if NoSpace(e.Err) && noSpace == nil {
				noSpace = e.Err
			}
		}
		if opts.Report != nil {
			opts.Report(e)
		}
	}

	stale, staleBy := 0, ""
	for _, c := range trials {
		if res, err := trialdir.ReadResult(trialdir.TrialPath(dir, c.ID())); err == nil && isStale(res) {
			stale++
			staleBy = producedBy(res.Version, res.Build)
		}
	}
	if stale > 0 && !opts.RerunStale {
		return nil, &StaleError{Dir: dir, Trials: stale, By: staleBy}
	}
	sched := newScheduler(ctx, dir, report)
	for i, c := range trials {
		td := trialdir.TrialPath(dir, c.ID())
		finished := false
		if res, err := trialdir.ReadResult(td); err == nil {
			if !isStale(res) && (res.Status != trialdir.Failed || !opts.RetryFailed) {
				report(SweepEvent{Kind: TrialSkipped, Index: i, Config: c, Result: res})
				trialdir.DropLeftCheckpoint(td)
				finished = true
			} else {
				// Stale, or retried from scratch: the checkpoint may be what failed.
				trialdir.Unfinish(td)
			}
		}
		if err := sched.add(i, c, finished); err != nil {
			return nil, err
		}
	}
	sched.start()
	// The costliest jobs start first, so that the workers finish together rather than one
	// of them running the last long trial alone. Order does not change any trial's result.
	var wg sync.WaitGroup
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j, ok := sched.next()
				if !ok {
					return
				}
				sched.done(j, runWorker(ctx, dir, j, opts, report))
			}
		}()
	}
	wg.Wait()
	if ctx.Err() == nil {
		sum.Waiting = sched.waiting()
	}
	switch {
	case sum.Pending() == 0:
	case ctx.Err() != nil || sum.Interrupted > 0:
		return sum, ErrInterrupted
	case noSpace != nil:
		return sum, noSpace
	}
	return sum, nil
}

// SelectTrials keeps the trials that sel returns true for (all of them when sel is nil).
// A selection that keeps part of a halving group is a *experiments.ConfigError of the
// field "where": the group could not be ranked.
func SelectTrials(trials []experiments.Config, sel func(experiments.Config) bool) ([]experiments.Config, error) {
	if sel == nil {
		return trials, nil
	}
	var out []experiments.Config
	in, left := map[string]string{}, map[string]string{} // group → a trial kept, a trial left out
	for _, c := range trials {
		m := left
		if sel(c) {
			out = append(out, c)
			m = in
		}
		if c.Halving != "" {
			if _, seen := m[c.Group()]; !seen {
				m[c.Group()] = c.ID()
			}
		}
	}
	for _, c := range trials { // in list order, for a stable message
		if kept, ok := in[c.Group()]; ok && c.Halving != "" && left[c.Group()] != "" {
			h, _, _ := c.HalvingPolicy()
			return nil, &experiments.ConfigError{Field: "where", Value: "condition", Want: fmt.Sprintf(
				"conditions that keep or leave out whole halving groups (%s is kept, %s of its group is not): select by fields other than %s",
				kept, left[c.Group()], strings.Join(h.Over, ", "))}
		}
	}
	return out, nil
}

// noSpaceError is a worker's report that its trial stopped for lack of space.
type noSpaceError struct{ msg string }

func (e *noSpaceError) Error() string { return e.msg }

// Unwrap makes [NoSpace] hold for the error.
func (e *noSpaceError) Unwrap() error { return syscall.ENOSPC }

// lastLine is the last line of s.
func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// interrupted reports whether a worker that left no result.json was stopped by SIGINT or
// SIGTERM: it exited with [WorkerExitInterrupted] after saving a checkpoint, or the signal
// killed it before it could.
func interrupted(ps *os.ProcessState) bool {
	if ps.ExitCode() == WorkerExitInterrupted {
		return true
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && (ws.Signal() == syscall.SIGINT || ws.Signal() == syscall.SIGTERM)
}

// tail keeps the last n bytes written to it.
type tail struct {
	mu  sync.Mutex
	buf []byte
	n   int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.n {
		t.buf = t.buf[len(t.buf)-t.n:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}

// oneThreadVars are set to 1 in a worker's environment unless already set: each worker
// runs its trial on one thread (Go code and OpenBLAS alike), and a sweep gets its
// parallelism from running --workers trials at once.
var oneThreadVars = []string{"GOMAXPROCS", "OPENBLAS_NUM_THREADS"}

// oneThreadEnv returns env with VAR=1 appended for each of [oneThreadVars] that env does
// not set.
func oneThreadEnv(env []string) []string {
	for _, v := range oneThreadVars {
		if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, v+"=") }) {
			env = append(env, v+"=1")
		}
	}
	return env
}

// runWorker runs job j in a child process and reports what became of its trial.
func runWorker(ctx context.Context, dir string, j job, opts SweepOptions, report func(SweepEvent)) outcome {
	index, cfg := j.index, j.cfg
	td := trialdir.TrialPath(dir, cfg.ID())
	fail := func(err error) outcome {
		report(SweepEvent{Kind: TrialStopped, Index: index, Config: cfg, Err: err})
		return stoppedRun
	}
	if err := os.MkdirAll(td, 0o755); err != nil {
		return fail(err)
	}
	if err := trialdir.EnsureConfig(td, cfg); err != nil {
		return fail(err)
	}
	// Pdeathsig is delivered when the thread that started the child exits, so the thread is
	// pinned for the child's whole life: if the sweep process dies, so do its workers.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wargs := WorkerArgs{Dir: td, CheckpointEvery: max(opts.CheckpointEvery, 1), PauseAt: j.pauseAt, PruneAt: j.pruneAt, PruneReason: j.reason}
	args := append(append([]string{}, opts.Worker[1:]...), wargs.List()...)
	cmd := exec.Command(opts.Worker[0], args...)
	cmd.Env = oneThreadEnv(append(os.Environ(), opts.WorkerEnv...))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr := &tail{n: 4096}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start worker: %w", err))
	}
	report(SweepEvent{Kind: TrialStarted, Index: index, Config: cfg})

	done := make(chan struct{})
	go func() { // on cancellation: ask the worker to checkpoint and stop, then insist
		select {
		case <-ctx.Done():
			cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-time.After(opts.StopGrace):
				cmd.Process.Kill()
			case <-done:
			}
		case <-done:
		}
	}()
	task, _ := datasets.Lookup(cfg.Task)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var l workerLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if l.Notice != "" {
			report(SweepEvent{Kind: TrialNotice, Index: index, Config: cfg, Notice: l.Notice})
			continue
		}
		if l.Resumed != nil {
			report(SweepEvent{Kind: TrialResumed, Index: index, Config: cfg, Resumed: *l.Resumed})
			continue
		}
		report(SweepEvent{Kind: TrialProgress, Index: index, Config: cfg, Progress: &Progress{
			Step: l.Step, Steps: l.Steps, Baseline: task.Baseline(cfg.T), Metric: task.MetricName,
			Point: trialdir.Point{Step: l.Step, TrainLoss: nanIfNil(l.TrainLoss), TestLoss: nanIfNil(l.TestLoss),
				TestMetric: nanIfNil(l.TestMetric), Seconds: l.Seconds}}})
	}
	waitErr := cmd.Wait()
	close(done)

	if res, err := trialdir.ReadResult(td); err == nil {
		report(SweepEvent{Kind: TrialFinished, Index: index, Config: cfg, Result: res})
		return finishedRun
	}
	code := cmd.ProcessState.ExitCode()
	switch {
	case code == WorkerExitBusy:
		return fail(fmt.Errorf("%s: %w", cfg.ID(), ErrBusy))
	case ctx.Err() != nil, interrupted(cmd.ProcessState):
		// Preemption (Slurm, Kubernetes) or Ctrl-C: the trial resumes from its checkpoint.
		return fail(ErrInterrupted)
	case code == WorkerExitPaused && j.pauseAt > 0:
		report(SweepEvent{Kind: TrialPaused, Index: index, Config: cfg, Paused: j.pauseAt})
		return pausedRun
	case code == WorkerExitNoSpace:
		msg := strings.TrimPrefix(lastLine(stderr.String()), "worker: ")
		if msg == "" {
			msg = cfg.ID() + ": no space left on device"
		}
		return fail(&noSpaceError{msg})
	}
	// The worker died without a result (a panic, an out-of-memory kill, ...): record the
	// trial as failed, unless some other process has taken it over meanwhile.
	unlock, err := trialdir.Lock(td)
	if err != nil {
		return fail(err)
	}
	defer unlock()
	msg := fmt.Sprintf("worker %v", waitErr)
	if s := stderr.String(); s != "" {
		msg += ": " + s
	}
	trialdir.EndAttempt(td, trialdir.AttemptEnd{How: trialdir.Crashed, Error: msg})
	res := &trialdir.Result{ID: cfg.ID(), Status: trialdir.Failed, Error: msg, Version: Version, Build: Build, Provenance: provenance()}
	if task.Name != "" {
		res.Metric, res.Baseline, res.Criterion = task.MetricName, task.Baseline(cfg.T), cfg.Criterion(task)
	}
	if err := trialdir.WriteResult(td, res); err != nil {
		return fail(err)
	}
	report(SweepEvent{Kind: TrialFinished, Index: index, Config: cfg, Result: res})
	return finishedRun
}

// StaleError is returned when a sweep directory holds finished trials that another expctl
// version or build computed: their numbers would be mixed with this build's, which differ
// at least at rounding level.
type StaleError struct {
	Dir    string
	Trials int    // finished trials of another version or build
	By     string // one of them, e.g. "expctl 0.1.0 (gonum build)"
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s: %d finished trials were computed by %s, this is %s: use another --out, or --rerun-stale to compute them again",
		e.Dir, e.Trials, e.By, producedBy(Version, Build))
}

// specChanges describes, in lines, how the sweep changed when its spec was edited: where
// the earlier spec is kept, the trials that are new and the finished trials that no
// longer belong to it. None when the spec did not change.
func specChanges(dir, kept string, old *trialdir.TrialList, all []experiments.Config) []string {
	if kept == "" {
		return nil
	}
	lines := []string{fmt.Sprintf("the spec changed; the earlier one is kept as %s", kept)}
	now := map[string]bool{}
	for _, c := range all {
		now[c.ID()] = true
	}
	if old != nil {
		was := map[string]bool{}
		for _, t := range old.Trials {
			was[t.ID] = true
		}
		var added []string
		for _, c := range all {
			if !was[c.ID()] {
				added = append(added, c.ID())
			}
		}
		if len(added) > 0 {
			lines = append(lines, fmt.Sprintf("%d new %s: %s", len(added), pluralWord(len(added), "trial", "trials"), idList(added)))
		}
	}
	entries, _ := os.ReadDir(dir)
	var gone []string
	for _, e := range entries {
		if e.IsDir() && !now[e.Name()] && trialdir.Done(trialdir.TrialPath(dir, e.Name())) {
			gone = append(gone, e.Name())
		}
	}
	if len(gone) > 0 {
		lines = append(lines, fmt.Sprintf("%d finished %s no longer in the spec (kept; reports still include them): %s",
			len(gone), pluralWord(len(gone), "trial", "trials"), idList(gone)))
	}
	return lines
}

// idList lists trial ids, the first few of them when there are many.
func idList(ids []string) string {
	const most = 5
	if len(ids) <= most {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:most], ", ") + fmt.Sprintf(" and %d more", len(ids)-most)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// isStale reports whether res was computed by another version or build than this one.
func isStale(res *trialdir.Result) bool {
	return res.Version != Version || res.Build != Build
}

func producedBy(version, build string) string {
	if version == "" {
		version = "unknown version"
	}
	if build == "" {
		return fmt.Sprintf("expctl %s", version)
	}
	return fmt.Sprintf("expctl %s (%s build)", version, build)
}

// trialCost estimates a trial's work: steps × the longest sequence length × the scalars of
// its cell's weights, the size of its matrix products (H·(H+D) per gate; H·(H+D) when the
// cell cannot be built).
func trialCost(c experiments.Config) float64 {
	L, D := c.T, 10
	if task, err := datasets.Lookup(c.Task); err == nil {
		L, D = task.MaxLen(c.T), task.InDim
	}
	weights := float64(c.Hidden) * float64(c.Hidden+D)
	if n, err := experiments.NetworkParams(c.Cell, c.Task, c.Hidden); err == nil {
		weights = float64(n)
	}
	return float64(c.Steps) * float64(L) * weights
}
