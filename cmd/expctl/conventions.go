package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/expctl/expctl/experiments"
)

// unknownCommand is the action of a command with subcommands (and of the app itself)
// when the first argument names none of them: a usage error with a suggestion, or the
// command's help when there is no argument.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	var names []string
	cmds := c.App.Commands
	where := c.App.Name
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		cmds = c.Command.Subcommands
		where += " " + c.Command.Name
	}
	for _, cmd := range cmds {
		if !cmd.Hidden {
			names = append(names, cmd.Names()...)
		}
	}
	hint := ""
	if s := experiments.Suggest(name, names); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	return usagef("unknown command %q for %s%s; see %s --help", name, where, hint, where)
}

// flagTypoHint is ` (did you mean "--hidden"?)` for a "flag provided but not defined"
// error whose flag is near one of the command's flags; "" otherwise.
func flagTypoHint(c *cli.Context, err error) string {
	const undefined = "flag provided but not defined: "
	msg := err.Error()
	i := strings.Index(msg, undefined)
	if i < 0 || c == nil {
		return ""
	}
	name := strings.TrimLeft(strings.Fields(msg[i+len(undefined):])[0], "-")
	var flags []cli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
	}
	if len(flags) == 0 && c.App != nil {
		flags = c.App.Flags
	}
	var names []string
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	if s := experiments.Suggest(name, names); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", "--"+s)
	}
	return ""
}

// helpArgs turns "expctl help run trial" into "expctl run trial --help", which shows the
// page of that command; other arguments are returned as they are.
func helpArgs(cmds []*cli.Command, args []string) []string {
	if len(args) < 3 || args[1] != "help" {
		return args
	}
	list, path := cmds, []string{}
	for _, a := range args[2:] {
		var next *cli.Command
		for _, c := range list {
			if c.HasName(a) {
				next = c
			}
		}
		if next == nil {
			return args // not a command path: the help command says what it knows
		}
		path = append(path, a)
		list = next.Subcommands
	}
	return append(append([]string{args[0]}, path...), "--help")
}

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Prints a script that completes expctl's commands and flags. To use it:\n\n" +
			"   bash:  source <(expctl completion bash)        (or save it in ~/.local/share/bash-completion/completions/expctl)\n" +
			"   zsh:   source <(expctl completion zsh)         (after compinit)\n" +
			"   fish:  expctl completion fish > ~/.config/fish/completions/expctl.fish",
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion needs one shell: bash, zsh or fish")
			}
			return runCompletion(c.App, c.Args().First(), c.App.Writer)
		},
	}
}

// runCompletion writes the completion script for shell to w.
func runCompletion(app *cli.App, shell string, w io.Writer) error {
	switch shell {
	case "bash":
		_, err := io.WriteString(w, bashCompletion)
		return err
	case "zsh":
		_, err := io.WriteString(w, zshCompletion)
		return err
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("fish completion: %w", err)
		}
		_, err = io.WriteString(w, s)
		return err
	}
	return usagef("invalid shell %q: want bash, zsh or fish%s", shell, quotedHint(shell, []string{"bash", "zsh", "fish"}))
}

func quotedHint(word string, names []string) string {
	if s := experiments.Suggest(word, names); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// The bash and zsh scripts ask expctl itself for the words that may follow
// (--generate-bash-completion), like urfave/cli's own scripts.
const bashCompletion = `# bash completion for expctl
_expctl_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  local opts
  if [[ "$cur" == "-"* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
  return 0
}
complete -o bashdefault -o default -F _expctl_complete expctl
`

const zshCompletion = `#compdef expctl
# zsh completion for expctl
_expctl() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _expctl expctl
`
