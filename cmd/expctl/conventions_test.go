package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpCommandPath(t *testing.T) {
	code, out, errOut := runCLI(t, "help", "run", "trial")
	if code != 0 || !strings.Contains(out, "expctl run trial - ") || !strings.Contains(out, "--hidden value") {
		t.Errorf("help run trial: exit %d\n%s%s", code, out, errOut)
	}
}

// TestDidYouMean: unknown commands, flags, shells and spec keys get a suggestion, in one
// line, with exit status 2.
func TestDidYouMean(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(spec, []byte("fixed:\n  hiden: 8\ngrid: {T: [5]}\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"repot", "runs/x"}, `unknown command "repot" for expctl (did you mean "report"?); see expctl --help`},
		{[]string{"run", "trail"}, `unknown command "trail" for expctl run (did you mean "trial"?)`},
		{[]string{"run", "trial", "--hiden", "3"}, `(did you mean "--hidden"?)`},
		{[]string{"report", "--metirc", "x", fixtureSweep}, `(did you mean "--metric"?)`},
		{[]string{"completion", "bsh"}, `want bash, zsh or fish (did you mean "bash"?)`},
		{[]string{"run", "sweep", spec, "--dry-run"}, `unknown field "hiden"`},
		{[]string{"run", "sweep", spec, "--dry-run"}, `(did you mean "hidden"?)`},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, errOut, exitUsage, tc.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o bashdefault -o default -F _expctl_complete expctl",
		"zsh":  "compdef _expctl expctl",
		"fish": "complete -c expctl",
	} {
		code, out, errOut := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, lacks %q:\n%s%s", shell, code, want, out, errOut)
		}
	}
}

// TestCompletionWords: the scripts' requests get the words that may follow. urfave/cli
// reads them from os.Args, so this runs the binary.
func TestCompletionWords(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--generate-bash-completion"}, "trial\nsweep\n"},
		{[]string{"report", "--ro", "--generate-bash-completion"}, "--rows\n"},
	} {
		out, err := exec.Command(bin, tc.args...).Output()
		if err != nil || !strings.HasPrefix(string(out), tc.want) {
			t.Errorf("%v: %v, %q; want it to begin with %q", tc.args, err, out, tc.want)
		}
	}
}

// TestHelpDefaultsOnce: no flag's help line shows a default twice.
func TestHelpDefaultsOnce(t *testing.T) {
	for _, args := range [][]string{{"report"}, {"run", "trial"}, {"run", "sweep"}, {"bench"}, {"ls"}, {"show"}, {"cells"}, {"tasks"}, {"experiments"}} {
		_, out, _ := runCLI(t, append(args, "--help")...)
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, "default") > 1 && strings.Contains(line, "(default:") {
				t.Errorf("%v: %q", args, line)
			}
		}
	}
}
