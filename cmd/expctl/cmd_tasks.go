package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/datasets"
)

func tasksCommand() *cli.Command {
	return &cli.Command{
		Name:         "tasks",
		Usage:        "list the tasks with their layout, memoryless baseline and solve criterion",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return runTasks(c.Context, c.App.Writer)
		},
	}
}

func runTasks(_ context.Context, w io.Writer) error {
	for _, n := range datasets.Names() {
		t, err := datasets.Lookup(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %s\n", n, t.Description)
		fmt.Fprintf(w, "    loss %s; baseline: %s (T=100: %.4f); solved when %s; metric %s; T ≥ %d\n",
			t.Loss, t.BaselineNote, t.Baseline(100), t.Criterion, t.MetricName, t.MinT)
	}
	return nil
}
