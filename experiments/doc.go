// Package experiments describes what to run: the [Config] of one trial, sweep specs
// ([ParseSpec], [Spec.Expand]) that expand into configs, and the built-in specs, YAML
// files embedded in the binary ([Names], [Read]), so that a sweep can be run by name
// ("quick") as well as from a file.
//
// [Fields] is the one description of a config: each field's JSON key, command-line flag,
// type, default, help text and validation rule. [DefaultConfig], [Config.Validate], the
// keys a sweep spec may set and the flags of 'expctl run trial' all come from it; the JSON
// keys are those of config.json, and a trial's id is a hash of that encoding.
//
// Pruning ([Plateau], [Halving]) is described here too: a spec's prune section sets the
// plateau_* and halving fields of every trial, and the rules' decisions ([Plateau.Check],
// [Halving.Decide]) are pure functions of recorded learning curves, which package runner
// applies while trials run.
//
// It may import models and datasets (to check cell and task names and to size a parameter
// budget); it must not import runner, results or the command.
package experiments
