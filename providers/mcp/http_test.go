package mcp_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
	"marcus/providers/mcp"
)

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`

// post sends a JSON-RPC body to url as an MCP client would; edit may
// change the request before it goes.
func post(t *testing.T, url string, body io.Reader, edit func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp, string(b)
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", token) }
}

// headerTransport adds a header to every request.
type headerTransport struct{ key, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.key, h.value)
	return http.DefaultTransport.RoundTrip(r)
}

func TestBearerToken(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(mcp.Options{Token: "s3cret"})
	url := srv.URL + mcp.Path
	for _, tc := range []struct {
		name, header string
	}{{"none", ""}, {"wrong", "Bearer wrong"}, {"no scheme", "s3cret"}, {"longer", "Bearer s3cret2"}, {"basic", "Basic s3cret"}} {
		resp, body := post(t, url, strings.NewReader(initializeBody), bearer(tc.header))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, resp.StatusCode)
		}
		if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(body, "Authorization: Bearer") {
			t.Errorf("%s: WWW-Authenticate %q, body %q: want advice on the header", tc.name, resp.Header.Get("WWW-Authenticate"), body)
		}
	}
	resp, body := post(t, url, strings.NewReader(initializeBody), bearer("Bearer s3cret"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Mcp-Session-Id") == "" || !strings.Contains(body, `"marcus"`) {
		t.Errorf("with the token: status %d, session %q, body %q", resp.StatusCode, resp.Header.Get("Mcp-Session-Id"), body)
	}

	// The go-sdk client works with the header and fails without it.
	c := dial(t, srv, &http.Client{Transport: headerTransport{"Authorization", "Bearer s3cret"}})
	c.ok("ping", nil)
	tr := &sdk.StreamableClientTransport{Endpoint: url, MaxRetries: -1}
	if cs, err := sdk.NewClient(&sdk.Implementation{Name: "x", Version: "1"}, nil).Connect(t.Context(), tr, nil); err == nil {
		cs.Close()
		t.Error("a client without the token connected")
	}
}

// The SDK's DNS-rebinding protection is on: a page on evil.example that
// resolved to 127.0.0.1 cannot drive the board.
func TestDNSRebindingProtection(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(mcp.Options{})
	url := srv.URL + mcp.Path
	for _, host := range []string{"evil.example", "evil.example:" + port(t, srv), "localhost.evil.example"} {
		resp, _ := post(t, url, strings.NewReader(initializeBody), func(r *http.Request) { r.Host = host })
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Host %s: status %d, want 403", host, resp.StatusCode)
		}
	}
	for _, host := range []string{"localhost:" + port(t, srv), "127.0.0.1:" + port(t, srv)} {
		resp, _ := post(t, url, strings.NewReader(initializeBody), func(r *http.Request) { r.Host = host })
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Host %s: status %d, want 200", host, resp.StatusCode)
		}
	}
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	_, ids := e.plan(onePlan("big", "T"))

	srv := e.serve(mcp.Options{})
	resp, body := post(t, srv.URL+mcp.Path, bytes.NewReader(make([]byte, mcp.DefaultMaxBody+1)), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "limit") {
		t.Errorf("default limit: status %d %q, want 413", resp.StatusCode, body)
	}

	small := e.serve(mcp.Options{MaxBody: 2048})
	resp, _ = post(t, small.URL+mcp.Path, bytes.NewReader(make([]byte, 4096)), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("MaxBody 2048, 4 KiB body: status %d, want 413", resp.StatusCode)
	}
	// A body of unknown length is cut at the limit too, outside a session
	// and inside one.
	chunked := func(method string) io.Reader {
		return io.MultiReader(strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"`+method+`","params":{"x":"`),
			strings.NewReader(strings.Repeat("x", 4096)), strings.NewReader(`"}}`))
	}
	resp, _ = post(t, small.URL+mcp.Path, chunked("initialize"), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 4 KiB initialize: status %d, want 413", resp.StatusCode)
	}
	session := initialize(t, small.URL+mcp.Path)
	resp, _ = post(t, small.URL+mcp.Path, chunked("ping"), func(r *http.Request) {
		r.Header.Set("Mcp-Session-Id", session)
		r.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 4 KiB body in a session: status %d, want 413", resp.StatusCode)
	}
	// Calls under the limit still work on that server.
	c := dial(t, small, nil)
	c.ok("ping", nil)

	// A limit above the SDK's own default is honoured: a 5 MiB request
	// reaches the tool, which answers in-band.
	large := e.serve(mcp.Options{MaxBody: 8 << 20})
	c = dial(t, large, nil)
	c.ok("register_agent", args{"agent_id": "a1"})
	c.fail("log_artifact", args{"task_id": ids["T"], "filename": "big.bin", "artifact_type": "reference",
		"content": strings.Repeat("x", 5<<20)}, core.ErrInvalid, "limit")
}

// initialize opens a session with raw requests and returns its id.
func initialize(t *testing.T, url string) string {
	t.Helper()
	resp, body := post(t, url, strings.NewReader(initializeBody), nil)
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("initialize: status %d, session %q: %s", resp.StatusCode, id, body)
	}
	resp, body = post(t, url, strings.NewReader(`{"jsonrpc":"2.0","method":"notifications/initialized"}`), func(r *http.Request) {
		r.Header.Set("Mcp-Session-Id", id)
		r.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	})
	if resp.StatusCode/100 != 2 {
		t.Fatalf("initialized: status %d: %s", resp.StatusCode, body)
	}
	return id
}

func TestUnknownPathHint(t *testing.T) {
	e := newEnv(t)
	srv := e.serve(mcp.Options{Token: "tok"})
	for _, p := range []string{"/", "/sse", "/mcp/x", "/api/mcp"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "/mcp") || !strings.Contains(string(b), srv.Listener.Addr().String()) {
			t.Errorf("GET %s: status %d %q, want 404 pointing at the endpoint", p, resp.StatusCode, b)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:4298": true, "127.0.0.2:80": true, "localhost:4298": true, "LocalHost:1": true, "[::1]:4298": true,
		"0.0.0.0:4298": false, ":4298": false, "[::]:4298": false, "192.168.1.10:4298": false, "example.com:80": false,
		"127.0.0.1": false, "garbage": false, "": false,
	} {
		if got := mcp.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckBind(t *testing.T) {
	cases := []struct {
		addr, token string
		ok          bool
		want        string
	}{
		{"127.0.0.1:4298", "", true, ""},
		{"localhost:4298", "", true, ""},
		{"[::1]:4298", "", true, ""},
		{mcp.DefaultAddr, "", true, ""},
		{"0.0.0.0:4298", "", false, "token"},
		{":4298", "", false, "token"},
		{"[::]:4298", "", false, "token"},
		{"10.0.0.5:4298", "", false, "127.0.0.1"},
		{"0.0.0.0:4298", "tok", true, ""},
		{"10.0.0.5:4298", "tok", true, ""},
		{"garbage", "", false, "host:port"},
		{"garbage", "tok", false, "host:port"},
		{"127.0.0.1", "", false, "host:port"},
	}
	for _, tc := range cases {
		err := mcp.CheckBind(tc.addr, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBind(%q, %q) = %v, want ok %v", tc.addr, tc.token, err, tc.ok)
			continue
		}
		if err != nil && (core.CodeOf(err) != core.ErrInvalid || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckBind(%q, %q) = %v (%s), want invalid mentioning %q", tc.addr, tc.token, err, core.CodeOf(err), tc.want)
		}
	}
}

// Serve reports the bound address, serves until ctx ends and then returns
// nil; a taken address is an error that says what to do.
func TestServe(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- mcp.Serve(ctx, "127.0.0.1:0", mcp.HTTPHandler(e.coord, mcp.Options{}), func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("Serve ended early: %v", err)
	}
	resp, err := http.Get("http://" + addr.String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / = %d, want 404", resp.StatusCode)
	}
	err = mcp.Serve(t.Context(), addr.String(), http.NotFoundHandler(), nil)
	if core.CodeOf(err) != core.ErrUnavailable || !strings.Contains(err.Error(), "--addr") {
		t.Errorf("Serve on a taken address = %v, want unavailable with advice", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running 10 s after cancel")
	}
}
