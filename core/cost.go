package core

import (
	"context"
	"sort"
	"time"
)

// CostTotals adds up model calls.
type CostTotals struct {
	Calls        int     `json:"calls"`
	Failed       int     `json:"failed_calls"`
	InputTokens  int     `json:"input_tokens"`
	OutputTokens int     `json:"output_tokens"`
	TotalTokens  int     `json:"total_tokens"`
	CostUSD      float64 `json:"total_cost_usd"`
	// LatencySeconds is the time spent waiting for models, summed.
	LatencySeconds float64 `json:"latency_seconds"`
}

// Add counts one call.
func (t *CostTotals) Add(c LLMCall) {
	t.Calls++
	if c.Outcome != OutcomeOK {
		t.Failed++
	}
	t.InputTokens += c.InputTokens
	t.OutputTokens += c.OutputTokens
	t.TotalTokens += c.InputTokens + c.OutputTokens
	t.CostUSD += c.CostUSD
	t.LatencySeconds += c.Latency.Seconds()
}

// ProjectCost is one project's share. Stored is false for a creation that
// failed: its calls were paid for, but no project was stored.
type ProjectCost struct {
	Project ProjectID `json:"project_id"`
	Name    string    `json:"project_name"`
	Stored  bool      `json:"stored"`
	CostTotals
}

// ModelCost is one provider and model's share.
type ModelCost struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	CostTotals
}

// OperationCost is one kind of call's share ("analyze", "expand").
type OperationCost struct {
	Operation string `json:"operation"`
	CostTotals
}

// CostSummary reports what planning cost, from the recorded calls.
type CostSummary struct {
	// Project is the project asked about; "" for every project.
	Project     ProjectID       `json:"project_id,omitempty"`
	Totals      CostTotals      `json:"totals"`
	ByProject   []ProjectCost   `json:"by_project"`
	ByModel     []ModelCost     `json:"by_model"`
	ByOperation []OperationCost `json:"by_operation"`
	First       time.Time       `json:"first_call_at,omitzero"`
	Last        time.Time       `json:"last_call_at,omitzero"`
}

// Costs summarises the recorded model calls of a project (an id or name;
// "" for all projects). The id of a creation that failed works too.
func (c *Coordinator) Costs(ctx context.Context, ref ProjectID) (CostSummary, error) {
	var calls []LLMCall
	stored := map[ProjectID]bool{}
	var sum CostSummary
	err := c.store.View(ctx, func(tx ReadTx) error {
		ps, err := tx.Projects()
		if err != nil {
			return err
		}
		for _, p := range ps {
			stored[p.ID] = true
		}
		if ref != "" {
			id := ref
			if !stored[ref] {
				if p, err := FindProject(tx, ref); err == nil {
					id = p.ID
				}
			}
			sum.Project = id
		}
		calls, err = tx.LLMCalls(sum.Project)
		if err != nil {
			return err
		}
		if ref != "" && !stored[sum.Project] && len(calls) == 0 {
			return Refusef(ErrNotFound, ReasonUnknownProject, "no project %q and no model calls for it: list projects with marcus projects", ref)
		}
		return nil
	})
	if err != nil {
		return CostSummary{}, err
	}
	return summarizeCalls(sum, calls, stored), nil
}

func summarizeCalls(sum CostSummary, calls []LLMCall, stored map[ProjectID]bool) CostSummary {
	projects := map[ProjectID]*ProjectCost{}
	models := map[[2]string]*ModelCost{}
	ops := map[string]*OperationCost{}
	var porder []ProjectID
	for _, c := range calls {
		sum.Totals.Add(c)
		if sum.First.IsZero() || c.At.Before(sum.First) {
			sum.First = c.At
		}
		if c.At.After(sum.Last) {
			sum.Last = c.At
		}
		pc := projects[c.Project]
		if pc == nil {
			pc = &ProjectCost{Project: c.Project, Name: c.ProjectName, Stored: stored[c.Project]}
			projects[c.Project] = pc
			porder = append(porder, c.Project)
		}
		pc.Add(c)
		mk := [2]string{c.Provider, c.Model}
		if models[mk] == nil {
			models[mk] = &ModelCost{Provider: c.Provider, Model: c.Model}
		}
		models[mk].Add(c)
		op := operationKind(c.Operation)
		if ops[op] == nil {
			ops[op] = &OperationCost{Operation: op}
		}
		ops[op].Add(c)
	}
	sum.ByProject = make([]ProjectCost, 0, len(porder))
	for _, id := range porder {
		sum.ByProject = append(sum.ByProject, *projects[id])
	}
	sum.ByModel = make([]ModelCost, 0, len(models))
	for _, m := range models {
		sum.ByModel = append(sum.ByModel, *m)
	}
	sort.Slice(sum.ByModel, func(i, j int) bool {
		a, b := sum.ByModel[i], sum.ByModel[j]
		return a.Provider < b.Provider || a.Provider == b.Provider && a.Model < b.Model
	})
	sum.ByOperation = make([]OperationCost, 0, len(ops))
	for _, o := range ops {
		sum.ByOperation = append(sum.ByOperation, *o)
	}
	sort.Slice(sum.ByOperation, func(i, j int) bool { return sum.ByOperation[i].Operation < sum.ByOperation[j].Operation })
	return sum
}

// operationKind folds "expand:<feature>" into "expand".
func operationKind(op string) string {
	for i := range len(op) {
		if op[i] == ':' {
			return op[:i]
		}
	}
	return op
}
