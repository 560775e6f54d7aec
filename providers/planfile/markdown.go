package planfile

import (
	"regexp"
	"strings"

	"marcus/core"
)

// maxNesting bounds how deep checklist items may nest. Real plans use two or
// three levels; the bound keeps the recursive build safe on hostile input.
const maxNesting = 8

var (
	mdHeading   = regexp.MustCompile(`^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	mdChecklist = regexp.MustCompile(`^[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*))?$`)
	mdBullet    = regexp.MustCompile(`^[-*+](?:[ \t]+(.*))?$`)
)

// mdItem is one checklist line with what is indented under it.
type mdItem struct {
	line     int
	indent   int
	done     bool
	name     string
	meta     mdMeta
	desc     []string
	accept   []string
	children []*mdItem
}

// mdParser reads a Markdown checklist line by line. Indentation decides
// where a line belongs: a line belongs to the nearest item above it that is
// indented less.
type mdParser struct {
	d        doc
	title    string
	desc     []string
	descOpen bool   // the project description is still being collected
	started  bool   // a checklist item has been seen
	blank    bool   // a blank line came since the last text
	fence    string // the marker of the open code fence, if any
	items    []*mdItem
	stack    []*mdItem // the open items, outermost first
}

func parseMarkdown(d doc) (core.Plan, []taskPos, error) {
	p := &mdParser{d: d, descOpen: true}
	for i, raw := range strings.Split(string(d.data), "\n") {
		if err := p.line(i+1, raw); err != nil {
			return core.Plan{}, nil, err
		}
	}
	if len(p.items) == 0 {
		return core.Plan{}, nil, d.errorf(0, "no checklist items found: write each task as a line \"- [ ] Task name\"")
	}
	b := newMDBuild(d)
	if err := b.build(p.items); err != nil {
		return core.Plan{}, nil, err
	}
	if len(b.tasks) == 0 {
		return core.Plan{}, nil, d.errorf(0, "every checklist item is checked (done): there is nothing left to plan")
	}
	plan := core.Plan{Name: p.title, Description: joinText(p.desc), Tasks: b.tasks}
	pos := make([]taskPos, len(b.lines))
	for i, l := range b.lines {
		pos[i] = taskPos{line: l}
	}
	return plan, pos, nil
}

func (p *mdParser) line(num int, raw string) error {
	raw = strings.TrimRight(raw, " \t\r")
	indent, text := splitIndent(raw)
	if text == "" {
		p.blank = true
		return nil
	}
	if p.inFence(text) {
		p.text(indent, raw)
		p.blank = false
		return nil
	}
	if indent < 4 {
		if m := mdHeading.FindStringSubmatch(text); m != nil {
			p.heading(len(m[1]), strings.TrimSpace(m[2]))
			p.blank = false
			return nil
		}
	}
	var err error
	if m := mdChecklist.FindStringSubmatch(text); m != nil {
		err = p.item(num, indent, m[1] != " ", m[2])
	} else if m := mdBullet.FindStringSubmatch(text); m != nil && p.started {
		p.bullet(indent, strings.TrimSpace(m[1]))
	} else {
		p.text(indent, raw)
	}
	p.blank = false
	return err
}

// inFence reports whether a line is part of a fenced code block, fences
// included: a "# comment" or "- [ ] x" in a code sample is text, not a
// heading or a task.
func (p *mdParser) inFence(text string) bool {
	if p.fence != "" {
		if strings.HasPrefix(text, p.fence) {
			p.fence = ""
		}
		return true
	}
	for _, marker := range []string{"```", "~~~"} {
		if strings.HasPrefix(text, marker) {
			p.fence = marker
			return true
		}
	}
	return false
}

// splitIndent measures leading whitespace in columns, a tab reaching the
// next multiple of four as Markdown counts it.
func splitIndent(s string) (int, string) {
	col := 0
	for i, r := range s {
		switch r {
		case ' ':
			col++
		case '\t':
			col += 4 - col%4
		default:
			return col, s[i:]
		}
	}
	return col, ""
}

func (p *mdParser) heading(level int, title string) {
	if level == 1 && p.title == "" && !p.started && p.descOpen && title != "" {
		p.title = title
		return
	}
	// Any other heading ends the project description, and a task's
	// description never runs across a heading.
	p.descOpen = false
	p.stack = nil
}

func (p *mdParser) item(num, indent int, done bool, text string) error {
	p.started, p.descOpen = true, false
	it := &mdItem{line: num, indent: indent, done: done}
	var err error
	if it.name, it.meta, err = p.d.parseItemText(num, text); err != nil {
		return err
	}
	parent := p.owner(indent)
	if parent == nil {
		p.items = append(p.items, it)
	} else {
		parent.children = append(parent.children, it)
	}
	if len(p.stack) >= maxNesting {
		return p.d.errorf(num, "checklist items are nested more than %d levels deep: flatten the list", maxNesting)
	}
	p.stack = append(p.stack, it)
	return nil
}

// owner closes the items indented as much as indent or more and returns the
// innermost one still open: the item a line at that indent belongs to.
func (p *mdParser) owner(indent int) *mdItem {
	for len(p.stack) > 0 && p.stack[len(p.stack)-1].indent >= indent {
		p.stack = p.stack[:len(p.stack)-1]
	}
	if len(p.stack) == 0 {
		return nil
	}
	return p.stack[len(p.stack)-1]
}

// bullet handles a plain bullet after the first task: indented under a task
// it is an acceptance criterion; at the margin it is a note and is ignored.
func (p *mdParser) bullet(indent int, text string) {
	owner := p.owner(indent)
	if owner != nil && text != "" {
		owner.accept = append(owner.accept, text)
	}
}

// text handles any other line: before the first task it is the project
// description (until a subheading), indented under a task it is the task's
// description, and anywhere else it is a note and is ignored.
func (p *mdParser) text(indent int, raw string) {
	if !p.started {
		if p.descOpen {
			p.desc = p.appendText(p.desc, raw)
		}
		return
	}
	if owner := p.owner(indent); owner != nil {
		owner.desc = p.appendText(owner.desc, raw)
	}
}

// appendText keeps one blank line between paragraphs, so a description
// reads as it was written.
func (p *mdParser) appendText(lines []string, s string) []string {
	if p.blank && len(lines) > 0 {
		lines = append(lines, "")
	}
	return append(lines, s)
}

// joinText joins description lines, removing the indentation they share so
// that the nesting of the list does not end up in the text while indented
// code inside it keeps its shape.
func joinText(lines []string) string {
	common := -1
	for _, l := range lines {
		if col, text := splitIndent(l); text != "" && (common < 0 || col < common) {
			common = col
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if col, text := splitIndent(l); text != "" {
			out[i] = strings.Repeat(" ", col-common) + text
		}
	}
	return trimBlankLines(strings.Join(out, "\n"))
}
