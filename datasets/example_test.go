package datasets_test

import (
	"fmt"
	"log"

	"github.com/expctl/expctl/datasets"
)

func ExampleLookup() {
	task, err := datasets.Lookup("copy")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(task.Name, task.InDim, task.OutDim, task.Loss)
	fmt.Println("Len(100):", task.Len(100))
	fmt.Printf("baseline(100): %.4f\n", task.Baseline(100))
	fmt.Println("solved when", task.Criterion)

	_, err = datasets.Lookup("addition")
	fmt.Println(err)
	// Output:
	// copy 10 10 cross-entropy
	// Len(100): 120
	// baseline(100): 0.1733
	// solved when test recall_acc ≥ 0.99
	// unknown task "addition" (known: adding, adding-hochreiter, copy, long-lag, multiply, temporal-order, temporal-order3)
}

func ExampleTrainBatch() {
	task, err := datasets.Lookup("adding")
	if err != nil {
		log.Fatal(err)
	}
	b, err := datasets.TrainBatch(task, 1, 100, 32, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Len:", b.Len, "Size:", b.Size, "InDim:", b.InDim)
	fmt.Println("LossSteps:", b.LossSteps, "targets:", len(b.Y))
	fmt.Println("step input:", len(b.Input(0)))
	fmt.Printf("baseline: %.4f (%s)\n", task.Baseline(100), task.BaselineNote)

	_, err = datasets.TrainBatch(task, 1, 1, 32, 0)
	fmt.Println(err)
	// Output:
	// Len: 100 Size: 32 InDim: 2
	// LossSteps: [99] targets: 32
	// step input: 64
	// baseline: 0.1667 (always predict 1.0: MSE = 1/6)
	// adding: dependency length T=1 out of range (need T ≥ 2)
}

func ExampleTestSet() {
	task, err := datasets.Lookup("copy")
	if err != nil {
		log.Fatal(err)
	}
	test, err := datasets.TestSet(task, 1, 200, 1000)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("sequences:", test.Size, "length:", test.Len)
	fmt.Println("loss steps:", len(test.LossSteps), "labels:", len(test.Labels))
	fmt.Printf("%s baseline: %.4f\n", task.Loss, task.Baseline(200))
	// Output:
	// sequences: 1000 length: 220
	// loss steps: 220 labels: 220000
	// cross-entropy baseline: 0.0945
}

func ExampleNames() {
	for _, name := range datasets.Names() {
		task, _ := datasets.Lookup(name)
		fmt.Printf("%-17s %-14s %s\n", name, task.Loss, task.MetricName)
	}
	// Output:
	// adding            mse            acc@0.04
	// adding-hochreiter mse            acc@0.04
	// copy              cross-entropy  recall_acc
	// long-lag          cross-entropy  acc@0.25
	// multiply          mse            acc@0.04
	// temporal-order    cross-entropy  acc@0.3
	// temporal-order3   cross-entropy  acc@0.3
}
