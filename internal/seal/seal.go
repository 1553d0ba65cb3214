// Package seal encrypts the few secrets kox must read back (members' payee
// details: legal name, ID number, bank account) with AES-256-GCM under a key
// kox is given from the environment and never stores.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// EnvKey is the environment variable holding the key: 32 bytes, base64.
const EnvKey = "KOX_DATA_KEY"

// ErrOpen is returned for data that does not open under the key: another
// key, another row's data, or data changed in the database.
var ErrOpen = errors.New("seal: cannot open: wrong key or altered data")

// Sealer seals and opens.
type Sealer struct{ aead cipher.AEAD }

// New returns a sealer over a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("seal: the key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Parse reads a base64 key (standard or URL alphabet, padded or not).
func Parse(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, fmt.Errorf("seal: %s must be 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64)", EnvKey)
}

// Seal encrypts plain, bound to context (what the data belongs to, such as
// "payee:mem_…"): data sealed for one row does not open as another's.
func (s *Sealer) Seal(plain []byte, context string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(context))
}

// Open decrypts what Seal made for the same context.
func (s *Sealer) Open(data []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(data) < n {
		return nil, ErrOpen
	}
	plain, err := s.aead.Open(nil, data[:n], data[n:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
