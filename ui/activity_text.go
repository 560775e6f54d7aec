package ui

import (
	"fmt"
	"strings"

	"marcus/core"
)

// The feed's sentences: what each event means, in a person's words. They
// read event payloads, and only they (and metrics.go) do.

// feedAgent is the name in the agent column: the agent that acted, or
// "marcus" for what the system or a person did.
func (c *feedCache) feedAgent(e *core.Event) string {
	if !agentActed(e) {
		return "marcus"
	}
	if name, ok := c.agents[e.Agent]; ok {
		return name
	}
	return string(e.Agent)
}

// feedPlain is an event's line without styles, as the filter reads it.
func feedPlain(c *feedCache, e *core.Event) string {
	return e.At.UTC().Format("15:04:05") + " " + c.feedAgent(e) + "  " + feedSentence(c, e)
}

// feedSentence says what an event means, in a person's words.
func feedSentence(c *feedCache, e *core.Event) string {
	if s, ok := planSentence(e); ok {
		return s
	}
	if s, ok := workSentence(c, e); ok {
		return s
	}
	if s, ok := troubleSentence(c, e); ok {
		return s
	}
	s := strings.ReplaceAll(string(e.Kind), "_", " ")
	if e.Task != "" {
		s += " " + feedTask(c, e)
	}
	return s
}

// planSentence tells of projects, planning and agents joining.
func planSentence(e *core.Event) (string, bool) {
	p := e.Payload
	switch e.Kind {
	case core.EventProjectCreated:
		n, _ := evInt(p, "tasks")
		s := fmt.Sprintf("created project %q with %d tasks", oneLine(evStr(p, "name")), n)
		if pl := evStr(p, "planner"); pl != "" {
			s += " (" + pl + " planner)"
		}
		return s, true
	case core.EventPlanning:
		done, _ := evInt(p, "done")
		total, _ := evInt(p, "total")
		s := "planning " + oneLine(evStr(p, "name")) + ": " + evStr(p, "stage")
		if total > 0 {
			s += fmt.Sprintf(" %d/%d", done, total)
		}
		if f := evStr(p, "feature"); f != "" {
			s += " " + oneLine(f)
		}
		return s, true
	case core.EventPlanningFailed:
		return fmt.Sprintf("planning %q failed: %s", oneLine(evStr(p, "name")), oneLine(evStr(p, "error"))), true
	case core.EventFeatureAdded:
		ts, _ := p["tasks"].([]any)
		return fmt.Sprintf("added feature %q (%d tasks)", oneLine(evStr(p, "description")), len(ts)), true
	case core.EventAgentRegistered:
		s := "registered"
		if r := evStr(p, "role"); r != "" {
			s += " as " + oneLine(r)
		}
		sk, _ := p["skills"].([]any)
		names := make([]string, 0, len(sk))
		for _, x := range sk {
			if v, ok := x.(string); ok {
				names = append(names, oneLine(v))
			}
		}
		if len(names) > 0 {
			s += " (" + strings.Join(names, ", ") + ")"
		}
		return s, true
	}
	return "", false
}

// workSentence tells of work on a task going as it should.
func workSentence(c *feedCache, e *core.Event) (string, bool) {
	p, tag := e.Payload, taskShortID(e.Task)
	quoted := func(key string) string {
		if msg := oneLine(evStr(p, key)); msg != "" {
			return ": \"" + msg + "\""
		}
		return ""
	}
	switch e.Kind {
	case core.EventTaskClaimed:
		if r, _ := p["recovered"].(bool); r {
			return "claimed " + feedTask(c, e) + " (handoff from its last holder)", true
		}
		return "claimed " + feedTask(c, e), true
	case core.EventTaskProgress:
		pct, _ := evInt(p, "progress")
		return fmt.Sprintf("%d%% on %s", pct, tag) + quoted("message"), true
	case core.EventTaskCompleted:
		return "completed " + feedTask(c, e) + quoted("message"), true
	case core.EventDecisionLogged:
		return "decided on " + tag + quoted("decision"), true
	case core.EventArtifactLogged:
		s := "logged " + oneLine(evStr(p, "filename"))
		if t := evStr(p, "artifact_type"); t != "" {
			s += " (" + oneLine(t) + ")"
		}
		return s + " on " + tag, true
	case core.EventPriorityChanged:
		return fmt.Sprintf("priority of %s: %s → %s", feedTask(c, e), evStr(p, "from"), evStr(p, "to")), true
	}
	return "", false
}

// troubleSentence tells of blockers, recoveries and tasks taken back.
func troubleSentence(c *feedCache, e *core.Event) (string, bool) {
	p, tag := e.Payload, taskShortID(e.Task)
	switch e.Kind {
	case core.EventTaskBlocked:
		if evStr(p, "by") != "person" {
			return "blocked " + tag + ": " + oneLine(orText(evStr(p, "reason"), evStr(p, "message"))), true
		}
		s := "a person blocked " + tag + ": " + oneLine(evStr(p, "reason"))
		if e.Agent != "" {
			s += " (taken from " + c.name(e.Agent) + ")"
		}
		return s, true
	case core.EventBlockerReported:
		s := fmt.Sprintf("%s blocker on %s: %s", orText(evStr(p, "severity"), "a"), tag, oneLine(evStr(p, "description")))
		if adv, ok := p["advisory"].(bool); ok && !adv {
			s += " · task parked"
		}
		return s, true
	case core.EventTaskUnassigned:
		s := "unassigned " + tag
		if e.Agent != "" {
			s += " from " + c.name(e.Agent)
		}
		s += " → backlog"
		if r := oneLine(evStr(p, "reason")); r != "" {
			s += ": " + r
		}
		return s, true
	case core.EventLeaseRecovered:
		s := "recovered " + tag + " from " + c.name(e.Agent)
		if _, silence, ok := strings.Cut(evStr(p, "reason"), "silent for "); ok {
			s += " (silent " + oneLine(silence) + ")"
		}
		if pct, _ := evInt(p, "progress"); pct > 0 {
			return s + fmt.Sprintf(" → backlog, handoff kept at %d%%", pct), true
		}
		return s + " → backlog, handoff kept", true
	case core.EventCircuitBroken:
		n, _ := evInt(p, "silent_recoveries")
		return fmt.Sprintf("circuit breaker: %s blocked after %d silent recoveries (last holder %s)", tag, n, c.name(e.Agent)), true
	}
	return "", false
}

// feedTask is a task's short id and, when known, its name.
func feedTask(c *feedCache, e *core.Event) string {
	if e.Task == "" {
		return ""
	}
	name := evStr(e.Payload, "name")
	if t, ok := c.snap.Task(e.Task); ok {
		name = t.Name
	}
	if name == "" {
		return taskShortID(e.Task)
	}
	return taskShortID(e.Task) + " " + oneLine(name)
}

func (c *feedCache) name(id core.AgentID) string {
	if n, ok := c.agents[id]; ok {
		return n
	}
	return string(id)
}

func orText(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}
