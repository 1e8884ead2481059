package runner

import (
	"fmt"

	"github.com/expctl/expctl/results/trialdir"
)

// producer names the version and build whose checkpoints a trial resumes.
func producer() string { return Version + "/" + Build }

// resume continues from the trial's checkpoint when asked to and there is a usable one.
// A trial that starts from step 0 drops the records an earlier, unfinished attempt
// appended.
func (tr *trial) resume(want bool) error {
	if want {
		ck, err := trialdir.LoadCheckpoint(tr.dir, tr.cfg.ID(), producer())
		if err != nil {
			return err
		}
		if ck != nil {
			if err := tr.restore(ck); err != nil {
				return err
			}
		}
	}
	if tr.fresh() {
		return trialdir.Restart(tr.dir)
	}
	return nil
}

// restore continues from a checkpoint: the network, the optimizer and the trial's state
// become the checkpoint's, and the records are rewound to its step, since the steps after
// it will be run again.
func (tr *trial) restore(ck *trialdir.Checkpoint) error {
	if len(ck.Params) != len(tr.net.Params) || len(ck.OptM) != len(tr.net.Params) || len(ck.OptV) != len(tr.net.Params) {
		return fmt.Errorf("checkpoint in %s does not match the network", tr.dir)
	}
	for i, p := range tr.net.Params {
		if len(ck.Params[i]) != p.Shape().TotalSize() || len(ck.OptM[i]) != len(ck.Params[i]) || len(ck.OptV[i]) != len(ck.Params[i]) {
			return fmt.Errorf("checkpoint in %s does not match parameter %s", tr.dir, tr.net.Specs[i].Name)
		}
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
	return err
}
