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
	return decisionResult{Success: true, DecisionID: d.ID, What: d.What, Why: d.Why, Impact: d.Impact,
		Message: "Decision logged; tasks that depend on this one will receive it"}, nil
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
	if root == "" {
		if root, err = h.defaultRoot(ctx, art.Task); err != nil {
			return nil, err
		}
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
	return artifactResult{Success: true, Data: artifactData{ArtifactID: art.ID, TaskID: art.Task, Filename: art.Filename,
		Location: art.Location, FullPath: full, ArtifactType: art.Type, IsDefaultLocation: isDefault,
		Description: art.Description, Bytes: len(art.Content)}}, nil
}

// defaultRoot is where an artifact sent without project_root is written:
// the project's workspace root if it has one, else the project's folder
// under the artifacts directory; "" (board only) when neither is set. The
// folder is made if it is missing.
//
// Under marcus run the task's worktree is the root, and a task without one
// keeps its artifact on the board only: the workspace root is then the
// person's own checkout, which marcus never writes.
func (h *handlers) defaultRoot(ctx context.Context, task core.TaskID) (string, error) {
	p, err := h.c.ProjectOfTask(ctx, task)
	if err != nil {
		return "", err
	}
	if h.c.AttachedProject(p.ID) {
		w, ok, err := h.c.TaskWorkspace(ctx, task)
		if err != nil || !ok {
			return "", err
		}
		return w.Dir, nil
	}
	root := p.WorkspaceRoot()
	if root == "" && h.o.ArtifactDir != "" {
		root = filepath.Join(h.o.ArtifactDir, string(p.ID))
	}
	if root == "" {
		return "", nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", core.Wrap(core.ErrUnavailable, err, "make the artifact folder %s (send project_root to write elsewhere)", root)
	}
	return root, nil
}

func artifactArgs(a args) (core.Artifact, string, error) {
	v, err := a.strs("task_id", "agent_id", "filename", "artifact_type", "description", "location", "project_root")
	if err != nil {
		return core.Artifact{}, "", err
	}
	art := core.Artifact{Task: core.TaskID(v[0]), Agent: core.AgentID(v[1]), Filename: v[2],
		Type: strings.ToLower(v[3]), Description: v[4], Location: v[5]}
	// Content is taken as sent: indentation and the final newline matter.
	art.Content, err = a.document("content")
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
	return projectStatusResult{Success: true,
		Project: projectInfo{ID: st.Project.ID, Name: st.Project.Name, Provider: h.c.Provider(), TotalTasks: st.Total,
			Completed: st.Counts[core.StatusDone], InProgress: st.Counts[core.StatusInProgress],
			Blocked: st.Counts[core.StatusBlocked], Todo: st.Counts[core.StatusTodo], CompletionPercentage: pct},
		Workers:           workerInfo{Total: st.Agents, Active: st.ActiveAgents, Available: st.Agents - st.ActiveAgents},
		RecommendedAgents: st.RecommendedAgents, CriticalPath: taskNames(st.CriticalPath), IsComplete: st.Complete}, nil
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
	info := agentInfo{ID: s.Agent.ID, Name: s.Agent.Name, Role: s.Agent.Role, Skills: nonNil(s.Agent.Skills),
		ProjectID: s.Agent.Project, Status: "available", CurrentTasks: []core.TaskID{},
		TotalCompleted: s.Agent.TasksDone, RegisteredAt: s.Agent.RegisteredAt, LastSeenAt: s.Agent.LastSeenAt}
	out := agentStatusResult{Success: true, Agent: info}
	if t := s.Task; t != nil {
		out.Agent.Status, out.Agent.CurrentTasks = "working", []core.TaskID{t.ID}
		out.Assignment = &assignmentOf{TaskID: t.ID, TaskName: t.Name, AssignedAt: t.Lease.ClaimedAt,
			Progress: t.Progress, LeaseExpiresAt: t.Lease.ExpiresAt, LeaseEpoch: t.Lease.Epoch}
	}
	return out, nil
}

// listProjects lists every project, or those on the given provider that
// carry all of filter_tags. A project's tags are Marcus's: the planner
// that made it, the provider, and its options as KEY=VALUE.
func (h *handlers) listProjects(ctx context.Context, a args) (any, error) {
	tags, err := a.list("filter_tags")
	if err != nil {
		return nil, err
	}
	provider, err := a.str("provider")
	if err != nil {
		return nil, err
	}
	ps, err := h.c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]projectEntry, 0, len(ps))
	for _, p := range ps {
		e, err := h.projectEntry(ctx, p)
		if err != nil {
			return nil, err
		}
		if (provider == "" || strings.EqualFold(provider, e.Provider)) && hasAll(e.Tags, tags) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (h *handlers) projectEntry(ctx context.Context, p core.Project) (projectEntry, error) {
	b, err := h.c.Board(ctx, p.ID)
	if err != nil {
		return projectEntry{}, err
	}
	last := p.CreatedAt
	for _, t := range b.Tasks {
		if t.UpdatedAt.After(last) {
			last = t.UpdatedAt
		}
	}
	prov := h.c.Provider()
	tags := []string{"planner:" + p.Planner, "provider:" + prov}
	for _, k := range sortedKeys(p.Options) {
		tags = append(tags, k+"="+p.Options[k])
	}
	done := b.Counts[core.StatusDone]
	return projectEntry{ID: p.ID, Name: p.Name, Description: p.Description, Provider: prov,
		ProviderConfig: providerConfig{ProjectID: p.ID, BoardID: p.ID, ProjectRoot: p.WorkspaceRoot(), WorkspaceRoot: p.WorkspaceRoot()},
		Tags:           tags, CreatedAt: p.CreatedAt, LastUsed: last, TotalTasks: len(b.Tasks), Completed: done,
		IsActive: len(b.Tasks) == 0 || done < len(b.Tasks)}, nil
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || strings.EqualFold(h, w)
		}
		if !found {
			return false
		}
	}
	return true
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
