package mcp

import (
	"context"
	"strings"
	"time"

	"marcus/core"
)

func (h *handlers) historyTools() []tool {
	opt := func(name, desc string) param { return param{name, "string", desc, false, nil} }
	return []tool{
		{"query_project_history", "What a project did, from its event log: summary, tasks, blocked_tasks, task_dependencies, decisions, artifacts, agent_history, agent_metrics, timeline or conversations, filtered.",
			[]param{{"project_id", "string", "project id or name", true, nil},
				{"query_type", "string", "summary, tasks, blocked_tasks, task_dependencies, decisions, artifacts, agent_history, agent_metrics, timeline or conversations", true, historyQueries},
				opt("status", "tasks: todo, in_progress, completed (or done) or blocked"),
				opt("agent_id", "tasks, decisions, artifacts, timeline, conversations: by this agent; agent_history, agent_metrics: required"),
				opt("task_id", "decisions, artifacts, timeline, conversations: on this task; task_dependencies: required"),
				opt("artifact_type", "artifacts: of this type"),
				opt("affecting_task_id", "decisions: those made on the tasks this task depends on"),
				opt("event_type", "timeline: events of this kind, e.g. task_completed"),
				opt("keyword", "conversations: messages containing this text"),
				opt("start_time", "tasks, timeline: from this ISO time"),
				opt("end_time", "tasks, timeline: up to this ISO time"),
				{"limit", "integer", "lists: at most this many items (1 to 10000, the default)", false, nil},
				{"offset", "integer", "lists: skip this many items first (default 0)", false, nil}},
			h.queryProjectHistory},
		{"list_project_history_files", "Every project with recorded history: whether it has decisions and artifacts, how many, and when it last changed.",
			nil, h.listProjectHistory},
	}
}

var historyQueries = []string{"summary", "tasks", "blocked_tasks", "task_dependencies", "decisions", "artifacts",
	"agent_history", "agent_metrics", "timeline", "conversations"}

// historyFilter is a query's optional arguments.
type historyFilter struct {
	status, agent, task, artifactType, affecting, eventType, keyword string
	from, to                                                         time.Time
}

func (h *handlers) queryProjectHistory(ctx context.Context, a args) (any, error) {
	v, err := a.strs("project_id", "query_type", "status", "agent_id", "task_id", "artifact_type",
		"affecting_task_id", "event_type", "keyword")
	if err != nil {
		return nil, err
	}
	f := historyFilter{status: v[2], agent: v[3], task: v[4], artifactType: v[5], affecting: v[6], eventType: v[7], keyword: v[8]}
	if f.from, err = timeArg(a, "start_time"); err != nil {
		return nil, err
	}
	if f.to, err = timeArg(a, "end_time"); err != nil {
		return nil, err
	}
	pg, err := pageArgs(a)
	if err != nil {
		return nil, err
	}
	hist, err := h.c.ProjectHistory(ctx, core.ProjectID(v[0]))
	if err != nil {
		return nil, err
	}
	data, err := answerHistory(newHistoryView(hist), v[1], f, pg)
	if err != nil {
		return nil, err
	}
	out := historyResult{Success: true, ProjectID: hist.Project.ID, QueryType: v[1], Data: data}
	if l, ok := data.(historyList); ok {
		out.Data, out.Count = l.items, &l.count
		out.Pagination = &historyPagination{Limit: pg.limit, Offset: pg.offset, Total: l.total}
	}
	return out, nil
}

// maxHistoryPage is the most items one answer lists, and the default, as
// in Marcus.
const maxHistoryPage = 10000

// historyPage is Marcus's pagination of a list answer.
type historyPage struct{ limit, offset int }

// pageArgs reads limit (1 or more; past maxHistoryPage it is cut to it, as
// Marcus does) and offset (0 or more).
func pageArgs(a args) (historyPage, error) {
	limit, err := a.integer("limit", maxHistoryPage)
	if err != nil {
		return historyPage{}, err
	}
	if limit < 1 {
		return historyPage{}, core.Errorf(core.ErrInvalid, "limit must be a positive whole number (at most %d), got %d", maxHistoryPage, limit)
	}
	offset, err := a.integer("offset", 0)
	if err != nil {
		return historyPage{}, err
	}
	if offset < 0 {
		return historyPage{}, core.Errorf(core.ErrInvalid, "offset must be 0 or more, got %d", offset)
	}
	return historyPage{limit: min(limit, maxHistoryPage), offset: offset}, nil
}

// historyList is one page of a list answer: its items, how many, and how
// many matched before paging.
type historyList struct {
	items        any
	count, total int
}

func pageOf[T any](all []T, p historyPage) historyList {
	start := min(p.offset, len(all))
	end := min(start+p.limit, len(all))
	return historyList{items: all[start:end], count: end - start, total: len(all)}
}

func timeArg(a args, name string) (time.Time, error) {
	s, err := a.str(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, core.Errorf(core.ErrInvalid, "%s %q is not a time: send ISO 8601, e.g. 2026-01-31T14:00:00Z", name, s)
}

func answerHistory(v historyView, query string, f historyFilter, pg historyPage) (any, error) {
	switch query {
	case "summary":
		return v.summary(), nil
	case "tasks":
		return pageOf(v.tasks(f), pg), nil
	case "blocked_tasks":
		return pageOf(v.blockedTasks(), pg), nil
	case "task_dependencies":
		chain, err := v.dependencyChain(f.task)
		return pageOf(chain, pg), err
	case "decisions":
		return pageOf(v.decisions(f), pg), nil
	case "artifacts":
		return pageOf(v.artifacts(f), pg), nil
	case "agent_history", "agent_metrics":
		return v.agent(f.agent, query)
	case "timeline":
		return pageOf(v.timeline(f), pg), nil
	case "conversations":
		return pageOf(v.conversations(f), pg), nil
	}
	return nil, core.Errorf(core.ErrInvalid, "query_type %q is unknown: send one of %s", query, strings.Join(historyQueries, ", "))
}

func (h *handlers) listProjectHistory(ctx context.Context, _ args) (any, error) {
	ps, err := h.c.Projects(ctx)
	if err != nil {
		return nil, err
	}
	out := historyFilesResult{Success: true, Projects: []historyFile{}}
	for _, p := range ps {
		hist, err := h.c.ProjectHistory(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if len(hist.Events) == 0 {
			continue
		}
		out.Projects = append(out.Projects, historyFile{ProjectID: p.ID, ProjectName: p.Name,
			HasDecisions: len(hist.Decisions) > 0, HasArtifacts: len(hist.Artifacts) > 0, HasSnapshot: false,
			DecisionCount: len(hist.Decisions), ArtifactCount: len(hist.Artifacts), EventCount: len(hist.Events),
			LastUpdated: hist.Events[len(hist.Events)-1].At})
	}
	out.Count = len(out.Projects)
	return out, nil
}
