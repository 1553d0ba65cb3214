package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestFieldsCollectEveryProblemInOrder(t *testing.T) {
	var f Fields
	if f.Err() != nil {
		t.Fatal("no fields should be no error")
	}
	f.Required("name")
	f.Add("amount", "max", "must be at most {max}", P{"max": 10})
	err := f.Err()
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid || len(e.Fields) != 2 || e.Fields[0].Field != "amount" {
		t.Fatalf("Err() = %#v", err)
	}
	if e.Code != "invalid" || e.Fields[0].Code != "max" || e.Fields[0].Params["max"] != 10 || e.Fields[1].Code != "required" {
		t.Fatalf("codes = %#v", e)
	}
	if got := err.Error(); got != "invalid: invalid input; amount: must be at most 10; name: is required" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestKindOfWrappedErrors(t *testing.T) {
	base := New(NotFound, "member.not_found", "member {ref}", P{"ref": "m1"})
	if base.Message != "member m1" || base.Code != "member.not_found" {
		t.Fatalf("New = %#v", base)
	}
	wrapped := fmt.Errorf("loading: %w", base)
	if KindOf(wrapped) != NotFound || !Is(wrapped, NotFound) || Is(wrapped, Conflict) {
		t.Fatalf("KindOf(wrapped) = %s", KindOf(wrapped))
	}
	if KindOf(errors.New("plain")) != Internal || KindOf(nil) != "" {
		t.Fatal("plain errors are internal; nil has no kind")
	}
	cause := errors.New("driver said no")
	if w := Wrap(Unavailable, cause, "db.unreachable", "db"); !errors.Is(w, cause) {
		t.Fatal("Wrap must keep the cause")
	}
}

func TestRenderFillsNamedParameters(t *testing.T) {
	cases := []struct {
		tmpl string
		p    P
		want string
	}{
		{"the task is full: all {capacity} slots are taken", P{"capacity": 50}, "the task is full: all 50 slots are taken"},
		{"for {roles} members", P{"roles": []string{"koc", "kos"}}, "for koc, kos members"},
		{"{a} and {a}, {missing}", P{"a": "x"}, "x and x, {missing}"},
		{"no braces", P{"a": 1}, "no braces"},
		{"unclosed {a", P{"a": 1}, "unclosed {a"},
	}
	for _, c := range cases {
		if got := Render(c.tmpl, c.p); got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.tmpl, got, c.want)
		}
	}
}
