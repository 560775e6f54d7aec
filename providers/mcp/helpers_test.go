package mcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/mcp"
	"marcus/store/sqlite"
	"marcus/store/storetest"
)

// env is one SQLite database in t.TempDir() with a coordinator over it.
type env struct {
	t     *testing.T
	store *sqlite.Store
	coord *core.Coordinator
}

func newEnv(t *testing.T, opts ...core.Option) *env {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "marcus.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return &env{t: t, store: s, coord: core.NewCoordinator(s, opts...)}
}

// clockEnv is an env on a fake clock that starts at the wall clock's
// second, with short leases.
func clockEnv(t *testing.T) (*env, *storetest.Clock) {
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	return newEnv(t, core.WithClock(clock.Now), core.WithLeasePolicy(core.DefaultLeasePolicy.Scaled(0.01))), clock
}

// serve starts the HTTP handler on 127.0.0.1; it stops when the test ends.
func (e *env) serve(o mcp.Options) *httptest.Server {
	e.t.Helper()
	srv := httptest.NewServer(mcp.HTTPHandler(e.coord, o))
	e.t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// plan imports a plan and returns its project and task ids by name.
func (e *env) plan(p core.Plan) (core.Project, map[string]core.TaskID) {
	e.t.Helper()
	proj, tasks, err := e.coord.ImportPlan(e.t.Context(), p)
	if err != nil {
		e.t.Fatalf("import plan %q: %v", p.Name, err)
	}
	ids := map[string]core.TaskID{}
	for _, t := range tasks {
		ids[t.Name] = t.ID
	}
	return proj, ids
}

// task reads a task from the store.
func (e *env) task(id core.TaskID) core.Task {
	e.t.Helper()
	var out core.Task
	err := e.store.View(e.t.Context(), func(tx core.ReadTx) error {
		var err error
		out, err = tx.Task(id)
		return err
	})
	if err != nil {
		e.t.Fatalf("read task %s: %v", id, err)
	}
	return out
}

// artifacts lists what the store holds for a task.
func (e *env) artifacts(id core.TaskID) []core.Artifact {
	e.t.Helper()
	var out []core.Artifact
	err := e.store.View(e.t.Context(), func(tx core.ReadTx) error {
		var err error
		out, err = tx.Artifacts([]core.TaskID{id})
		return err
	})
	if err != nil {
		e.t.Fatalf("read artifacts of %s: %v", id, err)
	}
	return out
}

func (e *env) lastEvent() int64 {
	e.t.Helper()
	var id int64
	err := e.store.View(e.t.Context(), func(tx core.ReadTx) error {
		var err error
		id, err = tx.LastEventID()
		return err
	})
	if err != nil {
		e.t.Fatalf("read last event: %v", err)
	}
	return id
}

// client is one agent's MCP session.
type client struct {
	t  *testing.T
	cs *sdk.ClientSession
}

// on returns the same session reporting to t, for subtests.
func (c *client) on(t *testing.T) *client { return &client{t: t, cs: c.cs} }

// dial connects a go-sdk client to srv over streamable HTTP.
func dial(t *testing.T, srv *httptest.Server, hc *http.Client) *client {
	t.Helper()
	tr := &sdk.StreamableClientTransport{Endpoint: srv.URL + mcp.Path, HTTPClient: hc}
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test-agent", Version: "1"}, nil).Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatalf("connect to %s: %v", srv.URL, err)
	}
	t.Cleanup(func() { cs.Close() })
	return &client{t: t, cs: cs}
}

// dialMem serves the registry over in-memory transports, as stdio does,
// and connects a client to it. done receives ServeTransport's result.
func dialMem(t *testing.T, c *core.Coordinator, o mcp.Options) (cl *client, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ct, st := sdk.NewInMemoryTransports()
	errc := make(chan error, 1)
	go func() { errc <- mcp.ServeTransport(ctx, c, o, st) }()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test-agent", Version: "1"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		cancel()
		t.Fatalf("connect in memory: %v", err)
	}
	t.Cleanup(func() {
		cs.Close()
		cancel()
	})
	return &client{t: t, cs: cs}, errc
}

// call calls a tool and returns its result value. It fails the test on a
// protocol error, on isError, and when the JSON text and
// structuredContent.result disagree.
func (c *client) call(name string, args any) any {
	c.t.Helper()
	res, err := c.cs.CallTool(c.t.Context(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		c.t.Fatalf("%s(%s): protocol error %v; want an in-band result", name, brief(args), err)
	}
	return resultValue(c.t, name, res)
}

func resultValue(t *testing.T, name string, res *sdk.CallToolResult) any {
	t.Helper()
	v, err := decodeResult(res)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// decodeResult checks the shape of a tool result and returns its value.
func decodeResult(res *sdk.CallToolResult) (any, error) {
	if res.IsError {
		return nil, fmt.Errorf("isError is set; failures must be in-band")
	}
	if len(res.Content) != 1 {
		return nil, fmt.Errorf("%d content items, want one text item", len(res.Content))
	}
	text, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		return nil, fmt.Errorf("content is %T, want text", res.Content[0])
	}
	var fromText any
	if err := json.Unmarshal([]byte(text.Text), &fromText); err != nil {
		return nil, fmt.Errorf("text content is not JSON: %v\n%s", err, brief(text.Text))
	}
	sc, ok := res.StructuredContent.(map[string]any)
	if !ok || len(sc) != 1 {
		return nil, fmt.Errorf("structuredContent is %s, want an object with only result", brief(res.StructuredContent))
	}
	b, err := json.Marshal(sc["result"])
	if err != nil {
		return nil, err
	}
	var fromStruct any
	if err := json.Unmarshal(b, &fromStruct); err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(fromText, fromStruct) {
		return nil, fmt.Errorf("text and structuredContent.result differ:\ntext:   %s\nstruct: %s", brief(fromText), brief(fromStruct))
	}
	return fromText, nil
}

// obj calls a tool whose result is an object.
func (c *client) obj(name string, args any) map[string]any {
	c.t.Helper()
	v := c.call(name, args)
	m, ok := v.(map[string]any)
	if !ok {
		c.t.Fatalf("%s: result is %T, want an object: %v", name, v, v)
	}
	return m
}

// ok calls a tool and expects success true.
func (c *client) ok(name string, args any) map[string]any {
	c.t.Helper()
	m := c.obj(name, args)
	if m["success"] != true {
		c.t.Fatalf("%s(%s): success = %v, want true: %s", name, brief(args), m["success"], brief(m))
	}
	return m
}

// fail calls a tool and expects an in-band failure: success false, an
// error and an error code. The error must contain every want (case
// insensitive).
func (c *client) fail(name string, args any, code core.Code, want ...string) map[string]any {
	c.t.Helper()
	m := c.obj(name, args)
	if m["success"] != false {
		c.t.Fatalf("%s(%s): success = %v, want false: %s", name, brief(args), m["success"], brief(m))
	}
	msg, _ := m["error"].(string)
	if msg == "" {
		c.t.Fatalf("%s(%s): no error text: %s", name, brief(args), brief(m))
	}
	if code != "" && m["error_code"] != string(code) {
		c.t.Errorf("%s(%s): error_code = %v, want %s (error %q)", name, brief(args), m["error_code"], code, msg)
	}
	for _, w := range want {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
			c.t.Errorf("%s(%s): error %q does not mention %q", name, brief(args), msg, w)
		}
	}
	return m
}

// brief formats v for a failure message, cut short.
func brief(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// args is shorthand for tool arguments.
type args = map[string]any

// str reads a string field of a result.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// num reads a number field of a result.
func num(m map[string]any, key string) float64 {
	f, _ := m[key].(float64)
	return f
}

// sub reads an object field of a result.
func sub(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object: %v", key, m[key], m)
	}
	return o
}

// list reads an array field of a result.
func list(t *testing.T, m map[string]any, key string) []any {
	t.Helper()
	l, ok := m[key].([]any)
	if !ok {
		t.Fatalf("%s is %T, want an array: %v", key, m[key], m)
	}
	return l
}

// pt is a plan task.
func pt(name string, after ...string) core.PlanTask { return core.PlanTask{Name: name, After: after} }

// onePlan is a plan of independent tasks.
func onePlan(name string, tasks ...string) core.Plan {
	p := core.Plan{Name: name}
	for _, t := range tasks {
		p.Tasks = append(p.Tasks, pt(t))
	}
	return p
}
