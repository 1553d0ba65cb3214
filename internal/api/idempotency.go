package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"kox/internal/access"
	"kox/internal/idempotency"
	"kox/internal/middleware"
)

// Idempotency-Key, with Stripe's semantics, for every POST under /api/ (see
// package idempotency). A response with a 5xx status is not kept, so the
// retry runs again; routes whose response is their change's result keep it
// in the change's own transaction.

const maxIdempotentBody = 1 << 20

// Idempotency wraps the API's handler.
func (s *Server) Idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		cookie := ""
		if c, err := r.Cookie(middleware.SessionCookie); err == nil {
			cookie = c.Value
		}
		creds := access.Token(r.Header.Get("Authorization"), cookie)
		if r.Method != http.MethodPost || key == "" || creds == "" || !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			middleware.WriteProblem(w, r, http.StatusBadRequest, "idempotency.key_too_long", "Idempotency-Key must be at most 255 characters")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxIdempotentBody+1))
		if err != nil {
			middleware.WriteProblem(w, r, http.StatusBadRequest, "bad_request", "could not read the request body")
			return
		}
		if len(body) > maxIdempotentBody {
			middleware.WriteProblem(w, r, http.StatusRequestEntityTooLarge, "too_large", "the body is over 1 MiB")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := idempotency.Request{Actor: digest([]byte(creds)), Key: key, Method: r.Method, Path: r.URL.Path,
			Fingerprint: digest([]byte(r.Method + " " + r.URL.RequestURI() + "\n" + string(body)))}
		hold, prior, err := s.Idem.Begin(r.Context(), req)
		if err != nil {
			s.Log.ErrorContext(r.Context(), "idempotency", "err", err)
			middleware.WriteProblem(w, r, http.StatusServiceUnavailable, "unavailable", "try again")
			return
		}
		if hold == nil {
			switch {
			case prior.Fingerprint != req.Fingerprint:
				middleware.WriteProblem(w, r, http.StatusUnprocessableEntity, "idempotency.key_reused",
					"this Idempotency-Key was used with a different request")
			case prior.Status == 0:
				middleware.WriteProblem(w, r, http.StatusConflict, "idempotency.in_progress",
					"a request with this Idempotency-Key is still being processed; retry later")
			default:
				for k, v := range prior.Headers {
					w.Header().Set(k, v)
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(prior.Status)
				_, _ = w.Write(prior.Body)
			}
			return
		}
		rec := &capture{ResponseWriter: w}
		defer func() {
			// Even if the handler panicked, let the key go so a retry can
			// run; the request's context may be gone, the key's must not.
			var err error
			// Nothing kept for a failure worth retrying: a server error,
			// or a request its client gave up on (499), whose work was
			// not done.
			if rec.status == 0 || rec.status >= 500 || rec.status == 499 {
				err = hold.Release(r.Context())
			} else {
				headers := map[string]string{}
				for _, h := range []string{"Content-Type", "Location"} {
					if v := rec.Header().Get(h); v != "" {
						headers[h] = v
					}
				}
				err = hold.Finish(r.Context(), idempotency.Response{Status: rec.status, Headers: headers, Body: rec.body.Bytes()})
			}
			if err != nil {
				s.Log.ErrorContext(r.Context(), "idempotency: keep the outcome", "err", err)
			}
		}()
		next.ServeHTTP(rec, r.WithContext(idempotency.With(r.Context(), hold)))
	})
}

// capture passes a response through and keeps a copy.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
