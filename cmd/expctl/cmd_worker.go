package main

import (
	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/runner"
)

// exitStatus is an error that carries a process exit status chosen by a subcommand.
type exitStatus int

func (e exitStatus) Error() string { return "" }

// workerCommand is what a sweep starts for each trial; it is not meant to be run by hand.
func workerCommand() *cli.Command {
	return &cli.Command{
		Name:            "worker",
		Hidden:          true,
		SkipFlagParsing: true,
		Usage:           "run one trial of a sweep (started by 'run sweep')",
		Action: func(c *cli.Context) error {
			if code := runner.WorkerMain(c.Context, c.Args().Slice(), c.App.Writer, c.App.ErrWriter); code != 0 {
				return exitStatus(code)
			}
			return nil
		},
	}
}
