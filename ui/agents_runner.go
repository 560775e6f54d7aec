package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	runcore "marcus/core/run"
)

// Under marcus run the Agents view lists the runner's agent processes
// (running first, then the latest that ended) with their task, process
// state, run time and last output line, and shows the selected agent's
// live output beside the list (below it on a narrow terminal).

// runnerAgents are the runner's agents in the snapshot, nil without a
// runner or before it started one.
func (v *agentsView) runnerAgents() []runcore.AgentView {
	if v.snap == nil || v.snap.Runner == nil {
		return nil
	}
	return v.snap.Runner.Agents
}

// placeRunnerCursor keeps the selection on the same agent as the list
// changes.
func (v *agentsView) placeRunnerCursor(rows []runcore.AgentView) {
	for i, a := range rows {
		if a.Agent == v.rsel {
			v.rcursor = i
			return
		}
	}
	v.rcursor = max(0, min(v.rcursor, len(rows)-1))
	if len(rows) > 0 {
		v.rsel = rows[v.rcursor].Agent
	}
}

// updateRunner moves the selection, opens the agent's task, or stops the
// agent (its task goes back with a handoff).
func (v *agentsView) updateRunner(k tea.KeyPressMsg, rows []runcore.AgentView) tea.Cmd {
	v.placeRunnerCursor(rows)
	page := v.listHeight()
	switch {
	case key.Matches(k, v.keys.Up):
		v.rcursor--
	case key.Matches(k, v.keys.Down):
		v.rcursor++
	case key.Matches(k, v.keys.PageUp):
		v.rcursor -= page
	case key.Matches(k, v.keys.PageDown):
		v.rcursor += page
	case key.Matches(k, v.keys.Top):
		v.rcursor = 0
	case key.Matches(k, v.keys.Bottom):
		v.rcursor = len(rows) - 1
	case key.Matches(k, v.keys.Open):
		if a := rows[v.rcursor]; a.Task != "" {
			return openDetailCmd(a.Task)
		}
		return noteCmd(string(rows[v.rcursor].Agent)+" holds no task", false)
	case key.Matches(k, v.keys.Stop):
		a := rows[v.rcursor]
		if a.State == runcore.StateExited {
			return noteCmd(string(a.Agent)+" has already ended", false)
		}
		return stopAgentCmd(v.env.runner, a.Agent)
	default:
		return nil
	}
	v.rcursor = max(0, min(v.rcursor, len(rows)-1))
	v.rsel = rows[v.rcursor].Agent
	return nil
}

// sideBySide reports whether the output pane fits beside the list.
func (v *agentsView) sideBySide() bool { return v.w >= 100 }

// listHeight is the rows of the list the view shows.
func (v *agentsView) listHeight() int {
	if v.sideBySide() {
		return max(1, v.h-2)
	}
	return max(1, (v.h-2)/2-1)
}

// runnerView draws the list and the selected agent's output.
func (v *agentsView) runnerView(rows []runcore.AgentView) string {
	v.placeRunnerCursor(rows)
	w, h := v.w, v.h
	if !v.sideBySide() {
		listH := v.listHeight() + 2
		list := v.runnerList(rows, w, listH)
		out := v.outputPane(rows[v.rcursor], w, max(1, h-listH))
		return list + "\n" + out
	}
	listW := min(w/2, 80)
	list := lipgloss.NewStyle().Width(listW).Height(h).Render(v.runnerList(rows, listW-1, h))
	out := v.outputPane(rows[v.rcursor], w-listW-1, h)
	sep := strings.TrimSuffix(strings.Repeat(v.env.st.Faint.Render("│")+"\n", h), "\n")
	return lipgloss.JoinHorizontal(lipgloss.Top, list, sep, out)
}

// runnerList is the title, the column header and a page of agents.
func (v *agentsView) runnerList(rows []runcore.AgentView, w, h int) string {
	st, now := &v.env.st, v.env.now()
	r := v.snap.Runner
	running := 0
	for _, a := range rows {
		if a.State != runcore.StateExited {
			running++
		}
	}
	title := st.Bold.Render("Agents") + fmt.Sprintf(" %d running of %d · %d started", running, r.Slots, r.Spawns)
	if r.MaxSpawns > 0 {
		title += fmt.Sprintf(" (cap %d)", r.MaxSpawns)
	}
	if r.Finished {
		title += " · " + st.OK.Render("run finished")
	}
	const idW, stateW, timeW = 16, 11, 7
	taskW := max(8, min(28, w-idW-stateW-timeW-6))
	lastW := w - 2 - idW - stateW - timeW - taskW - 4
	head := "  " + pad("AGENT", idW) + " " + pad("TASK", taskW) + " " + pad("STATE", stateW) + " " + pad("TIME", timeW)
	if lastW >= 12 {
		head += " LAST LINE"
	}
	lines := []string{fit(title, w)}
	if r.Warning != "" {
		lines = append(lines, fit(st.Warn.Render("⚠ "+r.WarnedAt.Local().Format("15:04:05")+" "+oneLine(safeLine(r.Warning))), w))
	}
	lines = append(lines, fit(st.Faint.Render(head), w))
	page := max(1, h-len(lines))
	v.rtop = max(0, min(v.rtop, len(rows)-page))
	if v.rcursor < v.rtop {
		v.rtop = v.rcursor
	} else if v.rcursor >= v.rtop+page {
		v.rtop = v.rcursor - page + 1
	}
	for i := v.rtop; i < len(rows) && i < v.rtop+page; i++ {
		a := rows[i]
		task := "—"
		if a.Task != "" {
			task = taskShortID(a.Task) + " " + oneLine(a.TaskName)
		}
		state := agentState(a)
		cells := pad(string(a.Agent), idW) + " " + pad(task, taskW) + " " + pad(state, stateW) + " " + pad(fmtDur(runTime(a, now)), timeW)
		if lastW >= 12 {
			cells += " " + pad(safeLine(a.LastLine), lastW)
		}
		if i == v.rcursor {
			lines = append(lines, st.Selected.Render(pad("▸ "+cells, w)))
			continue
		}
		lines = append(lines, fit("  "+v.stateStyle(a).Render(cells), w))
	}
	return strings.Join(lines, "\n")
}

// stateStyle colours a row by its process: running plain, stopping in
// warning, a crash in error, the rest faint.
func (v *agentsView) stateStyle(a runcore.AgentView) lipgloss.Style {
	st := &v.env.st
	switch {
	case a.State == runcore.StateStopping:
		return st.Warn
	case a.Exit == nil:
		return lipgloss.NewStyle()
	case !a.Exit.Stopped && a.Exit.Code != 0:
		return st.Error
	}
	return st.Faint
}

// outputPane is the selected agent's last screenful of output.
func (v *agentsView) outputPane(a runcore.AgentView, w, h int) string {
	st := &v.env.st
	head := fmt.Sprintf("%s · pid %d · %s", a.Agent, a.PID, agentState(a))
	if a.Branch != "" {
		head += " · " + a.Branch
	}
	lines := []string{fit(st.Bold.Render("Output")+" "+st.Faint.Render(head), w)}
	if a.Why != "" {
		lines = append(lines, fit(st.Warn.Render("stopping: "+a.Why), w))
	}
	out := v.snap.Runner.Output[a.Agent]
	room := max(0, h-len(lines))
	if len(out) > room {
		out = out[len(out)-room:]
	}
	if len(out) == 0 {
		lines = append(lines, st.Faint.Render("no output yet"))
	}
	for _, l := range out {
		lines = append(lines, fit(l, w))
	}
	if a.Log != "" && len(lines) < h {
		lines = append(lines, fit(st.Faint.Render("log: "+a.Log), w))
	}
	return strings.Join(lines, "\n")
}

// runnerHelp is what the view adds to the help screen under a runner.
func (v *agentsView) runnerHelp() []key.Binding { return []key.Binding{v.keys.Stop} }
