package runner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/expctl/expctl/experiments"
)

// Shard selects a deterministic part of a sweep: trial k of the expanded list (0-based)
// belongs to shard k mod Count.
type Shard struct {
	Index, Count int
	Source       string // where it came from: "--shard", "slurm", "kubernetes" or "" (whole sweep)
}

// ShardsEnv is the environment variable that gives the number of shards of a Kubernetes
// Indexed Job when --shards is not set (set it to the Job's completions).
const ShardsEnv = "EXPCTL_SHARDS"

func (s Shard) String() string {
	if s.Count <= 1 {
		return "all trials"
	}
	return fmt.Sprintf("shard %d/%d (%s)", s.Index, s.Count, s.Source)
}

// ParseShard parses "i/n" with 0 ≤ i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, &experiments.ConfigError{Field: "shard", Value: strconv.Quote(s), Want: "i/n with 0 ≤ i < n, e.g. 0/4"}
	}
	return Shard{Index: i, Count: n, Source: "--shard"}, nil
}

// ResolveShard decides which shard this process runs: --shard (flag) if given; else a
// Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN); else
// a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the count from shards or, when that
// is 0, the EXPCTL_SHARDS variable); else the whole sweep.
func ResolveShard(flag string, shards int, getenv func(string) string) (Shard, error) {
	if flag != "" {
		return ParseShard(flag)
	}
	num := func(name string) (int, error) {
		v, err := strconv.Atoi(getenv(name))
		if err != nil {
			return 0, &experiments.ConfigError{Field: "shard", Value: fmt.Sprintf("%s=%q", name, getenv(name)), Want: "an integer"}
		}
		return v, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := num("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return Shard{}, err
		}
		count, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return Shard{}, err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = num("SLURM_ARRAY_TASK_MIN"); err != nil {
				return Shard{}, err
			}
		}
		if id-lo < 0 || id-lo >= count {
			return Shard{}, &experiments.ConfigError{Field: "shard", Value: fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", id), Want: fmt.Sprintf("an index in [%d, %d) for SLURM_ARRAY_TASK_MIN=%d and SLURM_ARRAY_TASK_COUNT=%d (use --array=0-N with no step)", lo, lo+count, lo, count)}
		}
		return Shard{Index: id - lo, Count: count, Source: "slurm"}, nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		idx, err := num("JOB_COMPLETION_INDEX")
		if err != nil {
			return Shard{}, err
		}
		if shards == 0 {
			if getenv(ShardsEnv) == "" {
				return Shard{}, &experiments.ConfigError{Field: "shards", Value: "unset", Want: "the Indexed Job's completions, via --shards or " + ShardsEnv}
			}
			if shards, err = num(ShardsEnv); err != nil {
				return Shard{}, err
			}
		}
		if shards < 1 || idx < 0 || idx >= shards {
			return Shard{}, &experiments.ConfigError{Field: "shards", Value: shards, Want: fmt.Sprintf("a count > JOB_COMPLETION_INDEX=%d", idx)}
		}
		return Shard{Index: idx, Count: shards, Source: "kubernetes"}, nil
	}
	return Shard{Index: 0, Count: 1}, nil
}

// ShardTrials returns the trials of shard s: trial k belongs to shard k mod s.Count. With
// successive halving (see [experiments.Halving]) whole groups are dealt out instead:
// group g, numbered in the order of its first trial, belongs to shard g mod s.Count, so
// that every group is ranked by one process.
func ShardTrials(all []experiments.Config, s Shard) []experiments.Config {
	if s.Count <= 1 {
		return all
	}
	groups := map[string]int{}
	var out []experiments.Config
	for k, c := range all {
		if c.Halving != "" {
			g, seen := groups[c.Group()]
			if !seen {
				g = len(groups)
				groups[c.Group()] = g
			}
			k = g
		}
		if k%s.Count == s.Index {
			out = append(out, c)
		}
	}
	return out
}
