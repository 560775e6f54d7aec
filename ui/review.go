package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"marcus/core"
	"marcus/core/plan"
)

// reviewEdit is what the review is editing.
type reviewEdit int

const (
	revNone reviewEdit = iota
	revRename
	revAdd
	revDeps
)

// depMark is how a task relates to the one whose dependencies are edited.
type depMark int

const (
	markNone depMark = iota
	markHard
	markSoft
)

// reviewKeys are the keys the review answers to.
type reviewKeys struct {
	navKeys
	Back, Open, Toggle                   key.Binding
	Rename, Delete, Add, Depends, Create key.Binding
	PriorityUp, PriorityDown             key.Binding
}

func newReviewKeys(k KeyMap) reviewKeys {
	return reviewKeys{navKeys: newNavKeys(k), Back: k.Back, Open: k.Open, Toggle: k.Toggle,
		Rename: k.Rename, Delete: k.Delete, Add: k.Add, Depends: k.Depends, Create: k.Create,
		PriorityUp: k.PriorityUp, PriorityDown: k.PriorityDown}
}

// reviewOutcome is what a key in the review asks of the flow.
type reviewOutcome int

const (
	reviewStay reviewOutcome = iota
	reviewCreate
	reviewDiscard
)

// reviewView is the review of a planned draft: a cursor over its tasks
// and the edit in progress. It is part of the new project flow, which
// stores or discards the draft when the review says so.
type reviewView struct {
	env  *env
	keys reviewKeys
	w, h int

	draft  *plan.Draft
	cursor int
	edit   reviewEdit
	input  textinput.Model
	// marks hold the dependency editor's choice, by task index; depCursor
	// moves over the other tasks.
	marks     []depMark
	depCursor int
	creating  bool
	err       string
}

func newReviewView(e *env, w, h int, d *plan.Draft) reviewView {
	return reviewView{env: e, keys: newReviewKeys(Keys), w: w, h: h, draft: d}
}

func (r *reviewView) SetSize(w, h int) { r.w, r.h = w, h }

func (r *reviewView) Help() helpSet {
	var s helpSet
	s[helpMove] = r.keys.vertical()
	s[helpAct] = []key.Binding{r.keys.Back}
	s[helpTask] = []key.Binding{r.keys.PriorityUp, r.keys.PriorityDown}
	s[helpDraft] = []key.Binding{r.keys.Rename, r.keys.Delete, r.keys.Add, r.keys.Depends, r.keys.Toggle, r.keys.Create}
	return s
}

// Update applies a message to the review; the outcome says when the
// person wants the draft stored or discarded, which the flow does.
func (r *reviewView) Update(msg tea.Msg) (tea.Cmd, reviewOutcome) {
	if r.draft == nil || r.creating {
		return nil, reviewStay
	}
	k, isKey := msg.(tea.KeyPressMsg)
	switch r.edit {
	case revRename, revAdd:
		if isKey {
			return r.updateInput(k), reviewStay
		}
		var cmd tea.Cmd
		r.input, cmd = r.input.Update(msg)
		return cmd, reviewStay
	case revDeps:
		if isKey {
			r.updateDeps(k)
		}
		return nil, reviewStay
	}
	if !isKey {
		return nil, reviewStay
	}
	return nil, r.key(k)
}

// key handles a key over the task table.
func (r *reviewView) key(k tea.KeyPressMsg) reviewOutcome {
	p := &r.draft.Plan
	n := len(p.Tasks)
	if r.moveCursor(k, &r.cursor, n) {
		return reviewStay
	}
	switch {
	case key.Matches(k, r.keys.Rename):
		if n > 0 {
			r.startInput(revRename, p.Tasks[r.cursor].Name)
		}
	case key.Matches(k, r.keys.Add):
		r.startInput(revAdd, "")
	case key.Matches(k, r.keys.Delete):
		if n > 0 {
			deleteDraftTask(p, r.cursor)
			r.err = ""
		}
	case key.Matches(k, r.keys.PriorityUp):
		r.bumpPriority(1)
	case key.Matches(k, r.keys.PriorityDown):
		r.bumpPriority(-1)
	case key.Matches(k, r.keys.Depends):
		if n > 1 {
			r.edit, r.marks, r.depCursor = revDeps, draftDepMarks(*p, r.cursor), 0
		}
	case key.Matches(k, r.keys.Create):
		return reviewCreate
	case key.Matches(k, r.keys.Back):
		return reviewDiscard
	}
	r.cursor = max(0, min(r.cursor, len(p.Tasks)-1))
	return reviewStay
}

func (r *reviewView) bumpPriority(delta int) {
	p := &r.draft.Plan
	if len(p.Tasks) == 0 {
		return
	}
	t := &p.Tasks[r.cursor]
	pr, err := core.ParsePriority(t.Priority)
	if err != nil {
		pr = core.PriorityMedium
	}
	t.Priority = max(core.PriorityLow, min(core.PriorityUrgent, pr+core.Priority(delta))).String()
	r.err = ""
}

// startInput opens the line editor for a rename or a new task.
func (r *reviewView) startInput(edit reviewEdit, value string) {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = core.MaxNameLen
	st := ti.Styles()
	st.Cursor.Blink = false // a steady cursor: no timer while typing
	ti.SetStyles(st)
	ti.SetWidth(max(1, r.w-30))
	ti.SetValue(value)
	ti.CursorEnd()
	ti.Focus()
	r.input, r.edit, r.err = ti, edit, ""
}

func (r *reviewView) updateInput(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, r.keys.Back):
		r.edit, r.err = revNone, ""
		return nil
	case key.Matches(k, r.keys.Open):
		p := &r.draft.Plan
		var err error
		if r.edit == revRename {
			err = renameDraftTask(p, r.cursor, r.input.Value())
		} else {
			var at int
			at, err = addDraftTask(p, r.cursor, r.input.Value())
			if err == nil {
				r.cursor = at
			}
		}
		if err != nil {
			r.err = err.Error()
			return nil
		}
		r.edit, r.err = revNone, ""
		return nil
	}
	var cmd tea.Cmd
	r.input, cmd = r.input.Update(k)
	return cmd
}

func (r *reviewView) updateDeps(k tea.KeyPressMsg) {
	if r.moveCursor(k, &r.depCursor, len(r.marks)-1) {
		return
	}
	switch {
	case key.Matches(k, r.keys.Toggle): // space toggles
		i := otherTaskIndex(r.cursor, r.depCursor)
		if r.marks[i] == markHard {
			r.marks[i] = markNone
		} else {
			r.marks[i] = markHard
		}
	case key.Matches(k, r.keys.Open):
		setDraftDeps(&r.draft.Plan, r.cursor, r.marks)
		r.edit, r.marks, r.err = revNone, nil, ""
	case key.Matches(k, r.keys.Back):
		r.edit, r.marks = revNone, nil
	}
}

// moveCursor applies a movement key to a cursor over n rows; it says
// whether k was one.
func (r *reviewView) moveCursor(k tea.KeyPressMsg, cursor *int, n int) bool {
	switch {
	case key.Matches(k, r.keys.Up):
		*cursor--
	case key.Matches(k, r.keys.Down):
		*cursor++
	case key.Matches(k, r.keys.PageUp):
		*cursor -= r.page()
	case key.Matches(k, r.keys.PageDown):
		*cursor += r.page()
	case key.Matches(k, r.keys.Top):
		*cursor = 0
	case key.Matches(k, r.keys.Bottom):
		*cursor = n - 1
	default:
		return false
	}
	*cursor = max(0, min(*cursor, n-1))
	return true
}

// otherTaskIndex is the task index of the j-th task other than self.
func otherTaskIndex(self, j int) int {
	if j >= self {
		return j + 1
	}
	return j
}
