package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/models"
)

func cellsCommand() *cli.Command {
	return &cli.Command{
		Name:  "cells",
		Usage: "list the recurrent cells with their equations and parameter counts",
		Description: "One line per cell: name, parameter count in terms of the input size D and\n" +
			"hidden size H, and the update equations. --verbose adds where each comes from.",
		Flags:        []cli.Flag{&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also print each cell's summary"}},
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			return runCells(c.Context, c.Bool("verbose"), c.App.Writer)
		},
	}
}

func runCells(_ context.Context, verbose bool, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CELL\tPARAMETERS\tEQUATIONS")
	for _, i := range models.Infos() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", i.Name, i.Count, i.Equation)
		if verbose {
			fmt.Fprintf(tw, "\t\t  %s\n", i.Summary)
		}
	}
	return tw.Flush()
}
