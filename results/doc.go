// Package results loads sweeps and produces their reports: the trials of one or more sweep
// directories merged into a [Collection], their aggregation, and the producers of every
// table and figure — the metric and steps-to-solve tables ([Report]), the gradient-flow and
// spectra tables ([GradientTable]), the figures and the HTML page. Each producer builds a
// part of a report.Document; package results/report renders documents and decides nothing
// about what they show.
//
// The files of sweep and trial directories, their names and encodings, belong to package
// trialdir; results reads every one of them through it, typed, and re-exports the record
// types its reports use ([Result], [Point], [FlowPoint], [Spectrum]).
//
// Package results may import results/trialdir, results/report, experiments and datasets;
// it must not import runner or cmd.
package results
