package program

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"kox/internal/db"
)

// Change is one change of state for the audit log.
type Change struct {
	ProgramID  int64 // 0: the installation
	Action     string
	ObjectKind string
	ObjectID   string
	Before     any // nil when created
	After      any // nil when deleted
}

// Audit records a change, made by the actor in ctx, inside the transaction
// that makes it: the change and its record commit together or not at all.
func Audit(ctx context.Context, tx *db.Tx, c Change) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		a = Actor{Kind: ActorSystem, PublicID: "system", Name: "kox"}
	}
	enc := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	before, err := enc(c.Before)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	after, err := enc(c.After)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	actorID := a.PublicID
	if actorID == "" && a.ID != 0 {
		actorID = strconv.FormatInt(a.ID, 10)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (program_id, at, actor_kind, actor_id, actor_name, action,
		object_kind, object_id, before_json, after_json, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ProgramID, tx.Now.UnixMicro(), string(a.Kind), actorID, a.Name, c.Action, c.ObjectKind, c.ObjectID, before, after, a.RequestID)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEntry is one recorded change.
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorKind  ActorKind
	ActorID    string
	ActorName  string
	Action     string
	ObjectKind string
	ObjectID   string
	Before     json.RawMessage
	After      json.RawMessage
	RequestID  string
}

// AuditFilter narrows a listing of the audit log; zero fields match all.
type AuditFilter struct {
	ActorKind  ActorKind
	ActorID    string
	Action     string
	ObjectKind string
	ObjectID   string
	Since      time.Time
	Until      time.Time
	Before     int64 // cursor: entries with smaller ids
	Limit      int
}

// AuditLog lists a program's audit entries, newest first, with the cursor of
// the next page (0 when none).
func (s *Service) AuditLog(ctx context.Context, sc Scope, f AuditFilter) ([]AuditEntry, int64, error) {
	if err := sc.Require(PermAuditRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	w := db.Where("program_id = $1", sc.Program.ID)
	if f.ActorKind != "" {
		w.Add("actor_kind = $?", string(f.ActorKind))
	}
	if f.ActorID != "" {
		w.Add("actor_id = $?", f.ActorID)
	}
	if f.Action != "" {
		w.Add("action = $?", f.Action)
	}
	if f.ObjectKind != "" {
		w.Add("object_kind = $?", f.ObjectKind)
	}
	if f.ObjectID != "" {
		w.Add("object_id = $?", f.ObjectID)
	}
	if !f.Since.IsZero() {
		w.Add("at >= $?", f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		w.Add("at < $?", f.Until.UnixMicro())
	}
	if f.Before > 0 {
		w.Add("id < $?", f.Before)
	}
	where, args := w.Page("id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, at, actor_kind, actor_id, actor_name, action, object_kind, object_id,
		before_json, after_json, request_id FROM audit_log`+where, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit log: %w", db.MapError(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var before, after string
		if err := rows.Scan(&e.ID, &at, &e.ActorKind, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectKind, &e.ObjectID,
			&before, &after, &e.RequestID); err != nil {
			return nil, 0, err
		}
		e.At = time.UnixMicro(at).UTC()
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out, next := db.TrimPage(out, f.Limit, func(e AuditEntry) int64 { return e.ID })
	return out, next, nil
}
