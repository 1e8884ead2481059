package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/results/trialdir"
	"github.com/expctl/expctl/runner"
)

// Kill points of a binary built with -tags faultinject (see results/trialdir/fault_inject.go).
const (
	killAtEnv  = "EXPCTL_KILL_AT"
	killLogEnv = "EXPCTL_KILL_LOG"
)

// buildFaultBinary builds expctl with its kill points, into a directory of the test.
func buildFaultBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "expctl")
	if err := goBuild(bin, "faultinject"); err != nil {
		t.Fatalf("build with -tags faultinject: %v", err)
	}
	return bin
}

// killedBySIGKILL reports whether the command's process was killed by SIGKILL.
func killedBySIGKILL(cmd *exec.Cmd) bool {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// killLine is one line of the kill log: the point, its occurrence, the directory of the
// file and the killing process.
type killLine struct {
	point string
	n     int
	dir   string
}

func readKillLog(t *testing.T, path string) []killLine {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []killLine
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		f := strings.Fields(l)
		if len(f) != 4 {
			t.Fatalf("kill log line %q", l)
		}
		n, _ := strconv.Atoi(f[1])
		out = append(out, killLine{f[0], n, f[2]})
	}
	return out
}

const killPointsSpec = `
name: killed
fixed: {hidden: 8, batch: 8, lr: 0.01, test_size: 20, keep_going: true}
budget: {steps: 400, eval_every: 20}
grid:
  task: [adding]
  T: [10]
  cell: [rnn, lstm]
  seed: [1, 2]
`

// killEvery is the sweep's --checkpoint-every in TestSweepKilledAtPoints.
const killEvery = 25

// killSchedule is the kill points of TestSweepKilledAtPoints, in the order they are used,
// again and again: every kind of point, at varied occurrences.
var killSchedule = []struct {
	point string
	n     int
}{
	{"after:" + trialdir.CheckpointFile, 2},
	{"append:" + trialdir.GradFlowFile, 3},
	{"rename:" + trialdir.CheckpointFile, 3},
	{"append:" + trialdir.SpectraFile, 4},
	{"rename:" + trialdir.ConfigFile, 1},
	{"after:" + trialdir.CheckpointFile, 1},
	{"write:" + trialdir.ResultFile, 1},
	{"append:" + trialdir.CurveFile, 5},
	{"write:" + trialdir.CheckpointFile, 2},
	{"append:" + trialdir.AttemptsFile, 3},
	{"after:" + trialdir.CheckpointFile, 3},
	{"write:" + trialdir.ConfigFile, 1},
	{"append:" + trialdir.GradFlowFile, 2},
	{"rename:" + trialdir.ResultFile, 1},
	{"append:" + trialdir.SpectraFile, 1},
	{"rename:" + trialdir.CheckpointFile, 1},
	{"append:" + trialdir.AttemptsFile, 1},
	{"after:" + trialdir.CheckpointFile, 4},
	{"append:" + trialdir.CurveFile, 2},
	{"after:" + trialdir.ResultFile, 1},
}

// kill is what a test kill left: the trial it hit and the state the next run starts from.
type kill struct {
	run      int    // index of the killed run
	point    string // the kill point, as logged
	td       string // the trial directory
	attempts int    // attempts recorded when it was killed
	ck       int    // step of the trial's checkpoint, -1 for none
	reached  int    // last step in the trial's curve: the killed attempt trained at least so far
	done     bool   // the trial has its result.json
}

// TestSweepKilledAtPoints kills one sweep (SIGKILL to its process group: the sweep and its
// worker die together, as when a machine crashes) at least 20 times, at deterministic
// points that cycle through killSchedule, rerunning the same command after each kill
// until it completes. Then every trial's outputs and trials.json equal those of an
// uninterrupted sweep (of the production build), no file is left that the uninterrupted
// sweep lacks (such as the checkpoint of a trial killed just after its result), every kill happened at its point, every
// trial that had a checkpoint when it was killed resumed from that checkpoint's step
// (progress line and attempts record), and no trial's work was redone beyond one
// checkpoint interval per kill.
func TestSweepKilledAtPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice and runs a sweep some 25 times")
	}
	bin := buildFaultBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "killed.yaml")
	os.WriteFile(spec, []byte(killPointsSpec), 0o644)
	logPath := filepath.Join(tmp, "kills.log")
	sweep := func(bin, out string, env ...string) *exec.Cmd {
		cmd := exec.Command(bin, "run", "sweep", spec, "--out", out, "--workers", "1",
			"--checkpoint-every", strconv.Itoa(killEvery), "--plain", "--no-tables")
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the kill takes its group, not the test
		return cmd
	}
	ref := filepath.Join(tmp, "ref")
	if b, err := sweep(buildBinary(t), ref, killAtEnv+"="+killSchedule[0].point+":1").CombinedOutput(); err != nil {
		t.Fatalf("reference sweep: %v\n%s", err, b)
	}

	out := filepath.Join(tmp, "out")
	var kills []kill
	var logs []string
	checked := map[int]bool{}
	resumes := 0
	// checkResume checks the attempt that followed kill k, once there is one (or, when
	// final, that there is one unless the kill left the trial finished), and reports
	// whether it was checked.
	checkResume := func(k kill, final bool) bool {
		att, err := trialdir.ReadAttempts(k.td)
		if err != nil {
			t.Fatal(err)
		}
		if len(att) <= k.attempts {
			if final && !k.done {
				t.Errorf("kill %d (%s): no attempt after it", k.run, k.point)
			}
			return final
		}
		if k.done {
			t.Errorf("kill %d (%s): the trial was finished, yet ran again: %+v", k.run, k.point, att[k.attempts:])
			return true
		}
		next := att[k.attempts]
		if k.ck < 0 {
			if next.Start != 0 || next.Resumed {
				t.Errorf("kill %d (%s): no checkpoint, yet the next attempt started at %d (resumed %v)", k.run, k.point, next.Start, next.Resumed)
			}
			return true
		}
		resumes++
		if next.Start != k.ck || !next.Resumed {
			t.Errorf("kill %d (%s): checkpoint at step %d, the next attempt started at %d (resumed %v): restarted, not resumed",
				k.run, k.point, k.ck, next.Start, next.Resumed)
		}
		// The resumed line comes before any later progress line of the trial. A run killed
		// soon after the resume may die before the sweep prints it, so the line is required
		// only once the output shows the trial evaluated after its checkpoint.
		id := filepath.Base(k.td)
		after := strings.Join(logs[k.run+1:], "")
		line := regexp.MustCompile(`\] ` + regexp.QuoteMeta(id) + ` resumed at step ` + strconv.Itoa(k.ck) + `\n`)
		resumedAt := line.FindStringIndex(after)
		for _, m := range regexp.MustCompile(`\] `+regexp.QuoteMeta(id)+` step (\d+)/`).FindAllStringSubmatchIndex(after, -1) {
			if step, _ := strconv.Atoi(after[m[2]:m[3]]); step > k.ck {
				if resumedAt == nil || resumedAt[0] > m[0] {
					t.Errorf("kill %d (%s): %s evaluated at step %d with no progress line before it saying it resumed at step %d",
						k.run, k.point, id, step, k.ck)
				}
				break
			}
		}
		return true
	}
	for run := 0; ; run++ {
		if run > 60 {
			t.Fatalf("not finished after %d runs", run)
		}
		k := killSchedule[run%len(killSchedule)]
		cmd := sweep(bin, out, fmt.Sprintf("%s=%s:%d", killAtEnv, k.point, k.n), killLogEnv+"="+logPath)
		b, err := cmd.CombinedOutput()
		logs = append(logs, string(b))
		for i := range kills {
			if !checked[i] {
				checked[i] = checkResume(kills[i], false)
			}
		}
		if t.Failed() {
			t.FailNow() // a restart instead of a resume would go on for ever
		}
		if err == nil {
			if !strings.Contains(string(b), "4 trials: 4 finished") {
				t.Fatalf("run %d ended without finishing the sweep:\n%s", run, b)
			}
			t.Logf("run %d (%s:%d) completed the sweep", run, k.point, k.n)
			break
		}
		if !killedBySIGKILL(cmd) {
			t.Fatalf("run %d (%s:%d): %v, not killed\n%s", run, k.point, k.n, err, b)
		}
		logged := readKillLog(t, logPath)
		if len(logged) != len(kills)+1 {
			t.Fatalf("run %d: %d kills logged, %d made", run, len(logged), len(kills)+1)
		}
		l := logged[len(logged)-1]
		if l.point != k.point || l.n != k.n {
			t.Fatalf("run %d: killed at %s:%d, asked for %s:%d", run, l.point, l.n, k.point, k.n)
		}
		td := l.dir
		att, err := trialdir.ReadAttempts(td)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		reached := 0
		if pts, err := trialdir.ReadCurve(td); err == nil && len(pts) > 0 {
			reached = pts[len(pts)-1].Step
		}
		kills = append(kills, kill{run: run, point: l.point, td: td, attempts: len(att),
			ck: checkpointStep(t, td), reached: reached, done: trialdir.Done(td)})
		t.Logf("run %d: killed at %s:%d in %s: checkpoint %d, curve to %d, %d attempts, done %v", run, l.point, l.n,
			filepath.Base(td), kills[len(kills)-1].ck, reached, len(att), kills[len(kills)-1].done)
		// The group's SIGKILL reaches every worker; one may take a moment to be gone.
		deadline := time.Now().Add(time.Second)
		for len(workersOf(out)) > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		for _, w := range workersOf(out) {
			t.Fatalf("run %d: a worker outlived the kill: %s", run, w)
		}
	}
	if len(kills) < 20 {
		t.Fatalf("only %d kills before the sweep finished", len(kills))
	}

	// (a) The files of an uninterrupted sweep.
	want, got := sweepFiles(t, filepath.Join(ref, "killed")), sweepFiles(t, filepath.Join(out, "killed"))
	list, err := trialdir.ReadTrialList(filepath.Join(out, "killed"))
	if err != nil {
		t.Fatal(err)
	}
	sameNames(t, want, got)
	compared := 0
	for _, tr := range list.Trials {
		for _, f := range trialdir.Outputs() {
			k := filepath.Join(tr.ID, f)
			if w, ok := want[k]; !ok || got[k] != w {
				t.Errorf("%s differs from the uninterrupted sweep (in the reference: %v)", k, ok)
			}
			compared++
		}
	}
	if got[trialdir.TrialsFile] != want[trialdir.TrialsFile] {
		t.Errorf("%s differs from the uninterrupted sweep", trialdir.TrialsFile)
	}

	// (c) Each kill is followed by a resume from the checkpoint it left, if any.
	perTrial := map[string][]kill{}
	for _, k := range kills {
		perTrial[k.td] = append(perTrial[k.td], k)
	}
	for i := range kills {
		if !checked[i] {
			checkResume(kills[i], true)
		}
	}
	if resumes < len(kills)/2 {
		t.Errorf("only %d of %d kills left a checkpoint to resume from", resumes, len(kills))
	}

	// (b) No work redone beyond one checkpoint interval per kill.
	for _, tr := range list.Trials {
		td := filepath.Join(out, "killed", tr.ID)
		att, err := trialdir.ReadAttempts(td)
		if err != nil {
			t.Fatal(err)
		}
		reached := make([]int, len(att)) // the step each attempt trained to, at least
		for i, a := range att {
			reached[i] = a.End
		}
		for _, k := range perTrial[td] {
			if i := k.attempts - 1; i >= 0 && !att[i].EndKnown {
				reached[i] = max(reached[i], k.reached)
			}
		}
		trained := 0
		for i, a := range att {
			// Every attempt but the last was killed outright; the last finished, or was
			// killed just after writing result.json.
			if i < len(att)-1 && a.How != trialdir.Killed || a.How != trialdir.Finished && a.How != trialdir.Killed {
				t.Errorf("%s: attempt %d of %d reads %q", tr.ID, i+1, len(att), a.How)
			}
			if i > 0 && a.Start < att[i-1].LastCheckpoint {
				t.Errorf("%s: attempt %d started at step %d, before the previous attempt's last checkpoint at %d",
					tr.ID, i, a.Start, att[i-1].LastCheckpoint)
			}
			if i > 0 && reached[i-1]-a.Start > killEvery {
				t.Errorf("%s: attempt %d started at step %d, %d steps before the previous attempt had reached",
					tr.ID, i, a.Start, reached[i-1]-a.Start)
			}
			trained += reached[i] - a.Start
		}
		if last := att[len(att)-1]; last.How != trialdir.Finished && !trialdir.Done(td) {
			t.Errorf("%s: the last attempt %+v", tr.ID, last)
		}
		cfg, err := trialdir.ReadConfig(td)
		if err != nil {
			t.Fatal(err)
		}
		steps := cfg.Steps
		if redone, allowed := trained-steps, len(perTrial[td])*killEvery; redone > allowed {
			t.Errorf("%s: %d steps trained in %d attempts for %d: %d redone, more than %d kills × %d",
				tr.ID, trained, len(att), steps, redone, len(perTrial[td]), killEvery)
		}
		t.Logf("%s: %d kills, %d attempts, %d steps trained for %d", tr.ID, len(perTrial[td]), len(att), trained, steps)
	}
	t.Logf("%d kills (%d resumed from a checkpoint); %d output files and %s identical", len(kills), resumes, compared, trialdir.TrialsFile)
}

// TestNoKillPointsInProduction: the binary of an ordinary build has no kill points: with
// EXPCTL_KILL_AT set to points it passes, a sweep runs to the end and nothing is logged,
// and the binary does not even hold the variable's name.
func TestNoKillPointsInProduction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	spec := filepath.Join(tmp, "killed.yaml")
	os.WriteFile(spec, []byte(strings.Replace(killPointsSpec, "steps: 400", "steps: 60", 1)), 0o644)
	logPath := filepath.Join(tmp, "kills.log")
	for i, point := range []string{"after:" + trialdir.CheckpointFile, "append:" + trialdir.GradFlowFile,
		"rename:" + trialdir.ConfigFile, "write:" + trialdir.ResultFile} {
		cmd := exec.Command(bin, "run", "sweep", spec, "--out", filepath.Join(tmp, strconv.Itoa(i)), "--workers", "1",
			"--checkpoint-every", "10", "--plain", "--no-tables")
		cmd.Env = append(os.Environ(), killAtEnv+"="+point+":1", killLogEnv+"="+logPath)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "4 trials: 4 finished") {
			t.Fatalf("%s=%s:1: %v\n%s", killAtEnv, point, err, b)
		}
	}
	if _, err := os.Stat(logPath); !os.IsNotExist(err) {
		t.Errorf("the production binary wrote the kill log %s (%v)", logPath, err)
	}
	if b, err := os.ReadFile(bin); err != nil || strings.Contains(string(b), killAtEnv) {
		t.Errorf("the production binary names %s (%v)", killAtEnv, err)
	}
}

// TestRunTrialResumes: 'expctl run trial --checkpoint-every' killed just after its third
// checkpoint (step 30) says so when run again: "resumed at step 30", and its attempts
// record a killed attempt and then one that started at step 30; a first run says nothing
// of resuming. Its files are those of an uninterrupted run.
func TestRunTrialResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildFaultBinary(t)
	tmp := t.TempDir()
	trial := func(out string, env ...string) (*exec.Cmd, string) {
		cmd := exec.Command(bin, "run", "trial", "--T", "10", "--hidden", "8", "--steps", "60", "--eval-every", "20",
			"--test-size", "20", "--keep-going", "--checkpoint-every", "10", "--out", out)
		cmd.Env = append(os.Environ(), env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		b, _ := cmd.CombinedOutput()
		return cmd, string(b)
	}
	ref := filepath.Join(tmp, "ref")
	if cmd, b := trial(ref); cmd.ProcessState.ExitCode() != 0 || strings.Contains(b, "resumed") {
		t.Fatalf("uninterrupted trial:\n%s", b)
	}
	out := filepath.Join(tmp, "out")
	if cmd, b := trial(out, killAtEnv+"=after:"+trialdir.CheckpointFile+":3"); !killedBySIGKILL(cmd) {
		t.Fatalf("not killed at its third checkpoint:\n%s", b)
	}
	cmd, b := trial(out)
	if cmd.ProcessState.ExitCode() != 0 || !regexp.MustCompile(`(?m)^resumed at step 30 from `).MatchString(b) {
		t.Fatalf("the rerun does not say it resumed at step 30:\n%s", b)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "adding-*"))
	if len(dirs) != 1 {
		t.Fatalf("trial directories %v", dirs)
	}
	att, err := trialdir.ReadAttempts(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(att) != 2 || att[0].How != trialdir.Killed || att[0].Start != 0 || att[0].LastCheckpoint != 20 ||
		att[1].Start != 30 || !att[1].Resumed || att[1].How != trialdir.Finished || att[1].End != 60 {
		t.Errorf("attempts %+v, want one killed after its checkpoint at step 30 (recorded: 20), then one from 30 to 60", att)
	}
	refDirs, _ := filepath.Glob(filepath.Join(ref, "adding-*"))
	want, got := sweepFiles(t, refDirs[0]), sweepFiles(t, dirs[0])
	for _, f := range trialdir.Outputs() {
		if got[f] != want[f] {
			t.Errorf("%s differs from the uninterrupted trial", f)
		}
	}
}

// TestPlainReporterResumed: the plain progress lines say when a trial resumes.
func TestPlainReporterResumed(t *testing.T) {
	var b strings.Builder
	r := newPlainReporter(&b)
	r.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	cfg := experiments.DefaultConfig()
	r.event(runner.SweepEvent{Kind: runner.TrialStarted, Index: 1, Total: 4, Config: cfg})
	r.event(runner.SweepEvent{Kind: runner.TrialResumed, Index: 1, Total: 4, Config: cfg, Resumed: 300})
	want := "2026-01-02T03:04:05Z [2/4] " + cfg.ID() + " started\n" +
		"2026-01-02T03:04:05Z [2/4] " + cfg.ID() + " resumed at step 300\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
