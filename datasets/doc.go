// Package datasets provides the synthetic long-range sequence tasks used by
// expctl: deterministic, seeded generators, the loss each task is trained
// with, the analytic loss of the best memoryless predictor (the baseline a
// model has to beat to show it uses memory), the task metric, and the
// criterion for calling a task solved.
//
// A [Task] is a description (name, layout, dimensions, minimal T, [Loss],
// metric name, criterion) plus the functions in which tasks differ: the
// generator, the memoryless baseline, the metric and the solve test. Each
// task lives in one file that declares its Task value and registers it.
//
// Seven tasks are registered:
//
//   - "adding": the adding problem in the layout of Le et al. (2015) and
//     Arjovsky et al. (2016). Two input channels, a value channel drawn from
//     U[0,1) and a marker channel with one marker in each half of the
//     sequence; the target, read at the last step, is the sum of the two
//     marked values. Trained with MSE; predicting 1.0 gives MSE 1/6.
//   - "copy": the copying memory problem in the layout of Arjovsky et al.
//     (2016). Ten data symbols, T-1 blanks, a delimiter and ten blanks; the
//     model must output the data symbols during the last ten steps. Trained
//     with softmax cross-entropy over all T+20 steps; the memoryless
//     baseline is 10·ln 8/(T+20).
//   - "adding-hochreiter" and "multiply": the adding and multiplication
//     problems of Hochreiter & Schmidhuber (1997), Experiments 4 and 5: value
//     and marker channels, the first marked value among the first 10 steps,
//     the second among the first T/2-1, and a length drawn per batch in
//     [T, T+T/10] (see [Task.Spread]). MSE; baselines 19/480 and 7/144.
//   - "temporal-order" and "temporal-order3": Experiments 6a and 6b, the order
//     of 2 (3) X/Y symbols among distractors, windows scaled with T; softmax
//     cross-entropy at the last step, baseline ln 4 (ln 8).
//   - "long-lag": Experiment 2a, the first of T symbols to be predicted at the
//     end; cross-entropy at the last step, baseline ln 2.
//
// Batches use the feature-major layout of the runner's graphs: the input of
// one time step is a D×B matrix (feature rows, one column per sequence), and
// outputs and targets are K×N matrices with one column per (loss step,
// sequence) pair. See [Batch].
//
// Data depend only on their seeds. [TrainBatch] derives batch i from
// (task name, seed, T, i) alone, so a run can resume at any step, and
// [TestSet] draws from a separate stream, so held-out sequences never come
// from the training stream. The same arguments give the same bytes on any
// machine.
//
// The package owns the task registry, the [Batch] layout, the seed
// derivation and the [Loss] enum. It imports only the standard library: no
// other package of this module, so that models (which takes its loss kinds
// from here), runner, experiments and results can all depend on it.
package datasets
