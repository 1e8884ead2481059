package runner

import (
	"errors"
	"fmt"
	"testing"

	"github.com/expctl/expctl/experiments"
)

func TestResolveShard(t *testing.T) {
	for _, tc := range []struct {
		flag   string
		shards int
		env    map[string]string
		want   Shard
		bad    string // field of the expected experiments.ConfigError
	}{
		{want: Shard{0, 1, ""}},
		{flag: "2/3", want: Shard{2, 3, "--shard"}},
		{flag: "3/3", bad: "shard"},
		{flag: "-1/3", bad: "shard"},
		{flag: "1", bad: "shard"},
		{flag: "a/b", bad: "shard"},
		{flag: "1/2", env: map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4"}, want: Shard{1, 2, "--shard"}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, want: Shard{3, 4, "slurm"}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "2"}, want: Shard{3, 4, "slurm"}},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"}, bad: "shard"},
		{env: map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, bad: "shard"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, shards: 5, want: Shard{2, 5, "kubernetes"}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2", ShardsEnv: "3"}, want: Shard{2, 3, "kubernetes"}},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, bad: "shards"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "3", ShardsEnv: "3"}, bad: "shards"},
	} {
		name := fmt.Sprintf("%q/%d/%v", tc.flag, tc.shards, tc.env)
		got, err := ResolveShard(tc.flag, tc.shards, func(k string) string { return tc.env[k] })
		var ce *experiments.ConfigError
		switch {
		case tc.bad != "" && (!errors.As(err, &ce) || ce.Field != tc.bad):
			t.Errorf("%s: err = %v, want a experiments.ConfigError for %s", name, err, tc.bad)
		case tc.bad == "" && (err != nil || got != tc.want):
			t.Errorf("%s: got %+v, %v; want %+v", name, got, err, tc.want)
		}
	}
}

// TestShardTrialsPartition: the shards of a list are disjoint, cover it, and are balanced.
func TestShardTrialsPartition(t *testing.T) {
	var all []experiments.Config
	for i := 0; i < 37; i++ {
		c := experiments.DefaultConfig()
		c.Seed = uint64(i)
		all = append(all, c)
	}
	seen := map[string]int{}
	for i := 0; i < 3; i++ {
		part := ShardTrials(all, Shard{Index: i, Count: 3})
		if len(part) < 12 || len(part) > 13 {
			t.Errorf("shard %d has %d of 37 trials", i, len(part))
		}
		for _, c := range part {
			seen[c.ID()]++
		}
	}
	if len(seen) != len(all) {
		t.Fatalf("shards cover %d of %d trials", len(seen), len(all))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", id, n)
		}
	}
}
