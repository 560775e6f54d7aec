package core

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every layer can react to it without
// reading its text. Adapters translate their own errors into these once.
type Code string

// Error codes.
const (
	// ErrInvalid: the caller sent something wrong; the message says what to send.
	ErrInvalid Code = "invalid"
	// ErrNotFound: the named project, task or agent does not exist.
	ErrNotFound Code = "not_found"
	// ErrConflict: the request clashes with the board's state (the task is
	// held by another agent, already done, the lease was taken back).
	ErrConflict Code = "conflict"
	// ErrUnavailable: the store cannot serve now (locked by another process,
	// disk full); retrying later may work.
	ErrUnavailable Code = "unavailable"
	// ErrCorrupt: the database is damaged or is not a marcus database.
	ErrCorrupt Code = "corrupt"
	// ErrInternal: a bug or an unexpected failure.
	ErrInternal Code = "internal"
)

// Error is marcus's one error type. Message is written for the person or
// agent who has to act on it.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, core.ErrNotFound) match by code.
func (e *Error) Is(target error) bool {
	var c Code
	switch t := target.(type) {
	case Code:
		c = t
	case *Error:
		c = t.Code
	default:
		return false
	}
	return e.Code == c
}

// Error makes a Code usable as an errors.Is target.
func (c Code) Error() string { return string(c) }

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and a message to an underlying error.
func Wrap(code Code, err error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of err, or ErrInternal when it carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}
