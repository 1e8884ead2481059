// Package cellref holds reference implementations of the recurrent cells of package models
// and of the readout and losses, written from the published equations in plain float64 Go:
// loops over slices, math.Exp and math.Tanh, nothing from Gorgonia or from package models.
// Tests of models and runner compare the compiled programs with them.
//
// The only thing shared with package models is the parameter layout, which each reference
// declares ([Cell.Params]) and the tests check against the cell's own declaration: every
// matrix is row-major; a fused matrix that multiplies [x_t; h_{t-1}] has one row block of H
// per gate, in the order the cell documents, its first D columns multiplying x_t; biases and
// peepholes are (H·k, 1) columns.
//
// It exists for tests only: the tests of models and runner import it, and no other code
// may. It imports nothing of this module, and must not import models, Gorgonia or gonum,
// so that it stays independent of the code it checks.
package cellref
