// Package results loads sweeps and produces their reports: the trials of one or more sweep
// directories merged into a [Collection], their aggregation, and the producers of every
// table and figure — the metric and steps-to-solve tables and the table of why trials did
// not solve the task ([Report]; [Attribute] classifies a learning curve as falling,
// stalled or at baseline), the gradient-flow and spectra tables ([GradientTable]), the
// figures and the HTML page. A pruned trial (stopped early by its sweep's prune rule) is
// counted in every table but never averaged with complete trials. Each producer builds a
// part of a report.Document; package results/report renders documents and decides nothing
// about what they show.
//
// The files of sweep and trial directories, their names and encodings, belong to package
// trialdir; results reads every one of them through it, typed, and re-exports the record
// types its reports use ([Result], [Point], [FlowPoint], [Spectrum]).
//
// Package results may import results/trialdir, results/report, experiments, models and
// datasets; it must not import runner or cmd.
package results
