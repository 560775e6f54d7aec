package planfile

import (
	"fmt"
	"strings"

	"marcus/core"
)

// finish applies the rules every format shares once the plan is decoded:
// trimmed names, a default plan name, and priority, phase and estimate values
// core will accept, so the person hears of a typo with its line now rather
// than without one on import. pos[i] is where task i is.
func (d doc) finish(p *core.Plan, pos []taskPos) error {
	p.Name = strings.TrimSpace(p.Name)
	p.Description = trimBlankLines(p.Description)
	if p.Name == "" {
		p.Name = d.defaultName()
	}
	if len(p.Tasks) == 0 {
		return d.errorf(0, "the plan has no tasks: add at least one task with a name")
	}
	for i := range p.Tasks {
		var at taskPos
		if i < len(pos) {
			at = pos[i]
		}
		if err := d.finishTask(&p.Tasks[i], i, at); err != nil {
			return err
		}
	}
	return nil
}

func (d doc) finishTask(t *core.PlanTask, i int, at taskPos) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return d.errorf(at.of("name"), "task %d has no name: every task needs a name", i+1)
	}
	var err error
	if t.After, err = d.cleanNames(t.After, t.Name, "after", at.of("after")); err != nil {
		return err
	}
	if t.SoftAfter, err = d.cleanNames(t.SoftAfter, t.Name, "soft_after", at.of("soft_after")); err != nil {
		return err
	}
	t.Description = trimBlankLines(t.Description)
	t.Labels = dropEmpty(t.Labels)
	t.Acceptance = dropEmpty(t.Acceptance)
	return d.checkValues(t, at)
}

// cleanNames trims dependency names. An empty one is refused rather than
// dropped: it is usually a stray comma or a missing name the author meant.
func (d doc) cleanNames(names []string, task, key string, line int) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			return nil, d.errorf(line, "task %q: %s has an empty name: list the names of the tasks it waits for", task, key)
		}
		out = append(out, n)
	}
	return out, nil
}

func dropEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkValues validates with core's own parsers, so the file accepts exactly
// the spellings import accepts, and writes the canonical names back.
func (d doc) checkValues(t *core.PlanTask, at taskPos) error {
	var err error
	if t.Priority, err = canonical(t.Priority, core.ParsePriority); err != nil {
		return d.wrap(at.of("priority"), err, "task %q", t.Name)
	}
	if t.Phase, err = canonical(t.Phase, core.ParsePhase); err != nil {
		return d.wrap(at.of("phase"), err, "task %q", t.Name)
	}
	if t.EstimateMinutes < 0 {
		return d.errorf(at.of("estimate_minutes"), "task %q: estimate %d is negative: give minutes, or leave it out when unknown", t.Name, t.EstimateMinutes)
	}
	return nil
}

// canonical returns the name core gives s, keeping "" (the default) as "".
func canonical[T fmt.Stringer](s string, parse func(string) (T, error)) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	v, err := parse(s)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// trimBlankLines removes blank lines and trailing space around a text but
// keeps the indentation of its first line, which may be code.
func trimBlankLines(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}
