package mcp

import (
	"context"
	"errors"
	"io"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"marcus/core"
)

// ServeStdio serves the same registry over standard input and output until
// the client disconnects or ctx ends. Nothing else may write to stdout.
func ServeStdio(ctx context.Context, c *core.Coordinator, o Options) error {
	return ServeTransport(ctx, c, o, &sdk.StdioTransport{})
}

// ServeTransport serves the registry over any MCP transport.
func ServeTransport(ctx context.Context, c *core.Coordinator, o Options, t sdk.Transport) error {
	err := NewServer(c, o).Run(ctx, t)
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
