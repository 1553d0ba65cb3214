// Package fault is kox's one domain error type: a kind that says what went
// wrong in terms a caller can act on, and the invalid fields with the reason
// for each. Drivers' errors are mapped to it in package db; the API renders it
// as RFC 9457 problem details and the web renders it in the page.
package fault

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind says what class of failure an error is.
type Kind string

const (
	Invalid         Kind = "invalid"         // the request is malformed or breaks a rule
	NotFound        Kind = "not_found"       // the object does not exist (or is not visible to the actor)
	Conflict        Kind = "conflict"        // the request conflicts with current state
	Forbidden       Kind = "forbidden"       // the actor may not do this
	LimitExceeded   Kind = "limit_exceeded"  // a capacity, stock, budget or balance limit would be passed
	Unauthenticated Kind = "unauthenticated" // no valid credentials
	Unavailable     Kind = "unavailable"     // a dependency (the database) cannot be reached
	Internal        Kind = "internal"        // a defect or an unexpected failure
)

// FieldError names one invalid field and why it is invalid.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a domain error.
type Error struct {
	Kind    Kind
	Message string
	Fields  []FieldError
	Err     error // the cause, for logs; never shown to users
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Kind))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the kind with a message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the kind that keeps err as its cause.
func Wrap(kind Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: err}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or Internal when there is none.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is a domain error of the kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Fields collects invalid fields so that a validation reports every problem at
// once rather than the first one.
type Fields []FieldError

// Add records that field is invalid for reason.
func (f *Fields) Add(field, reason string) { *f = append(*f, FieldError{field, reason}) }

// Addf records that field is invalid, with a formatted reason.
func (f *Fields) Addf(field, format string, args ...any) {
	f.Add(field, fmt.Sprintf(format, args...))
}

// Err returns nil when no field was added, else an Invalid error naming them
// all in a stable order.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	fs := append([]FieldError(nil), f...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Field < fs[j].Field })
	return &Error{Kind: Invalid, Message: "invalid input", Fields: fs}
}
