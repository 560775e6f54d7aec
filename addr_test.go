package main

import (
	"context"
	"errors"
	"net"
	"testing"

	"marcus/core"
)

// A listen on a taken address is told apart by its error, not its text,
// also when the MCP server wrapped it.
func TestIsAddrInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, err = (&net.ListenConfig{}).Listen(context.Background(), "tcp", taken.Addr().String())
	if err == nil {
		t.Fatal("a second listen on a taken address succeeded")
	}
	wrapped := core.Wrap(core.ErrUnavailable, err, "cannot listen on %s", taken.Addr())
	if !isAddrInUse(err) || !isAddrInUse(wrapped) {
		t.Errorf("isAddrInUse(%v) = false", wrapped)
	}
	for _, other := range []error{nil, errors.New("address already in use"), core.Errorf(core.ErrUnavailable, "down")} {
		if isAddrInUse(other) {
			t.Errorf("isAddrInUse(%v) = true", other)
		}
	}
}
