package api

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/middleware"
)

// Idempotency-Key, with Stripe's semantics, for every POST under /api/: the
// first response to a key is kept for a day, and a retry with the same key
// and the same request gets it again (with Idempotent-Replayed: true) instead
// of doing the work twice; the same key with another request is a 422, and a
// retry while the first is still running a 409. Keys belong to the caller's
// credentials, so two callers can never see each other's responses; a
// response with a 5xx status is not kept, so the retry runs again.

// IdempotencyTTL is how long a key's response is kept.
const IdempotencyTTL = 24 * time.Hour

const maxIdempotentBody = 1 << 20

// Idempotency wraps the API's handler.
func (s *Server) Idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		creds := token(r.Header.Get)
		if r.Method != http.MethodPost || key == "" || creds == "" || !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			middleware.WriteProblem(w, r, http.StatusBadRequest, "Bad Request", "Idempotency-Key must be at most 255 characters")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxIdempotentBody+1))
		if err != nil {
			middleware.WriteProblem(w, r, http.StatusBadRequest, "Bad Request", "could not read the request body")
			return
		}
		if len(body) > maxIdempotentBody {
			middleware.WriteProblem(w, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "the body is over 1 MiB")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		actor := digest([]byte(creds))
		fingerprint := digest([]byte(r.Method + " " + r.URL.RequestURI() + "\n" + string(body)))

		claimed, prior, err := s.claimKey(r, actor, key, fingerprint)
		if err != nil {
			s.Log.ErrorContext(r.Context(), "idempotency", "err", err)
			middleware.WriteProblem(w, r, http.StatusServiceUnavailable, "Service Unavailable", "try again")
			return
		}
		if !claimed {
			switch {
			case prior.fingerprint != fingerprint:
				middleware.WriteProblem(w, r, http.StatusUnprocessableEntity, "Unprocessable Entity",
					"this Idempotency-Key was used with a different request")
			case prior.status == 0:
				middleware.WriteProblem(w, r, http.StatusConflict, "Conflict",
					"a request with this Idempotency-Key is still being processed; retry later")
			default:
				for k, v := range prior.headers {
					w.Header().Set(k, v)
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(prior.status)
				_, _ = w.Write(prior.body)
			}
			return
		}
		rec := &capture{ResponseWriter: w}
		defer func() {
			// Even if the handler panicked, release the key so a retry can run.
			if rec.status == 0 || rec.status >= 500 {
				s.releaseKey(r, actor, key)
				return
			}
			s.storeKey(r, actor, key, rec)
		}()
		next.ServeHTTP(rec, r)
	})
}

type priorResponse struct {
	fingerprint string
	status      int
	headers     map[string]string
	body        []byte
}

// claimKey records that a request with the key has started; when the key is
// taken it returns what was stored for it instead.
func (s *Server) claimKey(r *http.Request, actor, key, fingerprint string) (bool, priorResponse, error) {
	ctx := r.Context()
	var claimed bool
	var prior priorResponse
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		claimed = false
		// A key older than the TTL is free again.
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE actor = $1 AND idem_key = $2 AND created_at < $3`,
			actor, key, tx.Now.Add(-IdempotencyTTL).UnixMicro()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (actor, idem_key, method, path, body_hash, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (actor, idem_key) DO NOTHING`,
			actor, key, r.Method, r.URL.Path, fingerprint, tx.Now.UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		var headers string
		err = tx.QueryRowContext(ctx, `SELECT body_hash, status, headers, body FROM idempotency_keys WHERE actor = $1 AND idem_key = $2`,
			actor, key).Scan(&prior.fingerprint, &prior.status, &headers, &prior.body)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrRetry // released between our insert and our read
		}
		if err != nil {
			return err
		}
		if headers != "" {
			_ = json.Unmarshal([]byte(headers), &prior.headers)
		}
		return nil
	})
	return claimed, prior, err
}

func (s *Server) storeKey(r *http.Request, actor, key string, rec *capture) {
	headers := map[string]string{}
	for _, h := range []string{"Content-Type", "Location"} {
		if v := rec.Header().Get(h); v != "" {
			headers[h] = v
		}
	}
	hj, _ := json.Marshal(headers)
	err := s.DB.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(r.Context(), `UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE actor = $1 AND idem_key = $2`,
			actor, key, rec.status, string(hj), rec.body.Bytes())
		return err
	})
	if err != nil {
		s.Log.ErrorContext(r.Context(), "idempotency: store response", "err", err)
	}
}

func (s *Server) releaseKey(r *http.Request, actor, key string) {
	err := s.DB.InTx(r.Context(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(r.Context(), `DELETE FROM idempotency_keys WHERE actor = $1 AND idem_key = $2`, actor, key)
		return err
	})
	if err != nil {
		s.Log.ErrorContext(r.Context(), "idempotency: release key", "err", err)
	}
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
