// Package runner trains trials and runs sweeps: one cell on one task with one set of
// hyperparameters, and the worker processes that run the trials of a sweep.
//
// [RunTrial] validates an [experiments.Config], builds the [Network] from the trial's seed,
// trains it with backpropagation through time, evaluates on the task's fixed held-out set
// every EvalEvery steps, and writes the trial directory through package trialdir, which
// alone knows its files. A trial is a loop of separate pieces: a training step
// (trial.trainStep), an evaluation (trial.evaluateAt) that takes the per-evaluation
// records (the learning curve, and the diagnostics: gradient flow and spectra), a
// checkpoint when one is due, and, on a restart, resumption from the last checkpoint
// (trial.resume), which rewinds every record to it. Each process that works on a trial
// records its attempt (start step, checkpoints, how it ended) through
// trialdir.BeginAttempt and its siblings, and a trial that resumes says so
// ([TrialOptions].Resumed; the worker's "resumed" line; the sweep's [TrialResumed] event).
//
// A sweep hands its trials to worker processes through a scheduler (schedule.go): a trial
// without successive halving runs once to its end; the trials of a halving group run from
// rung to rung (--pause-at), and after each run the group's decision is taken again from
// its trials' curve.csv files ([experiments.Halving.Decide]), so that it does not depend on
// which worker ran what, or on kills and resumes. The plateau rule is applied by the trial
// itself at each evaluation.
//
// Backpropagation through time is exact and full-length, yet builds no graph that grows
// with the sequence: [Network.Backprop] runs the cell's compiled one-step program forward L
// times, then its vector-Jacobian product backward L times, summing the parameter gradients
// of every step. The result equals the gradient of the fully unrolled graph (a test checks
// this to 1e-9) and gives ‖∂C/∂h_t‖ for every t on the way.
//
// Everything random derives from the trial seed: initial weights here, training batches and
// the test set in package datasets. Two runs of one config produce identical files apart
// from the wall-clock fields (see trialdir.StripWallClock).
//
// Package runner owns training, evaluation, checkpoint contents and sweep execution, not
// the layout of the files it writes. It must not import cmd, and nothing of this module
// but cmd may import it.
package runner
