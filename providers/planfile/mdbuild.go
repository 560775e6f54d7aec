package planfile

import (
	"slices"

	"marcus/core"
)

// mdBuild turns parsed checklist items into tasks: features become labels
// and inherited settings, checked items disappear, and dependencies on
// features or finished items are rewritten to what is left to wait for.
type mdBuild struct {
	d        doc
	features map[string][]string // open feature -> its open tasks, nested features included
	done     map[string]bool     // checked items
	open     map[string]bool     // open tasks
	tasks    []core.PlanTask
	lines    []int
	members  [][]string // per task: the features it is part of
	budget   int        // dependencies left before expansion is refused
}

// maxDependencies bounds the dependencies that naming features may expand
// into: many tasks waiting for a large feature grow quadratically, and a
// hostile file must not turn that into gigabytes.
const maxDependencies = 1 << 20

func newMDBuild(d doc) *mdBuild {
	return &mdBuild{
		d:        d,
		features: map[string][]string{},
		done:     map[string]bool{},
		open:     map[string]bool{},
		budget:   maxDependencies,
	}
}

func (b *mdBuild) build(items []*mdItem) error {
	for _, it := range items {
		if err := b.checkDone(it, nil); err != nil {
			return err
		}
		b.collect(it)
	}
	for _, it := range items {
		if err := b.emit(it, mdContext{}); err != nil {
			return err
		}
	}
	return b.resolve()
}

// checkDone refuses a checked item with unchecked items under it: whether
// that work is done is for the author to say, not for the parser to guess.
func (b *mdBuild) checkDone(it, checked *mdItem) error {
	if !it.done && checked != nil {
		return b.d.errorf(it.line, "%q is not checked but %q above it (line %d) is: check %q too, or uncheck %q",
			it.name, checked.name, checked.line, it.name, checked.name)
	}
	if it.done && checked == nil {
		checked = it
	}
	for _, c := range it.children {
		if err := b.checkDone(c, checked); err != nil {
			return err
		}
	}
	return nil
}

// collect records every name before any task is built, so a dependency may
// name a feature or a finished item that appears later in the file.
func (b *mdBuild) collect(it *mdItem) []string {
	if it.done {
		b.markDone(it)
		return nil
	}
	if len(it.children) == 0 {
		b.open[it.name] = true
		return []string{it.name}
	}
	var names []string
	for _, c := range it.children {
		names = append(names, b.collect(c)...)
	}
	b.features[it.name] = append(b.features[it.name], names...)
	return names
}

func (b *mdBuild) markDone(it *mdItem) {
	b.done[it.name] = true
	for _, c := range it.children {
		b.markDone(c)
	}
}

// mdContext is what a feature hands down to the items nested in it.
type mdContext struct {
	after     []string
	softAfter []string
	priority  string
	phase     string
	labels    []string
	features  []string
}

// with applies an item's own metadata: a key the item sets replaces the
// inherited value; labels add up.
func (c mdContext) with(m mdMeta) mdContext {
	if m.set["after"] {
		c.after = m.after
	}
	if m.set["soft_after"] {
		c.softAfter = m.softAfter
	}
	if m.set["priority"] {
		c.priority = m.priority
	}
	if m.set["phase"] {
		c.phase = m.phase
	}
	c.labels = slices.Concat(c.labels, m.labels)
	return c
}

func (b *mdBuild) emit(it *mdItem, ctx mdContext) error {
	if it.done {
		return nil
	}
	ctx = ctx.with(it.meta)
	if len(it.children) == 0 {
		b.addTask(it, ctx)
		return nil
	}
	if it.meta.set["estimate"] {
		return b.d.errorf(it.line, "%q has nested tasks, so it is a feature and has no estimate of its own: put estimates on its tasks", it.name)
	}
	ctx.labels = slices.Concat(ctx.labels, []string{"feature:" + it.name})
	ctx.features = slices.Concat(ctx.features, []string{it.name})
	for _, c := range it.children {
		if err := b.emit(c, ctx); err != nil {
			return err
		}
	}
	return nil
}

func (b *mdBuild) addTask(it *mdItem, ctx mdContext) {
	b.tasks = append(b.tasks, core.PlanTask{
		Name:            it.name,
		Description:     joinText(it.desc),
		After:           ctx.after,
		SoftAfter:       ctx.softAfter,
		Priority:        ctx.priority,
		Phase:           ctx.phase,
		EstimateMinutes: it.meta.estimate,
		Labels:          dedupe(ctx.labels),
		Acceptance:      it.accept,
	})
	b.lines = append(b.lines, it.line)
	b.members = append(b.members, ctx.features)
}

func (b *mdBuild) resolve() error {
	for i := range b.tasks {
		t := &b.tasks[i]
		var err error
		if t.After, err = b.expand(t.After, i); err != nil {
			return err
		}
		if t.SoftAfter, err = b.expand(t.SoftAfter, i); err != nil {
			return err
		}
	}
	return nil
}

// expand rewrites dependency names: a feature stands for all its open
// tasks, and a checked item is dropped because there is nothing left to wait
// for. Other names pass through; import reports the ones that match nothing.
func (b *mdBuild) expand(names []string, i int) ([]string, error) {
	var out []string
	for _, n := range names {
		if tasks, ok := b.features[n]; ok {
			if slices.Contains(b.members[i], n) {
				return nil, b.d.errorf(b.lines[i], "%q is part of feature %q, so it cannot wait for %q (it would wait for itself): name the tasks of %q it waits for",
					b.tasks[i].Name, n, n, n)
			}
			if b.budget -= len(tasks); b.budget < 0 {
				return nil, b.d.errorf(b.lines[i], "the features named in dependencies expand into more than %d dependencies: name fewer or smaller features", maxDependencies)
			}
			out = append(out, tasks...)
			continue
		}
		if b.done[n] && !b.open[n] {
			continue
		}
		out = append(out, n)
	}
	return dedupe(out), nil
}

// dedupe keeps the first of each name, in order.
func dedupe(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
