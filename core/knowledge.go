package core

import (
	"context"
	"path"
	"regexp"
	"strings"
)

// LogArtifact stores an artifact on a task. Content is limited to
// MaxArtifactBytes; a filename may not climb out of its folder.
func (c *Coordinator) LogArtifact(ctx context.Context, a Artifact) (Artifact, error) {
	if err := checkArtifact(a); err != nil {
		return Artifact{}, err
	}
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, a.Task)
		if err != nil {
			return err
		}
		if a.Agent != "" {
			if _, err := loadAgent(tx, a.Agent); err != nil {
				return err
			}
		}
		a.CreatedAt = c.clock()
		if a.ID, err = tx.InsertArtifact(a); err != nil {
			return err
		}
		_, err = tx.AppendEvent(Event{At: a.CreatedAt, Project: t.Project, Kind: EventArtifactLogged, Task: t.ID, Agent: a.Agent,
			Payload: ArtifactLogged{Type: a.Type, Bytes: len(a.Content), Filename: a.Filename}})
		return err
	})
	return a, err
}

func checkArtifact(a Artifact) error {
	clean := path.Clean(strings.ReplaceAll(a.Filename, `\`, "/"))
	switch {
	case a.Task == "":
		return Errorf(ErrInvalid, "task_id is empty: name the task the artifact belongs to")
	case strings.TrimSpace(a.Filename) == "":
		return Errorf(ErrInvalid, "filename is empty: name the artifact, e.g. api-spec.md")
	case len(a.Filename) > MaxNameLen:
		return Errorf(ErrInvalid, "filename is %d characters; the limit is %d", len(a.Filename), MaxNameLen)
	case path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../"):
		return Errorf(ErrInvalid, "filename %q leaves the artifact folder: send a relative name without ..", a.Filename)
	case len(a.Content) > MaxArtifactBytes:
		return Errorf(ErrInvalid, "artifact content is %d bytes; the limit is %d: store large files in the repository and send their location", len(a.Content), MaxArtifactBytes)
	case a.Content == "" && a.Location == "":
		return Errorf(ErrInvalid, "artifact %q has neither content nor location: send one of them", a.Filename)
	case len(a.Description) > MaxMessageLen || len(a.Location) > MaxMessageLen || len(a.Type) > MaxNameLen:
		return Errorf(ErrInvalid, "artifact description, location or type is too long")
	}
	return nil
}

// LogDecision records an architectural decision on a task, so that tasks
// depending on it follow it.
func (c *Coordinator) LogDecision(ctx context.Context, d Decision) (Decision, error) {
	switch {
	case strings.TrimSpace(d.Text) == "":
		return Decision{}, Errorf(ErrInvalid, "decision is empty: write it as \"I chose X because Y. This affects Z.\"")
	case len(d.Text) > MaxMessageLen:
		return Decision{}, Errorf(ErrInvalid, "decision is %d bytes; the limit is %d", len(d.Text), MaxMessageLen)
	}
	d.What, d.Why, d.Impact = ParseDecision(d.Text)
	err := c.store.Update(ctx, func(tx Tx) error {
		t, err := loadTask(tx, d.Task)
		if err != nil {
			return err
		}
		if _, err := loadAgent(tx, d.Agent); err != nil {
			return err
		}
		d.CreatedAt = c.clock()
		if d.ID, err = tx.InsertDecision(d); err != nil {
			return err
		}
		_, err = tx.AppendEvent(Event{At: d.CreatedAt, Project: t.Project, Kind: EventDecisionLogged, Task: t.ID, Agent: d.Agent,
			Payload: DecisionLogged{Decision: d.Text}})
		return err
	})
	return d, err
}

var decisionRE = regexp.MustCompile(`(?is)^\s*(?:i\s+)?(?:chose|decided(?:\s+to)?|picked|selected|use[ds]?)\s+(.+?)\s+because\s+(.+?)(?:\.\s*(?:this\s+)?(?:affects|impacts|means)\s+(.+?))?\.?\s*$`)

// ParseDecision splits "I chose X because Y. This affects Z." into its
// parts; text that does not follow the pattern is all What.
func ParseDecision(text string) (what, why, impact string) {
	m := decisionRE.FindStringSubmatch(text)
	if m == nil {
		return strings.TrimSpace(text), "", ""
	}
	return strings.TrimSpace(m[1]), strings.TrimSpace(m[2]), strings.TrimSpace(m[3])
}
