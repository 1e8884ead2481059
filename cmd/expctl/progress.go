package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/expctl/expctl/results"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

// reporter shows the progress of a sweep.
type reporter interface {
	event(runner.SweepEvent)
	close()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func trialTag(e runner.SweepEvent) string {
	return fmt.Sprintf("[%d/%d] %s", e.Index+1, e.Total, e.Config.ID())
}

func finishedText(r *trialdir.Result) string {
	s := r.Status
	switch {
	case r.Status == results.Pruned && r.Pruned != nil:
		s = results.StatusText(r) // "pruned (plateau @ 4000)"
	case r.SolvedAtStep != nil:
		s += fmt.Sprintf(" at step %d", *r.SolvedAtStep)
	case r.Status != results.Failed:
		s += fmt.Sprintf(" after %d steps", r.StepsRun)
	}
	if r.TestLoss != nil {
		s += fmt.Sprintf(": test loss %.4g (baseline %.4g), %s %.3f", *r.TestLoss, r.Baseline, r.Metric, *r.TestMetric)
	}
	if r.Error != "" {
		s += ": " + firstLine(r.Error)
	}
	return s
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

// plainReporter prints one timestamped line per event: for logs, CI and batch schedulers.
type plainReporter struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	skipped  int
	finished int
}

func newPlainReporter(w io.Writer) *plainReporter {
	return &plainReporter{w: w, now: time.Now}
}

func (r *plainReporter) printf(format string, a ...any) {
	fmt.Fprintf(r.w, "%s "+format+"\n", append([]any{r.now().UTC().Format(time.RFC3339)}, a...)...)
}

func (r *plainReporter) flushSkipped() {
	if r.skipped > 0 {
		r.printf("%d trials already finished: skipped", r.skipped)
		r.skipped = 0
	}
}

func (r *plainReporter) event(e runner.SweepEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Kind == runner.TrialSkipped {
		r.skipped++
		r.finished++
		return
	}
	r.flushSkipped()
	switch e.Kind {
	case runner.TrialStarted:
		r.printf("%s started", trialTag(e))
	case runner.TrialProgress:
		p := e.Progress
		r.printf("%s step %d/%d train %s test %.4g (baseline %.4g) %s %.3f",
			trialTag(e), p.Step, p.Steps, fmtLoss(p.Point.TrainLoss), p.Point.TestLoss, p.Baseline, p.Metric, p.Point.TestMetric)
	case runner.TrialFinished:
		r.finished++
		r.printf("%s %s (%d/%d finished)", trialTag(e), finishedText(e.Result), r.finished, e.Total)
	case runner.TrialStopped:
		r.printf("%s not finished: %v", trialTag(e), e.Err)
	case runner.TrialNotice:
		r.printf("%s %s", trialTag(e), e.Notice)
	case runner.TrialResumed:
		r.printf("%s resumed at step %d", trialTag(e), e.Resumed)
	case runner.TrialPaused:
		r.printf("%s paused at rung %d, waiting for its group", trialTag(e), e.Paused)
	}
}

func (r *plainReporter) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushSkipped()
}

// barReporter draws live progress on a terminal: a bar of finished trials with an ETA,
// and one bar per running trial with its step and latest test loss.
type barReporter struct {
	mu      sync.Mutex
	p       *mpb.Progress
	overall *mpb.Bar
	skipped int
	running map[int]*mpb.Bar
	loss    map[int]string
	resumed map[int]string // ", resumed at step N" for a trial that continues from a checkpoint
	start   atomic.Int64   // when the first trial started, in Unix nanoseconds; 0 before
}

func newBarReporter(w io.Writer) *barReporter {
	opts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(200 * time.Millisecond)}
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			// A line exactly as wide as the terminal leaves the cursor waiting to wrap,
			// and the redraw then climbs one line too few: stay one column short.
			opts = append(opts, mpb.WithWidth(cols-1))
		}
	}
	return &barReporter{p: mpb.New(opts...), running: map[int]*mpb.Bar{}, loss: map[int]string{}, resumed: map[int]string{}}
}

func (r *barReporter) ensureOverall(total int) {
	if r.overall != nil {
		return
	}
	r.overall = r.p.AddBar(int64(total),
		mpb.BarPriority(-1), // stays on top
		mpb.PrependDecorators(decor.Name("trials ", decor.WC{W: 8}), decor.CountersNoUnit("%d/%d", decor.WC{W: 10})),
		mpb.AppendDecorators(decor.Any(func(st decor.Statistics) string {
			start := r.start.Load()
			if start == 0 {
				return ""
			}
			return etaText(time.Since(time.Unix(0, start)), int(st.Current), int(st.Total-st.Current))
		})))
}

// etaText estimates the time left from the trials this run finished so far: "" until
// one has finished, as nothing is known before.
func etaText(elapsed time.Duration, done, left int) string {
	if done < 1 || left < 1 || elapsed <= 0 {
		return ""
	}
	eta := time.Duration(float64(elapsed) / float64(done) * float64(left))
	return " ETA " + duration(eta.Seconds())
}

func (r *barReporter) event(e runner.SweepEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ensureOverall(e.Total)
	switch e.Kind {
	case runner.TrialSkipped:
		// Finished earlier: not part of this run's work, so not part of its ETA.
		r.skipped++
		r.overall.SetTotal(int64(e.Total-r.skipped), false)
	case runner.TrialStarted:
		r.start.CompareAndSwap(0, time.Now().UnixNano())
		idx := e.Index
		r.loss[idx] = "starting"
		r.running[idx] = r.p.AddBar(int64(e.Config.Steps), mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(e.Config.ID(), decor.WC{W: 44, C: decor.DindentRight}),
				decor.CountersNoUnit("%d/%d", decor.WC{W: 12})),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				r.mu.Lock()
				defer r.mu.Unlock()
				return " " + r.loss[idx] + r.resumed[idx]
			})))
	case runner.TrialProgress:
		if b := r.running[e.Index]; b != nil {
			b.SetCurrent(int64(e.Progress.Step))
			r.loss[e.Index] = fmt.Sprintf("test %.4g (baseline %.4g)", e.Progress.Point.TestLoss, e.Progress.Baseline)
		}
	case runner.TrialNotice:
		fmt.Fprintf(r.p, "%s %s\n", trialTag(e), e.Notice)
	case runner.TrialResumed:
		if b := r.running[e.Index]; b != nil {
			b.SetCurrent(int64(e.Resumed))
			r.resumed[e.Index] = fmt.Sprintf(", resumed at step %d", e.Resumed)
		}
	case runner.TrialFinished, runner.TrialStopped, runner.TrialPaused:
		if b := r.running[e.Index]; b != nil {
			b.SetTotal(-1, true)
			delete(r.running, e.Index)
		}
		delete(r.resumed, e.Index)
		switch e.Kind {
		case runner.TrialFinished:
			r.overall.Increment()
			fmt.Fprintf(r.p, "%s %s\n", trialTag(e), finishedText(e.Result))
		case runner.TrialPaused:
			fmt.Fprintf(r.p, "%s paused at rung %d, waiting for its group\n", trialTag(e), e.Paused)
		default:
			fmt.Fprintf(r.p, "%s not finished: %v\n", trialTag(e), e.Err)
		}
	}
}

func (r *barReporter) close() {
	r.mu.Lock()
	for _, b := range r.running {
		b.Abort(true)
	}
	if r.overall != nil && !r.overall.Completed() {
		r.overall.Abort(false)
	}
	r.mu.Unlock()
	r.p.Wait()
}
