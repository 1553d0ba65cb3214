package seal

import (
	"bytes"
	"testing"
)

func TestSealOpensOnlyUnderItsKeyAndContext(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("6222 0212 3456 7890")
	data := s.Seal(secret, "payee:mem_a")
	if bytes.Contains(data, secret) {
		t.Fatal("sealed data holds the plain text")
	}
	if got, err := s.Open(data, "payee:mem_a"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := s.Open(data, "payee:mem_b"); err != ErrOpen {
		t.Fatalf("another row's context opened: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(data, "payee:mem_a"); err != ErrOpen {
		t.Fatalf("another key opened: %v", err)
	}
	data[len(data)-1] ^= 1
	if _, err := s.Open(data, "payee:mem_a"); err != ErrOpen {
		t.Fatalf("altered data opened: %v", err)
	}
	if bytes.Equal(s.Seal(secret, "x")[:12], s.Seal(secret, "x")[:12]) {
		t.Fatal("the nonce repeats")
	}
}

func TestParseKey(t *testing.T) {
	if _, err := Parse("c2hvcnQ="); err == nil {
		t.Fatal("a short key was accepted")
	}
	k, err := Parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil || len(k) != 32 || k[31] != 31 {
		t.Fatalf("%v %v", k, err)
	}
}
