// Package mcp is marcus's agent-facing server: one registry of tools, served
// over streamable HTTP and over stdio, wire-compatible with Marcus. Every
// tool calls core.Coordinator; nothing here keeps state of its own.
package mcp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/core/plan"
)

// Options configure the server. The zero value works.
type Options struct {
	// Token, when set, must arrive as "Authorization: Bearer <token>" on
	// every HTTP request.
	Token string
	// MaxBody bounds HTTP request bodies; default DefaultMaxBody.
	MaxBody int64
	// Logger receives server logs; default: discard.
	Logger *slog.Logger
	// Version is reported in serverInfo; default: the build's.
	Version string
	// CallTimeout bounds one tool call; default 30 s.
	CallTimeout time.Duration
	// Planner returns the planner create_project and add_feature use: the
	// one named ("offline", "anthropic", "openai"), or the configured one
	// for "". Nil: those tools answer that planning is not set up here.
	Planner func(name string) (core.Planner, error)
	// Plans is the planning service those tools store through; nil, like
	// a nil Planner, turns them off.
	Plans *plan.Service
	// PlanConcurrency bounds a creation's concurrent feature calls
	// (0: plan.DefaultConcurrency).
	PlanConcurrency int
	// PlanTimeout bounds create_project and add_feature, which wait for a
	// model; default 10 minutes.
	PlanTimeout time.Duration
	// ArtifactDir is where log_artifact writes files when neither the
	// call nor the project names a root: ArtifactDir/<project id>/<location>.
	// Empty: such artifacts are kept on the board only.
	ArtifactDir string
}

func (o Options) withDefaults() Options {
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Version == "" {
		o.Version = buildVersion()
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 30 * time.Second
	}
	if o.PlanTimeout <= 0 {
		o.PlanTimeout = 10 * time.Minute
	}
	return o
}

func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "dev"
}

// instructions tell a connecting agent how to work the board.
const instructions = `marcus coordinates agents through a shared board. Loop: register_agent once,
then request_next_task; work the task, calling report_task_progress at 25, 50, 75 %
and status "completed" at the end (silence past the lease hands your task to another
agent); log_decision for choices others must follow, log_artifact for specs and docs;
when no task is returned, wait retry_after_seconds and ask again; stop when
should_exit is true.`

// NewServer builds the MCP server with every tool of the registry.
func NewServer(c *core.Coordinator, o Options) *sdk.Server {
	o = o.withDefaults()
	s := sdk.NewServer(&sdk.Implementation{Name: "marcus", Title: "marcus", Version: o.Version},
		&sdk.ServerOptions{Instructions: instructions, Logger: o.Logger})
	h := &handlers{c: c, o: o}
	for _, t := range h.registry() {
		s.AddTool(t.sdkTool(), h.wrap(t))
	}
	return s
}

// tool is one entry of the registry: what agents see and what runs.
type tool struct {
	name, description string
	params            []param
	call              func(ctx context.Context, a args) (any, error)
}

// planningTools wait for a model: they get PlanTimeout, not CallTimeout.
var planningTools = map[string]bool{"create_project": true, "add_feature": true}

// objectFields describe the fields of object arguments, by tool and
// argument, for the input schema.
var objectFields = map[string][]param{
	"create_project.options": {
		{"planner", "string", "offline (default: the server's llm.provider), anthropic or openai", false, []string{"offline", "anthropic", "openai"}},
		{"complexity", "string", "prototype, standard (default) or enterprise", false, []string{"prototype", "standard", "enterprise"}},
		{"max_tasks", "integer", "at most this many tasks; larger plans are merged", false, nil},
		{"team_size", "integer", "how many agents will work on it, 1-1000", false, nil},
		{"tech_stack", "array", "technologies to use; passed to the planner", false, nil},
		{"deadline", "string", "YYYY-MM-DD; kept with the project", false, nil},
		{"deployment", "string", "none, internal or production; kept with the project", false, []string{"none", "internal", "production"}},
		{"project_root", "string", "absolute path of the project's workspace: where agents work and artifacts are written", false, nil},
		{"project_info_path", "string", "absolute path where marcus writes Marcus's project_info.json once the project is stored", false, nil},
		{"tags", "array", "labels kept with the project (a list, or an object of strings)", false, nil},
	},
}

// param describes one argument for the input schema and for validation.
type param struct {
	name, kind, description string // kind: string, integer, boolean, array, object
	required                bool
	enum                    []string
}

func (t tool) sdkTool() *sdk.Tool {
	props := map[string]any{}
	var required []string
	for _, p := range t.params {
		s := map[string]any{"type": schemaType(p.kind), "description": p.description}
		if p.kind == "array" {
			s["items"] = map[string]any{"type": "string"}
		}
		if len(p.enum) > 0 {
			s["enum"] = p.enum
		}
		if fields, ok := objectFields[t.name+"."+p.name]; ok {
			sub := map[string]any{}
			for _, f := range fields {
				fs := map[string]any{"type": schemaType(f.kind), "description": f.description}
				if f.kind == "array" {
					fs["items"] = map[string]any{"type": "string"}
				}
				if len(f.enum) > 0 {
					fs["enum"] = f.enum
				}
				sub[f.name] = fs
			}
			s["properties"] = sub
		}
		props[p.name] = s
		if p.required {
			required = append(required, p.name)
		}
	}
	schema := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		schema["required"] = required
	}
	return &sdk.Tool{Name: t.name, Description: t.description, InputSchema: schema}
}

// schemaType is a JSON Schema type: one name, or several ("string|object")
// for an argument that takes any of them.
func schemaType(kind string) any {
	if strings.Contains(kind, "|") {
		return strings.Split(kind, "|")
	}
	return kind
}

// wrap turns a registry entry into an SDK handler. Every outcome, failures
// included, is a result an agent can read: {"success": false, "error": ...}
// with advice, never a protocol error, a hang or a stack trace.
func (h *handlers) wrap(t tool) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (res *sdk.CallToolResult, err error) {
		timeout := h.o.CallTimeout
		if planningTools[t.name] {
			timeout = h.o.PlanTimeout
		}
		if t.name == "report_task_progress" {
			timeout += h.c.GateTimeout() // a completion may wait for the gate
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		start := time.Now()
		defer func() {
			if r := recover(); r != nil {
				h.o.Logger.Error("tool panicked", "tool", t.name, "panic", r, "stack", string(debug.Stack()))
				res, err = toResult(failure(core.Errorf(core.ErrInternal, "marcus hit an internal error in %s; it was logged. Try again, and report it if it repeats", t.name)), nil), nil
			}
		}()
		a, warnings, perr := parseArgs(t, req.Params.Arguments)
		var out any
		if perr != nil {
			out = failure(perr)
		} else if out, perr = t.call(ctx, a); perr != nil {
			out = failure(perr)
		}
		h.o.Logger.Debug("tool call", "tool", t.name, "ms", time.Since(start).Milliseconds(), "error", perr, "warnings", warnings)
		return toResult(out, warnings), nil
	}
}

// toResult sends v both as JSON text (what an LLM reads) and as structured
// content under "result", as Marcus's server does, with the warnings about
// the arguments added to an object result.
func toResult(v any, warnings []string) *sdk.CallToolResult {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(failure(core.Wrap(core.ErrInternal, err, "encode the result")))
	}
	b = withWarnings(b, warnings)
	return &sdk.CallToolResult{
		Content:           []sdk.Content{&sdk.TextContent{Text: string(b)}},
		StructuredContent: map[string]json.RawMessage{"result": b},
	}
}

type handlers struct {
	c *core.Coordinator
	o Options
}
