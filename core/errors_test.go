package core

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestErrorCodes(t *testing.T) {
	notFound := Errorf(ErrNotFound, "no task %q", "t-1")
	codes := []Code{ErrInvalid, ErrNotFound, ErrConflict, ErrUnavailable, ErrCorrupt, ErrInternal}
	tests := []struct {
		name string
		err  error
		code Code
		text string
	}{
		{"plain", notFound, ErrNotFound, `no task "t-1"`},
		{"wrapped by fmt", fmt.Errorf("loading: %w", notFound), ErrNotFound, `loading: no task "t-1"`},
		{"wrap with message", Wrap(ErrUnavailable, io.ErrUnexpectedEOF, "read %s", "db"), ErrUnavailable, "read db: unexpected EOF"},
		{"wrap without message", &Error{Code: ErrCorrupt, Err: io.ErrUnexpectedEOF}, ErrCorrupt, "unexpected EOF"},
		{"joined", errors.Join(io.EOF, Errorf(ErrConflict, "held")), ErrConflict, "EOF\nheld"},
	}
	for _, tc := range tests {
		if tc.err.Error() != tc.text {
			t.Errorf("%s: text %q, want %q", tc.name, tc.err, tc.text)
		}
		if got := CodeOf(tc.err); got != tc.code {
			t.Errorf("%s: CodeOf = %s, want %s", tc.name, got, tc.code)
		}
		for _, c := range codes {
			if errors.Is(tc.err, c) != (c == tc.code) {
				t.Errorf("%s: errors.Is(err, %s) = %v", tc.name, c, !(c == tc.code))
			}
		}
		if !errors.Is(tc.err, &Error{Code: tc.code}) {
			t.Errorf("%s: errors.Is against an *Error of the same code is false", tc.name)
		}
	}
}

func TestErrorUnwrap(t *testing.T) {
	err := Wrap(ErrInternal, io.ErrClosedPipe, "write")
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Error("the wrapped cause is not reachable with errors.Is")
	}
	var e *Error
	if !errors.As(fmt.Errorf("ctx: %w", err), &e) || e.Code != ErrInternal || e.Message != "write" {
		t.Errorf("errors.As gave %+v", e)
	}
	// A coded error wrapping another coded error answers to both codes;
	// CodeOf reports the outer one, the layer that classified it last.
	outer := Wrap(ErrConflict, Errorf(ErrNotFound, "gone"), "claim")
	if !errors.Is(outer, ErrConflict) || !errors.Is(outer, ErrNotFound) || CodeOf(outer) != ErrConflict {
		t.Errorf("nested codes: Is conflict %v, Is not_found %v, CodeOf %s",
			errors.Is(outer, ErrConflict), errors.Is(outer, ErrNotFound), CodeOf(outer))
	}
	if CodeOf(io.EOF) != ErrInternal {
		t.Errorf("CodeOf(an uncoded error) = %s, want internal", CodeOf(io.EOF))
	}
	if ErrNotFound.Error() != "not_found" {
		t.Errorf("ErrNotFound.Error() = %q", ErrNotFound.Error())
	}
}
