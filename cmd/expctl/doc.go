// Command expctl runs experiments on recurrent networks and long-range dependencies: it
// lists cells and tasks, writes a task's data as .npz, trains single trials and sweeps, and
// reports their results.
//
// The command owns the command line: subcommands, flags and arguments, the lines printed
// for errors, and the exit statuses, which exitCode alone derives from errors: 0 success,
// 1 failure, 2 bad usage or specification, 130 interrupted, and for the hidden worker
// command that a sweep starts for each trial, 75 when another process runs the trial. The
// work itself is done by the packages it calls: runner trains trials and sweeps,
// experiments reads configs and specs, results writes reports; what another front end
// could reuse belongs there, not here. No package of the module may import this one.
package main
