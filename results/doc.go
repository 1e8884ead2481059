// Package results loads sweeps for reports and renders them: the trials of one or more
// sweep directories merged into a [Collection], the tables, plots and HTML pages made from
// it.
//
// The files of sweep and trial directories, their names and encodings, belong to package
// trialdir; results reads every one of them through it, typed, and re-exports the record
// types its reports use ([Result], [Point], [FlowPoint], [Spectrum]).
//
// Package results must not import runner or cmd.
package results
