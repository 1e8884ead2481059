// Package runner trains trials: one cell on one task with one set of hyperparameters.
//
// [RunTrial] validates an [experiments.Config], builds the [Network] from the trial's seed, trains it
// with backpropagation through time, evaluates on the task's fixed held-out set every
// EvalEvery steps, and writes the trial directory described in package results.
//
// Backpropagation through time is exact and full-length, yet builds no graph that grows
// with the sequence: [Network.Backprop] runs the cell's compiled one-step program forward L
// times, then its vector-Jacobian product backward L times, summing the parameter gradients
// of every step. The result equals the gradient of the fully unrolled graph (a test checks
// this to 1e-9) and gives ‖∂C/∂h_t‖ for every t on the way.
//
// Everything random derives from the trial seed: initial weights here, training batches and
// the test set in package datasets. Two runs of one config produce identical files apart
// from the wall-clock fields (curve.csv's seconds, result.json's wall_seconds).
package runner
