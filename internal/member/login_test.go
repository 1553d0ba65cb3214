package member

import (
	"regexp"
	"testing"
)

// Codes are ten base32 characters from crypto/rand.Text (no modulo, so no
// bias), shown in two groups; what people type wrong about them is forgiven.
func TestSignInCodes(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := newCode()
		if !shape.MatchString(c) {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q twice in 1,000", c)
		}
		seen[c] = true
	}
	if hashCode("abcde-fgh2o") != hashCode("ABCDEFGH20") || hashCode(" ABCDE FGHIO ") != hashCode("abcde-fgh1o") {
		t.Fatal("case, dashes, spaces and look-alike digits must not matter")
	}
	if hashCode("ABCDE-FGHIJ") == hashCode("ABCDE-FGHIK") {
		t.Fatal("different codes hash alike")
	}
}
