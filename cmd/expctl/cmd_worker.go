package main

import (
	"flag"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/runner"
)

const workerUsage = "usage: worker [--checkpoint-every K] <trial-dir>"

// workerCommand is what a sweep starts for each trial; it is not meant to be run by hand.
// Its arguments, [--checkpoint-every K] <trial-dir> in that order and passed on as they
// come, its standard output (one JSON line per evaluation) and its exit statuses (see
// exitCode) are the protocol between the sweep and its workers.
func workerCommand() *cli.Command {
	return &cli.Command{
		Name:            "worker",
		Hidden:          true,
		SkipFlagParsing: true,
		Usage:           "run one trial of a sweep (started by 'run sweep')",
		Action: func(c *cli.Context) error {
			fs := flag.NewFlagSet("worker", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			every := fs.Int("checkpoint-every", 100, "save the trial's state every K steps")
			if err := fs.Parse(c.Args().Slice()); err != nil {
				return usagef("worker: %v; %s", err, workerUsage)
			}
			if fs.NArg() != 1 {
				return usagef("worker: want one trial directory; %s", workerUsage)
			}
			if err := runner.RunWorker(c.Context, fs.Arg(0), *every, c.App.Writer); err != nil {
				return &workerError{err}
			}
			return nil
		},
	}
}

// workerError is the failure of a worker's trial. It is printed as "worker: …", which the
// sweep records if the trial has no result, and its exit status tells the sweep what became
// of the trial.
type workerError struct{ err error }

func (e *workerError) Error() string { return "worker: " + e.err.Error() }
func (e *workerError) Unwrap() error { return e.err }
