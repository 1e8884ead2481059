package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/runner"
)

// readmeBlocks returns the fenced code blocks of README.md with the given language.
func readmeBlocks(t *testing.T, lang string) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	return out
}

// TestReadmeExamples keeps the README's sweep spec, Slurm script and Kubernetes manifest
// working: the spec parses and expands, the script is valid bash, the manifest is an
// Indexed Job whose EXPCTL_SHARDS equals its completions.
func TestReadmeExamples(t *testing.T) {
	var specs, manifests int
	for _, block := range readmeBlocks(t, "yaml") {
		if strings.Contains(block, "kind: Job") {
			manifests++
			var job struct {
				Spec struct {
					CompletionMode string `yaml:"completionMode"`
					Completions    int    `yaml:"completions"`
					Template       struct {
						Spec struct {
							Containers []struct {
								Command []string `yaml:"command"`
								Env     []struct{ Name, Value string }
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := yaml.Unmarshal([]byte(block), &job); err != nil {
				t.Fatalf("manifest: %v", err)
			}
			c := job.Spec.Template.Spec.Containers[0]
			if job.Spec.CompletionMode != "Indexed" || len(c.Env) == 0 || c.Env[0].Name != runner.ShardsEnv ||
				c.Env[0].Value != strings.TrimSpace(strings.Split(strings.Split(block, "completions:")[1], "#")[0]) {
				t.Errorf("manifest is not an Indexed Job with %s = completions: %+v", runner.ShardsEnv, job.Spec)
			}
			if strings.Join(c.Command[:3], " ") != "expctl run sweep" {
				t.Errorf("manifest command %q", c.Command)
			}
			continue
		}
		specs++
		spec, err := experiments.ParseSpec("README.md", "readme", []byte(block))
		if err != nil {
			t.Fatalf("README spec: %v", err)
		}
		trials, err := spec.Expand(0)
		want := 3 * 3 * 3 * 4
		if spec.Name == "lr-halving" { // the pruning example: 5 learning rates × 3 seeds
			want = 5 * 3
			if err == nil && (trials[0].Halving == "" || trials[0].PlateauPatience == 0) {
				t.Errorf("the pruning example prunes nothing: %s", trials[0].Canonical())
			}
		}
		if err != nil || len(trials) != want {
			t.Errorf("README spec %s expands to %d trials, %v", spec.Name, len(trials), err)
		}
	}
	if specs != 2 || manifests != 1 {
		t.Errorf("found %d specs and %d manifests in README", specs, manifests)
	}
	scripts := readmeBlocks(t, "bash")
	if len(scripts) != 1 || !strings.Contains(scripts[0], "#SBATCH --array=") {
		t.Fatalf("want one sbatch script in README, found %d", len(scripts))
	}
	f := filepath.Join(t.TempDir(), "job.sh")
	os.WriteFile(f, []byte(scripts[0]), 0o644)
	if out, err := exec.Command("bash", "-n", f).CombinedOutput(); err != nil {
		t.Errorf("sbatch script: %v\n%s", err, out)
	}
}

// TestShardFromScheduler: the binary picks its shard from Slurm and Kubernetes variables.
func TestShardFromScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	spec := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(spec, []byte(killSpec), 0o644)
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MIN=3", "SLURM_ARRAY_TASK_COUNT=3"}, "2 trials (shard 0/3 (slurm))"},
		{[]string{"JOB_COMPLETION_INDEX=2", runner.ShardsEnv + "=3"}, "1 trials (shard 2/3 (kubernetes))"},
		{nil, "4 trials (all trials)"},
	} {
		cmd := exec.Command(bin, "run", "sweep", spec, "--dry-run")
		cmd.Env = append(os.Environ(), tc.env...)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v: %v\n%s\nwant %q", tc.env, err, out, tc.want)
		}
	}
}
