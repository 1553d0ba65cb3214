// Package pubid makes the ids kox shows outside the database: a short prefix
// that says what the object is, and 80 random bits, so that ids reveal
// neither counts nor order (integer keys stay inside).
package pubid

import (
	"crypto/rand"
	"encoding/base32"
	"io"
	"strings"
	"sync"
)

var (
	mu     sync.Mutex
	source io.Reader = rand.Reader
)

// UseSource makes New read its random bits from r until restore is called:
// the demo loader uses a seeded source so that every run makes the same ids.
// Not for use while a server is serving.
func UseSource(r io.Reader) (restore func()) {
	mu.Lock()
	defer mu.Unlock()
	prev := source
	source = r
	return func() {
		mu.Lock()
		defer mu.Unlock()
		source = prev
	}
}

var enc = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns prefix_ followed by 16 random characters.
func New(prefix string) string {
	var b [10]byte
	mu.Lock()
	_, _ = io.ReadFull(source, b[:])
	mu.Unlock()
	return prefix + "_" + enc.EncodeToString(b[:])
}

// Valid reports whether s looks like an id made by New with the prefix.
func Valid(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != 16 {
		return false
	}
	_, err := enc.DecodeString(rest)
	return err == nil
}
