package runner

import (
	"github.com/expctl/expctl/datasets"
	"github.com/expctl/expctl/models"
)

func lossKind(t datasets.Task) models.LossKind {
	if t.Loss() == datasets.CrossEntropy {
		return models.CrossEntropy
	}
	return models.MSE
}
