package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Notification is one in-app notification, in its reader's words.
type Notification struct {
	ID        int64          `json:"-"`
	Event     string         `json:"event" doc:"The event's id, the same on every channel."`
	Kind      string         `json:"kind"`
	Subject   string         `json:"subject,omitempty"`
	Params    map[string]any `json:"params"`
	Text      string         `json:"text"`
	CreatedAt time.Time      `json:"created_at"`
	Read      bool           `json:"read"`
}

// Inbox is a reader's notifications, newest first, and how many are unread.
type Inbox struct {
	Unread int            `json:"unread"`
	Items  []Notification `json:"items"`
}

// reader is whose notifications: a member's own, or an operator's; an API
// key or the system has none.
func reader(sc program.Scope) (col string, id int64, err error) {
	switch sc.Actor.Kind {
	case program.ActorMember:
		return "member_id", sc.Actor.ID, nil
	case program.ActorOperator:
		return "operator_id", sc.Actor.ID, nil
	}
	return "", 0, fault.New(fault.Forbidden, "notify.people_only", "notifications are for members and operators")
}

// Inbox lists the reader's notifications (a member or an operator of the
// program), in lang.
func (s *Service) Inbox(ctx context.Context, sc program.Scope, lang string, before int64, limit int) (Inbox, int64, error) {
	if err := db.CheckLimit(limit); err != nil {
		return Inbox{}, 0, err
	}
	col, id, err := reader(sc)
	if err != nil {
		return Inbox{}, 0, err
	}
	out := Inbox{Items: []Notification{}}
	if out.Unread, err = s.Unread(ctx, sc); err != nil {
		return out, 0, err
	}
	w := db.Where("n.program_id = $1", sc.Program.ID).Add("n."+col+" = $?", id)
	if before > 0 {
		w.Add("n.id < $?", before)
	}
	where, args := w.Page("n.id DESC", limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT n.id, e.public_id, e.kind, e.subject, e.params, n.created_at, n.read_at
		FROM notifications n JOIN outbox e ON e.id = n.outbox_id`+where, args...)
	items, err := db.Collect(rows, err, func(r *sql.Rows) (Notification, error) {
		var x Notification
		var params string
		var created, read int64
		err := r.Scan(&x.ID, &x.Event, &x.Kind, &x.Subject, &params, &created, &read)
		_ = json.Unmarshal([]byte(params), &x.Params)
		x.CreatedAt, x.Read = time.UnixMicro(created).UTC(), read > 0
		x.Text = Text(lang, x.Kind, x.Params)
		return x, err
	})
	if err != nil {
		return out, 0, err
	}
	items, next := db.TrimPage(items, limit, func(n Notification) int64 { return n.ID })
	if items != nil {
		out.Items = items
	}
	return out, next, nil
}

// Unread is how many of the reader's notifications are unread.
func (s *Service) Unread(ctx context.Context, sc program.Scope) (int, error) {
	col, id, err := reader(sc)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications n WHERE n.program_id = $1 AND n.`+col+` = $2 AND n.read_at = 0`,
		sc.Program.ID, id).Scan(&n)
	return n, err
}

// MarkRead marks all the reader's notifications read.
func (s *Service) MarkRead(ctx context.Context, sc program.Scope) (int, error) {
	col, id, err := reader(sc)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $3 WHERE program_id = $1 AND `+col+` = $2 AND read_at = 0`,
			sc.Program.ID, id, tx.Now.UnixMicro())
		if err == nil {
			n, err = r.RowsAffected()
		}
		return err
	})
	return int(n), err
}

// Delivery is a delivery and its attempts, for an operator to read.
type Delivery struct {
	ID         int64     `json:"-"`
	PublicID   string    `json:"id"`
	Event      string    `json:"event"`
	Kind       string    `json:"kind"`
	Endpoint   string    `json:"endpoint"`
	Channel    string    `json:"channel"`
	Target     string    `json:"target,omitempty"`
	Status     string    `json:"status" enum:"pending,sent,dead"`
	Attempts   int       `json:"attempts"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	NextAt     time.Time `json:"next_at,omitzero"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
}

// Deliveries lists the program's deliveries, newest first, by status.
func (s *Service) Deliveries(ctx context.Context, sc program.Scope, status string, before int64, limit int) ([]Delivery, int64, error) {
	return s.deliveries(ctx, sc, status, "", before, limit)
}

// deliveries lists by status, or the one delivery ref names.
func (s *Service) deliveries(ctx context.Context, sc program.Scope, status, ref string, before int64, limit int) ([]Delivery, int64, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	w := db.Where("d.program_id = $1", sc.Program.ID)
	if status != "" {
		w.Add("d.status = $?", status)
	}
	if ref != "" {
		w.Add("d.public_id = $?", ref)
	}
	if before > 0 {
		w.Add("d.id < $?", before)
	}
	where, args := w.Page("d.id DESC", limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT d.id, d.public_id, e.public_id, e.kind, p.name, p.kind, d.target, d.status, d.attempts, d.last_status,
		d.last_error, d.next_at, d.sent_at, d.created_at FROM deliveries d JOIN outbox e ON e.id = d.outbox_id JOIN notify_endpoints p ON p.id = d.endpoint_id`+where, args...)
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (Delivery, error) {
		var x Delivery
		var next, sent, created int64
		err := r.Scan(&x.ID, &x.PublicID, &x.Event, &x.Kind, &x.Endpoint, &x.Channel, &x.Target, &x.Status, &x.Attempts, &x.LastStatus, &x.LastError,
			&next, &sent, &created)
		if x.Status == "pending" {
			x.NextAt = time.UnixMicro(next).UTC()
		}
		if sent > 0 {
			x.SentAt = time.UnixMicro(sent).UTC()
		}
		x.CreatedAt = time.UnixMicro(created).UTC()
		return x, err
	})
	if err != nil {
		return nil, 0, err
	}
	ds, next := db.TrimPage(ds, limit, func(d Delivery) int64 { return d.ID })
	if ds == nil {
		ds = []Delivery{}
	}
	return ds, next, nil
}

// Replay sends a delivery again, as it was, with the same event id: a new
// delivery of the same event on the same channel (audited).
func (s *Service) Replay(ctx context.Context, sc program.Scope, ref string) (Delivery, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return Delivery{}, err
	}
	var newRef string
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var outbox, endpoint int64
		var target string
		err := tx.QueryRowContext(ctx, `SELECT outbox_id, endpoint_id, target FROM deliveries WHERE program_id = $1 AND public_id = $2`,
			sc.Program.ID, ref).Scan(&outbox, &endpoint, &target)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "notify.delivery_not_found", "no delivery {delivery}", fault.P{"delivery": ref})
		}
		if err != nil {
			return err
		}
		newRef = pubid.New("dlv")
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (program_id, public_id, outbox_id, endpoint_id, target, next_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, sc.Program.ID, newRef, outbox, endpoint, target, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "notify.replay", ObjectKind: "delivery", ObjectID: ref,
			After: map[string]any{"delivery": newRef}})
	})
	if err != nil {
		return Delivery{}, err
	}
	ds, _, err := s.deliveries(ctx, sc, "", newRef, 0, 1)
	if err != nil || len(ds) == 0 {
		return Delivery{}, err
	}
	return ds[0], nil
}

// EmailPreference is whether the member gets email as well as in-app
// notifications; a member reads their own.
func (s *Service) EmailPreference(ctx context.Context, sc program.Scope, memberRef string) (bool, error) {
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return false, err
	}
	var enabled int
	err = s.DB.R.QueryRowContext(ctx, `SELECT enabled FROM notify_prefs WHERE member_id = $1 AND channel = 'email'`, m.ID).Scan(&enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return enabled != 0, err
}

// SetEmailPreference turns a member's email notifications on or off: the
// member's own choice, or an operator recording it for them (audited).
func (s *Service) SetEmailPreference(ctx context.Context, sc program.Scope, memberRef string, on bool) error {
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return err
	}
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersWrite); err != nil {
			return err
		}
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_prefs (member_id, channel, enabled) VALUES ($1, 'email', $2)
			ON CONFLICT (member_id, channel) DO UPDATE SET enabled = excluded.enabled`, m.ID, map[bool]int{true: 1}[on]); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "notify.preferences", ObjectKind: "member", ObjectID: m.PublicID,
			After: map[string]any{"email": on}})
	})
}
