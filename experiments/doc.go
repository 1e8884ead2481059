// Package experiments describes what to run: the [Config] of one trial (its fields,
// defaults, validation and id), sweep specs ([ParseSpec], [Spec.Expand]) that expand into
// configs, and the built-in specs, YAML files embedded in the binary ([Names], [Read]), so
// that a sweep can be run by name ("quick") as well as from a file.
//
// It may import models and datasets (to check cell and task names and to size a parameter
// budget); it must not import runner, results or the command.
package experiments
