package runner_test

import (
	"fmt"

	"github.com/expctl/expctl/experiments"
	"github.com/expctl/expctl/runner"
)

func ExampleParseClip() {
	for _, s := range []string{"none", "value:1", "norm:0.5", "norm"} {
		c, err := experiments.ParseClip(s)
		fmt.Println(c.Kind, c.Threshold, err)
	}
	// Output:
	// none 0 <nil>
	// value 1 <nil>
	// norm 0.5 <nil>
	//  0 invalid clip "norm": want none, value:C or norm:C with C > 0 (e.g. norm:1)
}

func ExampleConfig_Validate() {
	c := experiments.DefaultConfig()
	c.T = 1
	fmt.Println(c.Validate())
	// Output:
	// invalid T 1: want an integer ≥ 2 for adding
}

func ExampleHiddenForBudget() {
	for _, cell := range []string{"rnn", "gru", "lstm"} {
		h, _ := experiments.HiddenForBudget(cell, "adding", 16000)
		n, _ := experiments.NetworkParams(cell, "adding", h)
		fmt.Printf("%s: H=%d, %d parameters\n", cell, h, n)
	}
	// Output:
	// rnn: H=124, 15873 parameters
	// gru: H=71, 15834 parameters
	// lstm: H=61, 15678 parameters
}

func ExampleResolveShard() {
	env := map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "8"}
	s, _ := runner.ResolveShard("", 0, func(k string) string { return env[k] })
	fmt.Println(s)
	// Output:
	// shard 3/8 (slurm)
}
