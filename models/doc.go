// Package models declares recurrent cells as Gorgonia expression graphs.
//
// A Cell builds one time step, (x_t, state_{t-1}) → state_t, from parameter nodes that the
// caller owns; state 0 is always the hidden state h_t that the readout sees. Cells are found
// by name in a registry ([Lookup], [Infos]) and their equations live in their doc comments,
// one small file per cell. A step reads its parameters and previous states by the names the
// cell declares ([Params.Get], [States.Get]); a name it does not declare fails the build with
// an error naming the cell, the name and the declared ones.
//
// Cells are run through small compiled programs rather than one unrolled graph: [Sequence]
// runs a single step forward, or forward plus its vector-Jacobian product, and [Readout]
// maps hidden states to predictions and a loss. Chaining these through time (see package
// runner) gives exact backpropagation through time with a set-up cost that does not grow with
// the sequence length, and exposes ∂C/∂h_t at every step.
//
// Every graph is built through [Ops], which gives each node a unique name, refuses slice
// offsets that Gorgonia would hash alike, and [Ops.Check] fails when two distinct nodes share
// a hash code (Gorgonia's compiler would silently merge them).
//
// The package owns the cells, their registry and initialisers, the readout and its losses,
// and the compiled step and readout programs (with packages engine, gemm and fastmath below
// it). Of this module it imports only datasets, for the [datasets.Loss] a readout computes;
// it must not import runner, experiments, results or the command.
package models
