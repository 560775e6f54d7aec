package postgres

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"marcus/core"
)

// Layered is a plan of n tasks in layers of width; each task after the
// first layer depends (hard) on two tasks of the layer before. The seed
// makes it the same every run. (Exported for the external tests.)
func Layered(name string, n, width int, seed uint64) core.Plan {
	r := rand.New(rand.NewPCG(seed, 3))
	task := func(i int) string { return fmt.Sprintf("task-%05d", i) }
	p := core.Plan{Name: name, Tasks: make([]core.PlanTask, n)}
	for i := range p.Tasks {
		pt := core.PlanTask{Name: task(i), Priority: []string{"low", "medium", "high"}[r.IntN(3)]}
		if layer := i / width; layer > 0 {
			prev := (layer - 1) * width
			for _, j := range []int{prev + r.IntN(width), prev + r.IntN(width)} {
				if !slices.Contains(pt.After, task(j)) {
					pt.After = append(pt.After, task(j))
				}
			}
		}
		p.Tasks[i] = pt
	}
	return p
}
