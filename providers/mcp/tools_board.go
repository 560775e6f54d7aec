package mcp

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"

	"marcus/core"
)

func (h *handlers) logDecision(ctx context.Context, a args) (any, error) {
	v, err := a.strs("agent_id", "task_id", "decision")
	if err != nil {
		return nil, err
	}
	d, err := h.c.LogDecision(ctx, core.Decision{Agent: core.AgentID(v[0]), Task: core.TaskID(v[1]), Text: v[2]})
	if err != nil {
		return nil, err
	}
	return obj{"success": true, "decision_id": d.ID, "what": d.What, "why": d.Why, "impact": d.Impact,
		"message": "Decision logged; tasks that depend on this one will receive it"}, nil
}

// artifactFolders maps artifact types to folders under the project root,
// as Marcus lays them out.
var artifactFolders = map[string]string{
	"specification": "docs/specifications", "api": "docs/api", "design": "docs/design",
	"architecture": "docs/architecture", "documentation": "docs", "reference": "docs/references",
	"temporary": "tmp/artifacts",
}

func (h *handlers) logArtifact(ctx context.Context, a args) (any, error) {
	art, root, err := artifactArgs(a)
	if err != nil {
		return nil, err
	}
	isDefault := art.Location == ""
	if isDefault {
		art.Location = filepath.ToSlash(filepath.Join(folderFor(art.Type), art.Filename))
	}
	var full string
	if root != "" {
		if full, err = resolveInRoot(root, art.Location); err != nil {
			return nil, err
		}
	}
	// The store comes first: a file written for a refused artifact would
	// be a change the board does not know about.
	if art, err = h.c.LogArtifact(ctx, art); err != nil {
		return nil, err
	}
	if full != "" {
		if full, err = writeArtifact(root, art.Location, art.Content); err != nil {
			return nil, err
		}
	}
	return obj{"success": true, "data": obj{"artifact_id": art.ID, "task_id": art.Task, "filename": art.Filename,
		"location": art.Location, "full_path": full, "artifact_type": art.Type, "is_default_location": isDefault,
		"description": art.Description, "bytes": len(art.Content)}}, nil
}

func artifactArgs(a args) (core.Artifact, string, error) {
	v, err := a.strs("task_id", "agent_id", "filename", "artifact_type", "description", "location", "project_root")
	if err != nil {
		return core.Artifact{}, "", err
	}
	art := core.Artifact{Task: core.TaskID(v[0]), Agent: core.AgentID(v[1]), Filename: v[2],
		Type: strings.ToLower(v[3]), Description: v[4], Location: v[5]}
	// Content is taken as sent: indentation and the final newline matter.
	art.Content, err = a.text("content")
	return art, v[6], err
}

func folderFor(kind string) string {
	if f, ok := artifactFolders[kind]; ok {
		return f
	}
	return "docs/artifacts"
}

// resolveInRoot joins a relative location to an absolute, existing project
// root and refuses anything that would land outside it, symlinks included.
func resolveInRoot(root, location string) (string, error) {
	if !filepath.IsAbs(root) {
		return "", core.Errorf(core.ErrInvalid, "project_root %q must be an absolute path", root)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return "", core.Errorf(core.ErrInvalid, "project_root %q is not an existing directory", root)
	}
	if filepath.IsAbs(location) || filepath.VolumeName(location) != "" {
		return "", core.Errorf(core.ErrInvalid, "location %q must be relative to project_root", location)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", core.Wrap(core.ErrInvalid, err, "project_root %q", root)
	}
	full := filepath.Join(realRoot, filepath.FromSlash(location))
	if !inside(realRoot, full) {
		return "", core.Errorf(core.ErrInvalid, "location %q resolves outside project_root: send a path inside the project", location)
	}
	if parent, err := filepath.EvalSymlinks(existingAncestor(filepath.Dir(full))); err != nil || !inside(realRoot, parent) {
		return "", core.Errorf(core.ErrInvalid, "location %q resolves outside project_root through a link", location)
	}
	// Checked here too, not only when writing, so that a refused location
	// leaves nothing on the board either.
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", core.Errorf(core.ErrInvalid, "location %q is a symbolic link; marcus will not write through it: send another location", location)
	} else if err == nil && fi.IsDir() {
		return "", core.Errorf(core.ErrInvalid, "location %q is a directory: send the file's path, folder and file name", location)
	}
	return full, nil
}

func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func existingAncestor(dir string) string {
	for {
		if _, err := os.Lstat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

// writeArtifact writes content at location under root. The place is
// checked again once its folder exists (a folder may have been replaced by
// a link meanwhile), and the content goes to a new temporary file of
// marcus's own, created exclusively, then renamed into place: a link
// planted where the temporary file would go is never followed.
func writeArtifact(root, location, content string) (string, error) {
	const stored = " (the artifact is stored on the board)"
	full, err := resolveInRoot(root, location)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", core.Wrap(core.ErrUnavailable, err, "create the artifact's folder"+stored)
	}
	if full, err = resolveInRoot(root, location); err != nil {
		return "", err
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", core.Errorf(core.ErrInvalid, "%s is a symbolic link; marcus will not write through it", full)
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".marcus-artifact-*")
	if err != nil {
		return "", core.Wrap(core.ErrUnavailable, err, "write the artifact file"+stored)
	}
	_, werr := tmp.WriteString(content)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), full)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", core.Wrap(core.ErrUnavailable, werr, "write the artifact file"+stored)
	}
	return full, nil
}

// statusOf loads the status of the project named by the project_id
// argument (the newest when none is given).
func (h *handlers) statusOf(ctx context.Context, a args) (core.ProjectStatus, error) {
	ref, err := a.str("project_id")
	if err != nil {
		return core.ProjectStatus{}, err
	}
	return h.c.ProjectStatus(ctx, core.ProjectID(ref))
}

func (h *handlers) getProjectStatus(ctx context.Context, a args) (any, error) {
	st, err := h.statusOf(ctx, a)
	if err != nil {
		return nil, err
	}
	pct := 0.0
	if st.Total > 0 {
		pct = math.Round(float64(st.Counts[core.StatusDone])*1000/float64(st.Total)) / 10
	}
	return obj{"success": true,
		"project": obj{"id": st.Project.ID, "name": st.Project.Name, "provider": "sqlite", "total_tasks": st.Total,
			"completed": st.Counts[core.StatusDone], "in_progress": st.Counts[core.StatusInProgress],
			"blocked": st.Counts[core.StatusBlocked], "todo": st.Counts[core.StatusTodo], "completion_percentage": pct},
		"workers":            obj{"total": st.Agents, "active": st.ActiveAgents, "available": st.Agents - st.ActiveAgents},
		"recommended_agents": st.RecommendedAgents, "critical_path": taskNames(st.CriticalPath),
		"is_complete": st.Complete}, nil
}

func taskNames(ts []core.Task) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func (h *handlers) getAgentStatus(ctx context.Context, a args) (any, error) {
	id, err := a.str("agent_id")
	if err != nil {
		return nil, err
	}
	s, err := h.c.AgentStatus(ctx, core.AgentID(id))
	if err != nil {
		return nil, err
	}
	status, current := "available", []core.TaskID{}
	if s.Task != nil {
		status, current = "working", []core.TaskID{s.Task.ID}
	}
	out := obj{"success": true, "agent": obj{"id": s.Agent.ID, "name": s.Agent.Name, "role": s.Agent.Role,
		"skills": nonNil(s.Agent.Skills), "project_id": s.Agent.Project, "status": status, "current_tasks": current,
		"total_completed": s.Agent.TasksDone, "registered_at": s.Agent.RegisteredAt, "last_seen_at": s.Agent.LastSeenAt}}
	if s.Task != nil {
		out["current_assignment"] = obj{"task_id": s.Task.ID, "task_name": s.Task.Name, "assigned_at": s.Task.Lease.ClaimedAt,
			"progress": s.Task.Progress, "lease_expires_at": s.Task.Lease.ExpiresAt, "lease_epoch": s.Task.Lease.Epoch}
	}
	return out, nil
}

func (h *handlers) listProjects(ctx context.Context, _ args) (any, error) {
	ps, err := h.c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]obj, 0, len(ps))
	for _, p := range ps {
		st, err := h.c.ProjectStatus(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, obj{"id": p.ID, "name": p.Name, "description": p.Description, "provider": "sqlite",
			"created_at": p.CreatedAt, "total_tasks": st.Total, "completed": st.Counts[core.StatusDone],
			"is_active": !st.Complete})
	}
	return out, nil
}

func (h *handlers) getOptimalAgentCount(ctx context.Context, a args) (any, error) {
	// One snapshot serves the status and the sum of open work.
	ref, err := a.str("project_id")
	if err != nil {
		return nil, err
	}
	b, err := h.c.Board(ctx, core.ProjectID(ref))
	if err != nil {
		return nil, err
	}
	st, err := core.Status(b)
	if err != nil {
		return nil, err
	}
	open := st.Total - st.Counts[core.StatusDone]
	if open == 0 {
		return obj{"success": true, "message": "No open tasks to schedule", "optimal_agents": 0,
			"critical_path_hours": 0.0, "total_tasks": st.Total}, nil
	}
	work := 0
	for _, t := range b.Tasks {
		if t.Status != core.StatusDone {
			work += t.Estimate()
		}
	}
	crit := float64(st.CriticalMinutes) / 60
	out := obj{"success": true, "optimal_agents": st.RecommendedAgents, "max_parallelism": st.RecommendedAgents,
		"critical_path_hours": round1(crit), "estimated_completion_hours": round1(crit),
		"single_agent_hours": round1(float64(work) / 60), "total_tasks": open,
		"efficiency_gain_percent": round1(100 * (1 - crit*60/float64(max(work, 1))))}
	include, err := a.boolean("include_details")
	if err != nil {
		return nil, err
	}
	if include {
		out["critical_path"] = taskNames(st.CriticalPath)
	}
	return out, nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
