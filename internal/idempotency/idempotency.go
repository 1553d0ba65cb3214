// Package idempotency keeps Idempotency-Key outcomes, with Stripe's
// semantics: the first response to a key is kept for a day, and a retry with
// the same key and the same request gets it again instead of doing the work
// twice; the same key with another request is refused, and so is a retry
// while the first is still running. Keys belong to the caller's credentials.
//
// A request holds its key under a lease that it renews while it runs: if the
// process dies, the lease runs out and a retry takes the key over. Where a
// route's response is the result of one domain transaction, the response is
// saved in that transaction (see db.Outcome), so a crash between the change
// and the answer still leaves the answer kept; elsewhere it is saved right
// after, with a context that outlives the request.
package idempotency

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"kox/internal/db"
)

// Defaults.
const (
	TTL   = 24 * time.Hour
	Lease = 30 * time.Second
)

// Store keeps keys in the database.
type Store struct {
	DB    *db.DB
	TTL   time.Duration // how long an outcome is kept; TTL when 0
	Lease time.Duration // how long a running request holds its key unrenewed; Lease when 0
}

// Request is a keyed request.
type Request struct {
	Actor       string // a digest of the caller's credentials
	Key         string
	Method      string
	Path        string
	Fingerprint string // a digest of the method, path and body
}

// Prior is what a key already holds.
type Prior struct {
	Fingerprint string
	Status      int // 0: still running
	Headers     map[string]string
	Body        []byte
}

// Response is an outcome to keep.
type Response struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Hold is a key this request holds while it runs.
type Hold struct {
	s     *Store
	r     Request
	stop  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	saved bool
	// For saving in the domain transaction: the status and headers the
	// route answers with; the body is the transaction's result.
	status  int
	headers map[string]string
}

func (s *Store) ttl() time.Duration   { return cmp(s.TTL, TTL) }
func (s *Store) lease() time.Duration { return cmp(s.Lease, Lease) }

func cmp(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// Begin takes the key for r, or returns what it already holds: an outcome
// to replay, a running request (Status 0), or another request's fingerprint.
// A key whose holder stopped renewing its lease is taken over.
func (s *Store) Begin(ctx context.Context, r Request) (*Hold, *Prior, error) {
	var prior *Prior
	var took bool
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		prior, took = nil, false
		now := tx.Now.UnixMicro()
		lease := tx.Now.Add(s.lease()).UnixMicro()
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE actor = $1 AND idem_key = $2 AND created_at < $3`,
			r.Actor, r.Key, tx.Now.Add(-s.ttl()).UnixMicro()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (actor, idem_key, method, path, body_hash, created_at, lease_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (actor, idem_key) DO NOTHING`,
			r.Actor, r.Key, r.Method, r.Path, r.Fingerprint, now, lease)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			took = true
			return nil
		}
		var p Prior
		var headers string
		var until int64
		err = tx.QueryRowContext(ctx, `SELECT body_hash, status, headers, body, lease_until FROM idempotency_keys
			WHERE actor = $1 AND idem_key = $2`+tx.ForUpdate(), r.Actor, r.Key).Scan(&p.Fingerprint, &p.Status, &headers, &p.Body, &until)
		if errors.Is(err, sql.ErrNoRows) {
			return db.ErrRetry // released between the insert and the read
		}
		if err != nil {
			return err
		}
		if headers != "" {
			_ = json.Unmarshal([]byte(headers), &p.Headers)
		}
		if p.Status == 0 && p.Fingerprint == r.Fingerprint && until <= now {
			// Its holder died: this request runs it now.
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET lease_until = $3 WHERE actor = $1 AND idem_key = $2`, r.Actor, r.Key, lease)
			took = err == nil
			return err
		}
		prior = &p
		return nil
	})
	if err != nil || !took {
		return nil, prior, err
	}
	h := &Hold{s: s, r: r, stop: make(chan struct{})}
	go h.renew()
	return h, nil, nil
}

// renew keeps the lease while the request runs.
func (h *Hold) renew() {
	every := h.s.lease() / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			_ = h.s.DB.InTx(context.Background(), func(tx *db.Tx) error {
				_, err := tx.ExecContext(context.Background(), `UPDATE idempotency_keys SET lease_until = $3
					WHERE actor = $1 AND idem_key = $2 AND status = 0`, h.r.Actor, h.r.Key, tx.Now.Add(h.s.lease()).UnixMicro())
				return err
			})
		}
	}
}

func (h *Hold) end() { h.once.Do(func() { close(h.stop) }) }

// SavesInTx makes the hold an Outcome for the route's domain transaction:
// the transaction's result, encoded as JSON, is the body of a response
// with the status and headers given.
func (h *Hold) SavesInTx(status int, headers map[string]string) db.Outcome {
	h.status, h.headers = status, headers
	return h
}

// Save is db.Outcome's: it keeps the response inside the change's
// transaction.
func (h *Hold) Save(ctx context.Context, tx *db.Tx, result any) error {
	body, err := Encode(result)
	if err != nil {
		return err
	}
	hj, _ := json.Marshal(h.headers)
	_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 WHERE actor = $1 AND idem_key = $2`,
		h.r.Actor, h.r.Key, h.status, string(hj), body)
	return err
}

// Committed is db.Outcome's: the saved response stands.
func (h *Hold) Committed() {
	h.mu.Lock()
	h.saved = true
	h.mu.Unlock()
}

// Saved reports whether the response was kept with the change.
func (h *Hold) Saved() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.saved
}

// Finish keeps the response (unless the change's transaction already kept
// it) and lets the key go. It outlives the request's context: the client
// that disconnected is the one that will retry.
func (h *Hold) Finish(ctx context.Context, resp Response) error {
	h.end()
	if h.Saved() {
		return nil
	}
	hj, _ := json.Marshal(resp.Headers)
	ctx = context.WithoutCancel(ctx)
	return h.s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, headers = $4, body = $5
			WHERE actor = $1 AND idem_key = $2 AND status = 0`, h.r.Actor, h.r.Key, resp.Status, string(hj), resp.Body)
		return err
	})
}

// Release frees the key so that a retry runs again (the request failed in
// a way worth retrying), unless the change's transaction kept a response.
func (h *Hold) Release(ctx context.Context) error {
	h.end()
	if h.Saved() {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	return h.s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE actor = $1 AND idem_key = $2 AND status = 0`, h.r.Actor, h.r.Key)
		return err
	})
}

// Sweep deletes outcomes older than the TTL.
func (s *Store) Sweep(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, tx.Now.Add(-s.ttl()).UnixMicro())
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

type holdKey struct{}

// With puts a hold in ctx, for the route to save its outcome through.
func With(ctx context.Context, h *Hold) context.Context { return context.WithValue(ctx, holdKey{}, h) }

// From returns the hold in ctx, if the request has one.
func From(ctx context.Context) (*Hold, bool) {
	h, ok := ctx.Value(holdKey{}).(*Hold)
	return h, ok
}
