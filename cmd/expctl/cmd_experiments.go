package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/experiments"
)

func experimentsCommand() *cli.Command {
	return &cli.Command{
		Name:         "experiments",
		Usage:        "list the built-in experiments, one line each",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return runExperiments(c.Context, c.App.Writer)
		},
	}
}

func runExperiments(_ context.Context, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTRIALS\tDESCRIPTION")
	for _, name := range experiments.Names() {
		data, err := experiments.Read(name)
		if err != nil {
			return err
		}
		spec, err := experiments.ParseSpec(name, name, data)
		if err != nil {
			return err
		}
		trials, err := spec.Expand(0)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", name, len(trials), spec.Description)
	}
	return tw.Flush()
}
