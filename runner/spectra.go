package runner

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/expctl/expctl/models"
	"github.com/expctl/expctl/results/trialdir"
)

// SigmaMax returns the largest singular value of the rows×cols matrix in data (row-major).
func SigmaMax(rows, cols int, data []float64) float64 {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(rows, cols, data), mat.SVDNone) {
		return math.NaN()
	}
	return svd.Values(nil)[0]
}

// spectra measures σ_max of every recurrent block of the network's cell.
func (n *Network) spectra(step int) []trialdir.Spectrum {
	var out []trialdir.Spectrum
	for _, b := range models.RecurrentBlocks(n.Cell) {
		p := n.Params[b.Param]
		all := float64s(p)
		cols := p.Shape()[1]
		block := make([]float64, 0, b.Size*b.Size)
		for r := b.Row0; r < b.Row0+b.Size; r++ {
			block = append(block, all[r*cols+b.Col0:r*cols+b.Col0+b.Size]...)
		}
		out = append(out, trialdir.Spectrum{Step: step, Param: b.Name, Gate: b.Gate.Name, Act: b.Gate.Act,
			SigmaMax: SigmaMax(b.Size, b.Size, block), Threshold: 1 / b.Gate.Gamma()})
	}
	return out
}
