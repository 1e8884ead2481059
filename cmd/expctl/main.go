package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/runner"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1                            // something went wrong while running
	exitUsage       = 2                            // bad flags, arguments or specification; nothing was written
	exitNoSpace     = runner.WorkerExitNoSpace     // worker only: the disk is full; the trial is unfinished
	exitBusy        = runner.WorkerExitBusy        // worker only: another process is running the trial
	exitInterrupted = runner.WorkerExitInterrupted // stopped by SIGINT or SIGTERM
	exitPaused      = runner.WorkerExitPaused      // worker only: paused at a rung of successive halving
)

// usageError is an invalid command line; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:    "expctl",
		Usage:   "experiments on recurrent networks and long-range dependencies",
		Version: runner.Version,
		Description: "expctl trains recurrent cells (Gorgonia graphs, full backpropagation through time)\n" +
			"on synthetic long-range tasks and reports how each architecture learns as the\n" +
			"dependency length T grows.",
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*cli.Command{cellsCommand(), tasksCommand(), dataCommand(), experimentsCommand(), runCommand(), reportCommand(),
			exportCommand(), lsCommand(), showCommand(), benchCommand(), completionCommand(), workerCommand()},
		EnableBashCompletion: true,
		Action:               unknownCommand,
		// Flag errors come back as errors; main prints them and exits with status 2.
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// onUsageError turns a flag-parsing error into a usage error (exit status 2). Every
// command sets it: urfave/cli asks the command whose flags failed to parse.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usagef("%v%s (see --help)", err, flagTypoHint(c, err))
}

// exitCode maps an error to the process exit status, in one place.
func exitCode(err error) int {
	var ue *usageError
	var ce *experiments.ConfigError
	var se *runner.StaleError
	var we *workerError
	if errors.As(err, &we) { // what a sweep reads from the worker of a trial
		var cre *runner.ConfigReadError
		switch {
		case errors.Is(err, runner.ErrBusy):
			return exitBusy
		case errors.Is(err, runner.ErrInterrupted):
			return exitInterrupted
		case errors.Is(err, runner.ErrPaused):
			return exitPaused
		case errors.As(err, &cre):
			return exitUsage
		case runner.NoSpace(err):
			return exitNoSpace
		}
		return exitFailure
	}
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &ce), errors.As(err, &se), errors.Is(err, experiments.ErrSpec):
		return exitUsage
	case errors.Is(err, runner.ErrInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitFailure
}

// errorLine renders an error as the one line the user sees; it is empty for an interrupted
// worker, which has saved a checkpoint and has nothing to report.
func errorLine(err error) string {
	var ce *experiments.ConfigError
	var we *workerError
	if errors.As(err, &we) {
		if errors.Is(err, runner.ErrInterrupted) || errors.Is(err, runner.ErrPaused) {
			return ""
		}
		return we.Error()
	}
	if errors.Is(err, experiments.ErrSpec) {
		return "expctl: " + err.Error() // names the spec file, line and field itself
	}
	if errors.As(err, &ce) {
		return fmt.Sprintf("expctl: invalid --%s %v: want %s", flagName(ce.Field), ce.Value, ce.Want)
	}
	return "expctl: " + err.Error()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, flagsFirst(app.Commands, helpArgs(app.Commands, args)))
	if err != nil {
		if line := errorLine(err); line != "" {
			fmt.Fprintln(stderr, line)
		}
	}
	return exitCode(err)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
