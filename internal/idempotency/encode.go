package idempotency

import (
	"bytes"
	"encoding/json"
)

// Encode writes v as the API writes a response body (encoding/json without
// HTML escaping, newline-terminated), so that a response saved in a
// transaction is byte for byte the one the client would have been sent.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
