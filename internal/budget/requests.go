package budget

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/pubid"
)

// RequestKind says what a request asks finance for.
type RequestKind string

const (
	// Move: money from one line to another (B2: a transfer finance approves).
	Move RequestKind = "move"
	// ReserveUse: money from the strategic reserve (B3), to another line or
	// spent at once.
	ReserveUse RequestKind = "reserve"
)

// Purposes a reserve request may name (B3); other is described in the reason.
var Purposes = []string{"viral_boost", "member_event", "other"}

// RequestStatus is where a request stands.
type RequestStatus string

const (
	Requested RequestStatus = "requested"
	Granted   RequestStatus = "approved"
	Declined  RequestStatus = "declined"
)

// Request is a move or reserve request.
type Request struct {
	ID          int64         `json:"-"`
	PublicID    string        `json:"id"`
	Kind        RequestKind   `json:"kind"`
	From        string        `json:"from_line"`
	FromName    string        `json:"from_line_name"`
	To          string        `json:"to_line,omitempty" doc:"Empty for a reserve request spent at once."`
	ToName      string        `json:"to_line_name,omitempty"`
	Amount      int64         `json:"amount"`
	Purpose     string        `json:"purpose,omitempty"`
	Reason      string        `json:"reason"`
	Status      RequestStatus `json:"status"`
	RequestedBy string        `json:"requested_by"`
	RequestedAt time.Time     `json:"requested_at"`
	DecidedBy   string        `json:"decided_by,omitempty"`
	DecidedAt   time.Time     `json:"decided_at,omitzero"`
	Note        string        `json:"note,omitempty"`
	// DecisionSeconds is the time from request to decision (B3).
	DecisionSeconds int64 `json:"decision_seconds,omitempty"`
}

// RequestInput is a request as written.
type RequestInput struct {
	Kind    RequestKind `json:"kind" enum:"move,reserve"`
	From    string      `json:"from_line" doc:"For a reserve request, a line of the reserve layer."`
	To      string      `json:"to_line,omitempty" doc:"Required for a move; for a reserve request, empty spends the amount at once."`
	Amount  int64       `json:"amount" minimum:"1"`
	Purpose string      `json:"purpose,omitempty" enum:"viral_boost,member_event,other,"`
	Reason  string      `json:"reason" maxLength:"1000"`
}

const requestCols = `r.id, r.public_id, r.kind, f.public_id, f.name, COALESCE(t.public_id, ''), COALESCE(t.name, ''), r.amount, r.purpose, r.reason,
	r.status, r.requested_by, r.requested_at, r.decided_by, r.decided_at, r.note`

const requestFrom = ` FROM budget_requests r JOIN budget_lines f ON f.id = r.from_line_id LEFT JOIN budget_lines t ON t.id = r.to_line_id`

func scanRequest(s interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var at, decided int64
	err := s.Scan(&r.ID, &r.PublicID, &r.Kind, &r.From, &r.FromName, &r.To, &r.ToName, &r.Amount, &r.Purpose, &r.Reason, &r.Status,
		&r.RequestedBy, &at, &r.DecidedBy, &decided, &r.Note)
	r.RequestedAt = time.UnixMicro(at).UTC()
	if decided > 0 {
		r.DecidedAt = time.UnixMicro(decided).UTC()
		r.DecisionSeconds = (decided - at) / 1e6
	}
	return r, err
}

func holdID(ref string) string { return "hold:" + ref }

// Ask files a request: the amount is held on the line it comes from (a
// pending ledger transfer) until finance decides, so a request can never
// promise money that is committed or spent meanwhile.
func (s *Service) Ask(ctx context.Context, sc program.Scope, in RequestInput) (Request, error) {
	if err := sc.Require(program.PermBudgetWrite); err != nil {
		return Request{}, err
	}
	var f fault.Fields
	in.Reason, in.To, in.From = strings.TrimSpace(in.Reason), strings.TrimSpace(in.To), strings.TrimSpace(in.From)
	if in.Kind != Move && in.Kind != ReserveUse {
		f.OneOf("kind", []string{string(Move), string(ReserveUse)})
	}
	if in.From == "" {
		f.Required("from_line")
	}
	if in.Kind == Move && in.To == "" {
		f.Required("to_line")
	}
	if in.To != "" && in.To == in.From {
		f.Add("to_line", "budget.same_line", "must differ from the line the money comes from")
	}
	if in.Amount <= 0 || in.Amount > MaxAmount {
		f.Range("amount", 1, MaxAmount)
	}
	if in.Kind == ReserveUse {
		ok := false
		for _, p := range Purposes {
			ok = ok || p == in.Purpose
		}
		if !ok {
			f.OneOf("purpose", Purposes)
		}
	}
	if in.Reason == "" || len([]rune(in.Reason)) > 1000 {
		f.Length("reason", 1, 1000)
	}
	if err := f.Err(); err != nil {
		return Request{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		from, err := CheckLineTx(ctx, tx, sc.Program.ID, in.From, "from_line")
		if err != nil {
			return "", err
		}
		if in.Kind == ReserveUse && from.Layer != Reserve {
			return "", fault.Field("from_line", "budget.not_reserve", "must be a line of the strategic reserve")
		}
		var toID any
		var to BudgetLine
		if in.To != "" {
			if to, err = CheckLineTx(ctx, tx, sc.Program.ID, in.To, "to_line"); err != nil {
				return "", err
			}
			toID = to.ID
		}
		ref := pubid.New("brq")
		if _, err := tx.ExecContext(ctx, `INSERT INTO budget_requests (program_id, public_id, kind, from_line_id, to_line_id, amount, purpose, reason,
			requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, sc.Program.ID, ref, string(in.Kind), from.ID, toID,
			in.Amount, in.Purpose, in.Reason, sc.Actor.Name, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		src, err := ledger.OpenAccountTx(ctx, tx, available(sc.Program.ID, from.PublicID))
		if err != nil {
			return "", err
		}
		dst := spent(sc.Program.ID, from.PublicID)
		if in.To != "" {
			dst = available(sc.Program.ID, to.PublicID)
		}
		dstAcc, err := ledger.OpenAccountTx(ctx, tx, dst)
		if err != nil {
			return "", err
		}
		rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: holdID(ref), Kind: ledger.Pending,
			DebitAccountID: src.ID, CreditAccountID: dstAcc.ID, Amount: in.Amount, Code: "budget_" + string(in.Kind), Ref: "request:" + ref}})
		if err != nil {
			return "", err
		}
		if rs[0].Code == ledger.ExceedsCredits {
			return "", Refusal(ctx, tx, sc.Program.ID, from, in.Amount)
		}
		if err := rs[0].Err(); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.request", ObjectKind: "budget_request",
			ObjectID: ref, After: in})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, sc, ref)
}

// Decide is finance's answer: approved, the held amount moves (and the
// lines' plans with it); declined, it goes back.
func (s *Service) Decide(ctx context.Context, sc program.Scope, ref string, approve bool, note string) (Request, error) {
	if err := sc.Require(program.PermBudgetApprove); err != nil {
		return Request{}, err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 1000 {
		var f fault.Fields
		f.MaxLength("note", 1000)
		return Request{}, f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := scanRequest(tx.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.program_id = $1 AND r.public_id = $2`+
			tx.ForUpdateOf("r"), sc.Program.ID, ref))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "budget.request_not_found", "no budget request {request}", fault.P{"request": ref})
		}
		if err != nil {
			return err
		}
		if r.Status != Requested {
			return fault.New(fault.Conflict, "budget.request_decided", "the request was already {status}", fault.P{"status": string(r.Status)})
		}
		kind, status := ledger.Void, Declined
		if approve {
			kind, status = ledger.Post, Granted
		}
		if err := s.apply(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: string(kind) + ":" + ref, Kind: kind, Pending: holdID(ref),
			Code: "budget_" + string(r.Kind), Ref: "request:" + ref}}); err != nil {
			return err
		}
		if approve && r.To != "" {
			// The plan moves with the money, so that each line's plan stays
			// available + held + committed + spent.
			if _, err := tx.ExecContext(ctx, `UPDATE budget_lines SET amount = amount - $2 WHERE program_id = $1 AND public_id = $3`,
				sc.Program.ID, r.Amount, r.From); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE budget_lines SET amount = amount + $2 WHERE program_id = $1 AND public_id = $3`,
				sc.Program.ID, r.Amount, r.To); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE budget_requests SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1`,
			r.ID, string(status), sc.Actor.Name, tx.Now.UnixMicro(), note); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "budget.request_" + string(status), ObjectKind: "budget_request",
			ObjectID: ref, Before: map[string]any{"status": r.Status}, After: map[string]any{"status": status, "note": note}})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, sc, ref)
}

// Request returns one request.
func (s *Service) Request(ctx context.Context, sc program.Scope, ref string) (Request, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return Request{}, err
	}
	r, err := scanRequest(s.DB.R.QueryRowContext(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.program_id = $1 AND r.public_id = $2`,
		sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fault.New(fault.NotFound, "budget.request_not_found", "no budget request {request}", fault.P{"request": ref})
	}
	return r, err
}

// Requests lists requests, newest first; status narrows them.
func (s *Service) Requests(ctx context.Context, sc program.Scope, status RequestStatus, before int64, limit int) ([]Request, int64, error) {
	if err := sc.Require(program.PermBudgetRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	f := db.Where("r.program_id = $1", sc.Program.ID)
	if status != "" {
		f.Add("r.status = $?", string(status))
	}
	if before > 0 {
		f.Add("r.id < $?", before)
	}
	where, args := f.Page("r.id DESC", limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+requestCols+requestFrom+where, args...)
	rs, err := db.Collect(rows, err, scanRequest)
	if err != nil {
		return nil, 0, err
	}
	rs, next := db.TrimPage(rs, limit, func(r Request) int64 { return r.ID })
	return rs, next, nil
}
