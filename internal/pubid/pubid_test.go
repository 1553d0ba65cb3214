package pubid

import "testing"

func TestNewIsValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New("mem")
		if !Valid("mem", id) || Valid("prg", id) || seen[id] {
			t.Fatalf("id %q: valid=%v, seen=%v", id, Valid("mem", id), seen[id])
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "mem_", "mem_short", "mem_0123456789abcdeI", "mem-0123456789abcdef"} {
		if Valid("mem", bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
}
