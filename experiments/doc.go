// Package experiments holds the built-in sweep specs of expctl: YAML files embedded in
// the binary, each naming a set of trials (fixed values, grid axes, random search and a
// budget) in the format that runner.ParseSpec reads.
//
// [Names] lists them and [Read] returns one's YAML, so that a sweep can be run by name
// ("quick") as well as from a file. The package only stores the specs; parsing and
// expanding them into trials is the runner's job.
package experiments
