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
	if !e.AgentActed() {
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
	if s, ok := runnerSentence(c, e); ok {
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
	switch p := e.Payload.(type) {
	case core.ProjectCreated:
		s := fmt.Sprintf("created project %q with %d tasks", oneLine(p.Name), p.Tasks)
		if p.Planner != "" {
			s += " (" + p.Planner + " planner)"
		}
		return s, true
	case core.PlanningProgress:
		s := "planning " + oneLine(p.Name) + ": " + p.Stage
		if p.Total > 0 {
			s += fmt.Sprintf(" %d/%d", p.Done, p.Total)
		}
		if p.Feature != "" {
			s += " " + oneLine(p.Feature)
		}
		return s, true
	case core.PlanningFailed:
		return fmt.Sprintf("planning %q failed: %s", oneLine(p.Name), oneLine(p.Error)), true
	case core.FeatureAdded:
		return fmt.Sprintf("added feature %q (%d tasks)", oneLine(p.Description), len(p.Tasks)), true
	case core.AgentRegistered:
		s := "registered"
		if p.Role != "" {
			s += " as " + oneLine(p.Role)
		}
		names := make([]string, 0, len(p.Skills))
		for _, v := range p.Skills {
			names = append(names, oneLine(v))
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
	tag := taskShortID(e.Task)
	quoted := func(msg string) string {
		if msg = oneLine(msg); msg != "" {
			return ": \"" + msg + "\""
		}
		return ""
	}
	switch p := e.Payload.(type) {
	case core.TaskClaimed:
		if p.Recovered {
			return "claimed " + feedTask(c, e) + " (handoff from its last holder)", true
		}
		return "claimed " + feedTask(c, e), true
	case core.TaskProgress:
		return fmt.Sprintf("%d%% on %s", p.Progress, tag) + quoted(p.Message), true
	case core.TaskCompleted:
		if p.Commit != "" {
			return "merged and completed " + feedTask(c, e) + " (" + short(p.Commit) + ")", true
		}
		return "completed " + feedTask(c, e) + quoted(p.Message), true
	case core.DecisionLogged:
		return "decided on " + tag + quoted(p.Decision), true
	case core.ArtifactLogged:
		s := "logged " + oneLine(p.Filename)
		if p.Type != "" {
			s += " (" + oneLine(p.Type) + ")"
		}
		return s + " on " + tag, true
	case core.PriorityChanged:
		return fmt.Sprintf("priority of %s: %s → %s", feedTask(c, e), p.From, p.To), true
	}
	return "", false
}

// troubleSentence tells of blockers, recoveries and tasks taken back.
func troubleSentence(c *feedCache, e *core.Event) (string, bool) {
	tag := taskShortID(e.Task)
	switch p := e.Payload.(type) {
	case core.TaskBlocked:
		if p.By != core.ByPerson {
			return "blocked " + tag + ": " + oneLine(p.Why()), true
		}
		s := "a person blocked " + tag + ": " + oneLine(p.Reason)
		if e.Agent != "" {
			s += " (taken from " + c.name(e.Agent) + ")"
		}
		return s, true
	case core.BlockerReported:
		s := fmt.Sprintf("%s blocker on %s: %s", orText(p.Severity, "a"), tag, oneLine(p.Description))
		if p.Parks() {
			s += " · task parked"
		}
		return s, true
	case core.TaskUnassigned:
		s := "unassigned " + tag
		if e.Agent != "" {
			s += " from " + c.name(e.Agent)
		}
		s += " → backlog"
		if r := oneLine(p.Reason); r != "" {
			s += ": " + r
		}
		return s, true
	case core.LeaseRecovery:
		return recoverySentence(c, e, p, tag), true
	}
	return "", false
}

// recoverySentence tells of a lease taken back, or of the circuit breaker.
func recoverySentence(c *feedCache, e *core.Event, p core.LeaseRecovery, tag string) string {
	if e.Kind == core.EventCircuitBroken {
		return fmt.Sprintf("circuit breaker: %s blocked after %d abandoned attempts (last holder %s)", tag, p.SilentRecoveries, c.name(e.Agent))
	}
	s := "recovered " + tag + " from " + c.name(e.Agent)
	if _, silence, ok := strings.Cut(p.Reason, "silent for "); ok {
		s += " (silent " + oneLine(silence) + ")"
	} else if how, ok := strings.CutPrefix(p.Reason, "agent "); ok {
		s = "took " + tag + " back from " + c.name(e.Agent) + ", which " + oneLine(how)
	}
	if p.Progress > 0 {
		return s + fmt.Sprintf(" → backlog, handoff kept at %d%%", p.Progress)
	}
	return s + " → backlog, handoff kept"
}

// feedTask is a task's short id and, when known, its name.
func feedTask(c *feedCache, e *core.Event) string {
	if e.Task == "" {
		return ""
	}
	name := payloadTaskName(e.Payload)
	if t, ok := c.snap.Task(e.Task); ok {
		name = t.Name
	}
	if name == "" {
		return taskShortID(e.Task)
	}
	return taskShortID(e.Task) + " " + oneLine(name)
}

// payloadTaskName is the task name an event's payload carries, if any.
func payloadTaskName(p core.Payload) string {
	switch p := p.(type) {
	case core.TaskClaimed:
		return p.Name
	case core.TaskAdded:
		return p.Name
	case core.TaskEdited:
		return p.Name
	}
	return ""
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
