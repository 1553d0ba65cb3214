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
	f.Add("name", "is required")
	f.Addf("amount", "must be at most %d", 10)
	err := f.Err()
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid || len(e.Fields) != 2 || e.Fields[0].Field != "amount" {
		t.Fatalf("Err() = %#v", err)
	}
	if got := err.Error(); got != "invalid: invalid input; amount: must be at most 10; name: is required" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestKindOfWrappedErrors(t *testing.T) {
	base := New(NotFound, "member %s", "m1")
	wrapped := fmt.Errorf("loading: %w", base)
	if KindOf(wrapped) != NotFound || !Is(wrapped, NotFound) || Is(wrapped, Conflict) {
		t.Fatalf("KindOf(wrapped) = %s", KindOf(wrapped))
	}
	if KindOf(errors.New("plain")) != Internal || KindOf(nil) != "" {
		t.Fatal("plain errors are internal; nil has no kind")
	}
	cause := errors.New("driver said no")
	if w := Wrap(Unavailable, cause, "db"); !errors.Is(w, cause) {
		t.Fatal("Wrap must keep the cause")
	}
}
