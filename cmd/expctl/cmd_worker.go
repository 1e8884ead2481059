package main

import (
	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/runner"
)

// workerCommand is what a sweep starts for each trial; it is not meant to be run by hand.
// Its arguments (see runner.WorkerArgs), passed on as they come, its standard output (one JSON line per evaluation) and its exit statuses (see
// exitCode) are the protocol between the sweep and its workers.
func workerCommand() *cli.Command {
	return &cli.Command{
		Name:            "worker",
		Hidden:          true,
		SkipFlagParsing: true,
		Usage:           "run one trial of a sweep (started by 'run sweep')",
		Action: func(c *cli.Context) error {
			w, err := runner.ParseWorkerArgs(c.Args().Slice())
			if err != nil {
				return usagef("worker: %v", err)
			}
			if err := runner.RunWorker(c.Context, w, c.App.Writer); err != nil {
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
