package mcp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
)

// Path is where the MCP endpoint is served, as in Marcus.
const Path = "/mcp"

// DefaultAddr is Marcus's default address.
const DefaultAddr = "127.0.0.1:4298"

// DefaultMaxBody bounds a request body: an artifact may carry 1 MiB of
// content, which JSON escaping can double.
const DefaultMaxBody = 4 << 20

// HTTPHandler serves the tool registry over streamable HTTP at Path (and
// Path with a trailing slash). It
// refuses bodies over the limit and, when a token is set, requests without
// it. The SDK's DNS-rebinding protection stays on.
func HTTPHandler(c *core.Coordinator, o Options) http.Handler {
	o = o.withDefaults()
	server := NewServer(c, o)
	stream := sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return server },
		&sdk.StreamableHTTPOptions{Logger: o.Logger, SessionTimeout: 30 * time.Minute, MaxRequestBodyBytes: o.MaxBody})
	mux := http.NewServeMux()
	endpoint := limitBody(o.MaxBody, requireToken(o.Token, stream))
	// Marcus's runner always adds the slash (its server redirects /mcp to
	// /mcp/); both serve the same endpoint here, without a redirect, which
	// a client would not replay as a POST.
	mux.Handle(Path, endpoint)
	mux.Handle(Path+"/{$}", endpoint)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "marcus serves MCP at "+Path+": point your agent at http://"+r.Host+Path, http.StatusNotFound)
	})
	return mux
}

func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="marcus"`)
			http.Error(w, "missing or wrong bearer token: send Authorization: Bearer <token> (the server's --token / MARCUS_TOKEN)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			http.Error(w, fmt.Sprintf("request body is %d bytes; the limit is %d", r.ContentLength, limit), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// IsLoopback reports whether addr (host:port) binds only to loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckBind refuses to expose the server beyond loopback without a token.
func CheckBind(addr, token string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return core.Errorf(core.ErrInvalid, "address %q is not host:port, e.g. 127.0.0.1:4298", addr)
	}
	if !IsLoopback(addr) && token == "" {
		return core.Errorf(core.ErrInvalid, "refusing to serve on %s without a token: agents beyond this machine could drive the board; set --token or MARCUS_TOKEN, or bind to 127.0.0.1", addr)
	}
	return nil
}

// Serve listens on addr and serves h until ctx ends, then shuts down,
// giving requests in flight a few seconds. ready, if not nil, receives the
// bound address (useful with port 0).
func Serve(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return core.Wrap(core.ErrUnavailable, err, "cannot listen on %s (is another marcus running? pick another address with --addr)", addr)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn)}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shut)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && serr != nil {
		return serr
	}
	return err
}
