package runner

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/expctl/expctl/results/trialdir"
)

// producer names the version and build whose checkpoints a trial resumes.
func producer() string { return Version + "/" + Build }

// resume continues from the trial's checkpoint when asked to and there is a usable one,
// and reports whether it did.
// A checkpoint that is corrupt, or does not fit the trial's network, is reported through
// notice (when set) in one line naming the file, removed, and the trial starts from step
// 0. A trial that starts from step 0 drops the records an earlier, unfinished attempt
// appended.
func (tr *trial) resume(want bool, notice func(string)) (resumed bool, err error) {
	if want {
		ck, err := trialdir.LoadCheckpoint(tr.dir, tr.cfg.ID(), producer())
		if err == nil && ck != nil {
			err = tr.restore(ck)
			resumed = err == nil
		}
		var ce *trialdir.CorruptError
		if errors.As(err, &ce) {
			if notice != nil {
				notice(fmt.Sprintf("%v; starting again from step 0", ce))
			}
			trialdir.RemoveCheckpoint(tr.dir)
			err = nil
		}
		if err != nil {
			return false, err
		}
	}
	if tr.fresh() {
		return resumed, trialdir.Restart(tr.dir)
	}
	return resumed, nil
}

// restore continues from a checkpoint: the network, the optimizer and the trial's state
// become the checkpoint's, and the records are rewound to its step, since the steps after
// it will be run again. A checkpoint whose shapes do not fit the network is a
// *trialdir.CorruptError, and leaves the trial as it was.
func (tr *trial) restore(ck *trialdir.Checkpoint) error {
	corrupt := func(format string, a ...any) error {
		return &trialdir.CorruptError{Path: filepath.Join(tr.dir, trialdir.CheckpointFile), Err: fmt.Errorf(format, a...)}
	}
	if len(ck.Params) != len(tr.net.Params) || len(ck.OptM) != len(tr.net.Params) || len(ck.OptV) != len(tr.net.Params) ||
		ck.Step < 0 || ck.Step > tr.cfg.Steps {
		return corrupt("checkpoint does not match the network")
	}
	for i, p := range tr.net.Params {
		if len(ck.Params[i]) != p.Shape().TotalSize() || len(ck.OptM[i]) != len(ck.Params[i]) || len(ck.OptV[i]) != len(ck.Params[i]) {
			return corrupt("checkpoint does not match parameter %s", tr.net.Specs[i].Name)
		}
	}
	for i, p := range tr.net.Params {
		setFloat64s(p, ck.Params[i])
	}
	tr.opt.t, tr.opt.m, tr.opt.v = ck.OptT, ck.OptM, ck.OptV
	tr.st = ck
	return trialdir.Rewind(tr.dir, ck.Step)
}

// checkpoint saves the trial's state: parameters, optimizer state, and the wall-clock time
// spent so far.
func (tr *trial) checkpoint() error {
	st := tr.st
	st.Params = st.Params[:0]
	for _, p := range tr.net.Params {
		st.Params = append(st.Params, float64s(p))
	}
	st.OptT, st.OptM, st.OptV = tr.opt.t, tr.opt.m, tr.opt.v
	elapsed := st.Elapsed
	st.Elapsed = tr.seconds()
	err := trialdir.SaveCheckpoint(tr.dir, st)
	st.Elapsed = elapsed
	if err != nil {
		return err
	}
	return trialdir.AttemptCheckpoint(tr.dir, st.Step)
}
