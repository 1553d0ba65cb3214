// Package fault is kox's one domain error type: a kind that says what went
// wrong in terms a caller can act on, a stable code with named parameters
// that a face translates (task.full {capacity}), and the invalid fields, each
// with its own code and reason. Drivers' errors are mapped to it in package
// db; the API renders it as RFC 9457 problem details carrying the code, and
// the web renders the same code in the reader's language.
//
// Messages are English templates whose {name} placeholders are filled from
// the parameters; a catalog in another language uses the same placeholders.
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
	TooManyRequests Kind = "too_many"        // the caller must slow down
	Unavailable     Kind = "unavailable"     // a dependency (the database) cannot be reached
	Internal        Kind = "internal"        // a defect or an unexpected failure
)

// P holds an error's named parameters.
type P map[string]any

// FieldError names one invalid field, why (a code with its parameters) and
// the English reason.
type FieldError struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Params P      `json:"params,omitempty"`
	Reason string `json:"reason"`
}

// Error is a domain error.
type Error struct {
	Kind    Kind
	Code    string // stable, dotted: task.full
	Params  P
	Message string // the English text, parameters filled in
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

// New returns an error of the kind with a code and an English message
// template; p, when given, fills its {name} placeholders.
func New(kind Kind, code, msg string, p ...P) *Error {
	params := merge(p)
	return &Error{Kind: kind, Code: code, Params: params, Message: Render(msg, params)}
}

// Wrap is New that keeps err as its cause.
func Wrap(kind Kind, err error, code, msg string, p ...P) *Error {
	e := New(kind, code, msg, p...)
	e.Err = err
	return e
}

func merge(ps []P) P {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) == 1 {
		return ps[0]
	}
	out := P{}
	for _, p := range ps {
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}

// Render fills the {name} placeholders of a template from p; a placeholder
// with no parameter stays as written.
func Render(tmpl string, p P) string {
	if len(p) == 0 || !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		name := tmpl[i+1 : i+j]
		v, ok := p[name]
		b.WriteString(tmpl[:i])
		if ok {
			fmt.Fprint(&b, show(v))
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func show(v any) any {
	if xs, ok := v.([]string); ok {
		return strings.Join(xs, ", ")
	}
	return v
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or Internal when there is none.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	if e, ok := As(err); ok {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is a domain error of the kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Fields collects invalid fields so that a validation reports every problem at
// once rather than the first one.
type Fields []FieldError

// Add records that field is invalid: a code (required, length, one_of, …)
// and an English reason template filled from p.
func (f *Fields) Add(field, code, reason string, p ...P) {
	params := merge(p)
	*f = append(*f, FieldError{Field: field, Code: code, Params: params, Reason: Render(reason, params)})
}

// Required records a missing field.
func (f *Fields) Required(field string) { f.Add(field, "required", "is required") }

// Length records a text field outside min to max characters.
func (f *Fields) Length(field string, min, max int) {
	f.Add(field, "length", "must be {min} to {max} characters", P{"min": min, "max": max})
}

// MaxLength records a text field over max characters.
func (f *Fields) MaxLength(field string, max int) {
	f.Add(field, "max_length", "must be at most {max} characters", P{"max": max})
}

// MaxItems records a list over max entries.
func (f *Fields) MaxItems(field string, max int) {
	f.Add(field, "max_items", "at most {max} entries", P{"max": max})
}

// OneOf records a field that is none of the allowed values.
func (f *Fields) OneOf(field string, values []string) {
	f.Add(field, "one_of", "must be one of {values}", P{"values": values})
}

// Range records a number outside min to max.
func (f *Fields) Range(field string, min, max int64) {
	f.Add(field, "range", "must be {min} to {max}", P{"min": min, "max": max})
}

// URL records a field that is not an http(s) address.
func (f *Fields) URL(field string) {
	f.Add(field, "url", "must be an http(s) address of at most 500 characters")
}

// Err returns nil when no field was added, else an Invalid error naming them
// all in a stable order.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	fs := append([]FieldError(nil), f...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Field < fs[j].Field })
	return &Error{Kind: Invalid, Code: "invalid", Message: "invalid input", Fields: fs}
}

// Field returns an Invalid error naming one field.
func Field(field, code, reason string, p ...P) error {
	var f Fields
	f.Add(field, code, reason, p...)
	return f.Err()
}

// Names turns a list of string-typed values into strings, for OneOf.
func Names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
