package ui

import (
	"strings"

	"marcus/core"
)

// The edits below change a draft's plan in place. Task names are matched
// as core matches them: trimmed, ignoring case.

func sameTaskName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// checkTaskName refuses a name core would refuse: empty, too long, or taken by
// another task than skip.
func checkTaskName(p *core.Plan, name string, skip int) (string, error) {
	name = oneLine(name)
	switch {
	case name == "":
		return "", core.Errorf(core.ErrInvalid, "a task needs a name")
	case len(name) > core.MaxNameLen:
		return "", core.Errorf(core.ErrInvalid, "the name is %d characters; the limit is %d", len(name), core.MaxNameLen)
	}
	for i, t := range p.Tasks {
		if i != skip && sameTaskName(t.Name, name) {
			return "", core.Errorf(core.ErrInvalid, "task %d is already named %q: choose another name", i+1, t.Name)
		}
	}
	return name, nil
}

// renameDraftTask renames task i and the references to it.
func renameDraftTask(p *core.Plan, i int, name string) error {
	name, err := checkTaskName(p, name, i)
	if err != nil {
		return err
	}
	old := p.Tasks[i].Name
	p.Tasks[i].Name = name
	for j := range p.Tasks {
		p.Tasks[j].After = replaceTaskRef(p.Tasks[j].After, old, name)
		p.Tasks[j].SoftAfter = replaceTaskRef(p.Tasks[j].SoftAfter, old, name)
	}
	return nil
}

// deleteDraftTask removes task i and every reference to it.
func deleteDraftTask(p *core.Plan, i int) {
	old := p.Tasks[i].Name
	p.Tasks = append(p.Tasks[:i:i], p.Tasks[i+1:]...)
	for j := range p.Tasks {
		p.Tasks[j].After = replaceTaskRef(p.Tasks[j].After, old, "")
		p.Tasks[j].SoftAfter = replaceTaskRef(p.Tasks[j].SoftAfter, old, "")
	}
}

// addDraftTask inserts a task after task i, waiting for it, and returns its
// index.
func addDraftTask(p *core.Plan, i int, name string) (int, error) {
	name, err := checkTaskName(p, name, -1)
	if err != nil {
		return 0, err
	}
	t := core.PlanTask{Name: name, Phase: core.PhaseImplement.String(), Priority: core.PriorityMedium.String()}
	at := 0
	if i >= 0 && i < len(p.Tasks) {
		t.After = []string{p.Tasks[i].Name}
		at = i + 1
	}
	p.Tasks = append(p.Tasks[:at:at], append([]core.PlanTask{t}, p.Tasks[at:]...)...)
	return at, nil
}

// replaceTaskRef returns refs with old replaced by name, or dropped when name
// is empty; refs itself is left alone.
func replaceTaskRef(refs []string, old, name string) []string {
	var out []string
	changed := false
	for _, r := range refs {
		if sameTaskName(r, old) {
			changed = true
			if name == "" {
				continue
			}
			r = name
		}
		out = append(out, r)
	}
	if !changed {
		return refs
	}
	return out
}

// draftDepMarks says, for every task, whether task i waits for it.
func draftDepMarks(p core.Plan, i int) []depMark {
	marks := make([]depMark, len(p.Tasks))
	for j, t := range p.Tasks {
		switch {
		case j == i:
		case hasTaskRef(p.Tasks[i].After, t.Name):
			marks[j] = markHard
		case hasTaskRef(p.Tasks[i].SoftAfter, t.Name):
			marks[j] = markSoft
		}
	}
	return marks
}

func hasTaskRef(refs []string, name string) bool {
	for _, r := range refs {
		if sameTaskName(r, name) {
			return true
		}
	}
	return false
}

// setDraftDeps makes task i wait for the tasks marked, in plan order.
func setDraftDeps(p *core.Plan, i int, marks []depMark) {
	var hard, soft []string
	for j, mk := range marks {
		switch {
		case j == i || j >= len(p.Tasks):
		case mk == markHard:
			hard = append(hard, p.Tasks[j].Name)
		case mk == markSoft:
			soft = append(soft, p.Tasks[j].Name)
		}
	}
	p.Tasks[i].After, p.Tasks[i].SoftAfter = hard, soft
}
