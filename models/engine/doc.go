// Package engine executes Gorgonia expression graphs without Gorgonia's TapeMachine.
//
// A graph is compiled once into a flat list of kernels over buffers that are allocated once
// and reused on every run, so a run allocates nothing. The kernels are chosen from the
// node's Gorgonia op: matrix products go to BLAS (gonum's blas32/blas64, which the
// openblas build points at OpenBLAS), reshapes and leading-axis slices are views that copy
// nothing, element-wise ops, reductions, broadcasts, concatenations and slice increments
// run as tight loops (float32 sigmoid and tanh with float32-accurate polynomial kernels),
// and any other op falls back to its own Do method. Which nodes run, and in what order,
// is the graph's topological order: the graph, and Gorgonia's symbolic derivatives in it,
// define what is computed.
//
// [Program] runs a graph once per call (a readout and its loss, say). [Recurrence] runs a
// recurrent cell's one-step graph, forward and vector-Jacobian product in one graph,
// through a whole sequence: the forward pass keeps on a tape only the values the backward
// pass reads, the backward pass does not recompute the forward step, and every parameter
// gradient of the form dZ·Aᵀ (the weight gradient of a matrix product) is merged across
// time steps into one matrix product over B·T columns, as oneDNN and PyTorch's CPU RNNs do.
// Both apply to any cell built from Gorgonia ops, with no per-cell code.
//
// It owns graph execution only: it knows Gorgonia's ops, not cells, tasks or training. It
// imports models/gemm and models/fastmath for its kernels and must not import models or
// anything above it.
package engine
