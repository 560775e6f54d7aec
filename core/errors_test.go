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

func TestReasonOf(t *testing.T) {
	done := Refusef(ErrConflict, ReasonAlreadyDone, "task %s is done", "t-1")
	tests := []struct {
		name string
		err  error
		want Reason
	}{
		{"refusal", done, ReasonAlreadyDone},
		{"wrapped by fmt", fmt.Errorf("report: %w", done), ReasonAlreadyDone},
		{"wrapped by a coded error without a reason", Wrap(ErrConflict, done, "planning"), ReasonAlreadyDone},
		{"the outer reason wins", &Error{Code: ErrConflict, Reason: ReasonBlocked, Err: done}, ReasonBlocked},
		{"joined", errors.Join(io.EOF, done), ReasonAlreadyDone},
		{"coded without a reason", Errorf(ErrInvalid, "bad"), ""},
		{"uncoded", io.EOF, ""},
		{"nil", nil, ""},
	}
	for _, tc := range tests {
		if got := ReasonOf(tc.err); got != tc.want {
			t.Errorf("%s: ReasonOf = %q, want %q", tc.name, got, tc.want)
		}
		for _, r := range []Reason{ReasonAlreadyDone, ReasonBlocked, ReasonNotHolder} {
			// errors.Is finds every reason in the chain, ReasonOf the first.
			if want := r == tc.want || tc.name == "the outer reason wins" && r == ReasonAlreadyDone; errors.Is(tc.err, r) != want {
				t.Errorf("%s: errors.Is(err, %s) = %v", tc.name, r, !want)
			}
		}
	}
	if errors.Is(Errorf(ErrInvalid, "bad"), Reason("")) {
		t.Error("an error without a reason matches the empty reason")
	}
	if CodeOf(done) != ErrConflict || done.Error() != "task t-1 is done" {
		t.Errorf("a refusal's code %s, text %q", CodeOf(done), done)
	}
}
