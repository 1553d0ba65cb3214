package payout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/seal"
	"kox/internal/sheet"
	"kox/internal/tax"
)

// BatchStatus is where a batch stands.
type BatchStatus string

const (
	Draft     BatchStatus = "draft"
	Approved  BatchStatus = "approved"
	Paid      BatchStatus = "paid"
	Cancelled BatchStatus = "cancelled"
)

// Totals are a batch's sums over its included lines.
type Totals struct {
	Lines int   `json:"lines"`
	Gross int64 `json:"gross"`
	Tax   int64 `json:"tax"`
	Net   int64 `json:"net"`
}

// Batch is a payout batch.
type Batch struct {
	ID         int64        `json:"-"`
	PublicID   string       `json:"id"`
	Period     string       `json:"period"`
	Minimum    int64        `json:"minimum" doc:"Members owed less carry their balance over."`
	TaxRule    tax.Rule     `json:"tax_rule"`
	Status     BatchStatus  `json:"status"`
	CreatedBy  string       `json:"created_by"`
	CreatedAt  time.Time    `json:"created_at"`
	ApprovedBy string       `json:"approved_by,omitempty"`
	ApprovedAt time.Time    `json:"approved_at,omitzero"`
	PaidBy     string       `json:"paid_by,omitempty"`
	PaidAt     time.Time    `json:"paid_at,omitzero"`
	Totals     Totals       `json:"totals"`
	Lines      []PayoutLine `json:"lines,omitempty"`
}

// PayoutLine is one member's payment in a batch.
type PayoutLine struct {
	Member     string `json:"member"`
	MemberName string `json:"member_name"`
	tax.Withholding
	Status string `json:"status" enum:"included,excluded"`
	Payee  *Payee `json:"payee,omitempty" doc:"Masked."`
	member int64
}

// BatchInput asks for a batch.
type BatchInput struct {
	Period  string `json:"period" maxLength:"20" doc:"What the batch pays for, such as 2026-11."`
	Minimum int64  `json:"minimum,omitempty" minimum:"0" doc:"In fen; members owed less carry over."`
}

const batchCols = `b.id, b.public_id, b.period, b.minimum, b.tax_rule, b.status, b.created_by, b.created_at, b.approved_by, b.approved_at,
	b.paid_by, b.paid_at`

func scanBatch(s interface{ Scan(...any) error }) (Batch, error) {
	var b Batch
	var created, approved, paid int64
	err := s.Scan(&b.ID, &b.PublicID, &b.Period, &b.Minimum, &b.TaxRule, &b.Status, &b.CreatedBy, &created, &b.ApprovedBy, &approved,
		&b.PaidBy, &paid)
	b.CreatedAt = time.UnixMicro(created).UTC()
	if approved > 0 {
		b.ApprovedAt = time.UnixMicro(approved).UTC()
	}
	if paid > 0 {
		b.PaidAt = time.UnixMicro(paid).UTC()
	}
	return b, err
}

func holdID(batch, member string) string { return "payout:" + batch + ":" + member }

type owed struct {
	memberID int64
	ref      string
	amount   int64
}

// CreateBatch gathers every member owed at least the minimum who has payee
// details into a draft batch: each amount is held (a pending transfer out
// of the member's payable account) so that it is paid once, whatever the
// member earns meanwhile. Members with no payee details carry over.
func (s *Service) CreateBatch(ctx context.Context, sc program.Scope, in BatchInput) (Batch, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return Batch{}, err
	}
	in.Period = strings.TrimSpace(in.Period)
	var f fault.Fields
	if in.Period == "" || len([]rune(in.Period)) > 20 {
		f.Length("period", 1, 20)
	}
	if in.Minimum < 0 || in.Minimum > 1_000_000_000 {
		f.Range("minimum", 0, 1_000_000_000)
	}
	if err := f.Err(); err != nil {
		return Batch{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		var rule string
		// The program row is the batch maker's lock: one batch made at a time.
		if err := tx.QueryRowContext(ctx, `SELECT tax_rule FROM programs WHERE id = $1`+tx.ForUpdate(), sc.Program.ID).Scan(&rule); err != nil {
			return "", err
		}
		var open string
		err := tx.QueryRowContext(ctx, `SELECT public_id FROM payout_batches WHERE program_id = $1 AND status IN ('draft', 'approved') LIMIT 1`,
			sc.Program.ID).Scan(&open)
		if err == nil {
			return "", fault.New(fault.Conflict, "payout.batch_open", "batch {batch} is still open: pay or cancel it first", fault.P{"batch": open})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.public_id, a.credits_posted - a.debits_posted - a.debits_pending FROM ledger_accounts a
			JOIN members m ON m.program_id = a.program_id AND a.ref = 'member:' || m.public_id
			JOIN member_payees p ON p.member_id = m.id
			WHERE a.program_id = $1 AND a.asset = 'CNY' AND a.code = 'member_payable'
			AND a.credits_posted - a.debits_posted - a.debits_pending >= $2 AND a.credits_posted - a.debits_posted - a.debits_pending > 0
			ORDER BY m.id`, sc.Program.ID, in.Minimum)
		lines, err := db.Collect(rows, err, func(r *sql.Rows) (owed, error) {
			var o owed
			return o, r.Scan(&o.memberID, &o.ref, &o.amount)
		})
		if err != nil {
			return "", err
		}
		if len(lines) == 0 {
			return "", fault.New(fault.Conflict, "payout.nothing_owed", "no member with payee details is owed at least the minimum")
		}
		ref := pubid.New("pob")
		var batchID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payout_batches (program_id, public_id, period, minimum, tax_rule, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, sc.Program.ID, ref, in.Period, in.Minimum, rule, sc.Actor.Name,
			tx.Now.UnixMicro()).Scan(&batchID); err != nil {
			return "", err
		}
		clearing, err := ledger.OpenAccountTx(ctx, tx, account(sc.Program.ID, "payout_clearing", "", ledger.NoLimit))
		if err != nil {
			return "", err
		}
		var ts []ledger.Transfer
		for _, o := range lines {
			w := tax.Withhold(tax.Rule(rule), o.amount)
			if _, err := tx.ExecContext(ctx, `INSERT INTO payout_lines (program_id, batch_id, member_id, gross, taxable, tax, net)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Program.ID, batchID, o.memberID, w.Gross, w.Taxable, w.Tax, w.Net); err != nil {
				return "", err
			}
			from, err := ledger.OpenAccountTx(ctx, tx, Payable(sc.Program.ID, o.ref))
			if err != nil {
				return "", err
			}
			ts = append(ts, ledger.Transfer{ClientID: holdID(ref, o.ref), Kind: ledger.Pending, DebitAccountID: from.ID,
				CreditAccountID: clearing.ID, Amount: o.amount, Code: "payout_hold", Ref: "batch:" + ref})
		}
		if err := s.apply(ctx, tx, sc.Program.ID, ts); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payout.batch_create", ObjectKind: "payout_batch",
			ObjectID: ref, After: map[string]any{"period": in.Period, "minimum": in.Minimum, "lines": len(lines), "tax_rule": rule}})
	})
	if err != nil {
		return Batch{}, err
	}
	return s.Batch(ctx, sc, ref)
}

func (s *Service) apply(ctx context.Context, tx *db.Tx, programID int64, ts []ledger.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	rs, err := s.Ledger.ApplyTx(ctx, tx, programID, ts)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if err := r.Err(); err != nil {
			return err
		}
	}
	return nil
}

func lockBatch(ctx context.Context, tx *db.Tx, programID int64, ref string) (Batch, error) {
	b, err := scanBatch(tx.QueryRowContext(ctx, `SELECT `+batchCols+` FROM payout_batches b WHERE b.program_id = $1 AND b.public_id = $2`+
		tx.ForUpdate(), programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, fault.New(fault.NotFound, "payout.batch_not_found", "no payout batch {batch}", fault.P{"batch": ref})
	}
	return b, err
}

func linesOf(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, batchID int64, withPayee bool) ([]PayoutLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.public_id, m.name, l.gross, l.taxable, l.tax, l.net, l.status,
		COALESCE(p.masked_name, ''), COALESCE(p.masked_id, ''), COALESCE(p.bank, ''), COALESCE(p.masked_account, '')
		FROM payout_lines l JOIN members m ON m.id = l.member_id LEFT JOIN member_payees p ON p.member_id = m.id
		WHERE l.batch_id = $1 ORDER BY l.id`, batchID)
	return db.Collect(rows, err, func(r *sql.Rows) (PayoutLine, error) {
		var l PayoutLine
		var p Payee
		err := r.Scan(&l.member, &l.Member, &l.MemberName, &l.Gross, &l.Taxable, &l.Tax, &l.Net, &l.Status, &p.LegalName, &p.IDNumber, &p.Bank, &p.Account)
		if withPayee && p.Account != "" {
			l.Payee = &p
		}
		return l, err
	})
}

// transition moves a batch from one of from to the next status, in a
// transaction holding the batch's row, doing work first. A batch marked paid
// twice at once is paid once: the second waits for the row, then finds it
// paid.
func (s *Service) transition(ctx context.Context, sc program.Scope, ref string, from []BatchStatus, to BatchStatus, code string,
	work func(tx *db.Tx, b Batch, lines []PayoutLine) error) (Batch, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return Batch{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := lockBatch(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		ok := false
		for _, f := range from {
			ok = ok || b.Status == f
		}
		if !ok {
			return fault.New(fault.Conflict, code, "the batch is {status}", fault.P{"status": string(b.Status)})
		}
		lines, err := linesOf(ctx, tx, b.ID, false)
		if err != nil {
			return err
		}
		if err := work(tx, b, lines); err != nil {
			return err
		}
		q, args := `UPDATE payout_batches SET status = $2 WHERE id = $1`, []any{b.ID, string(to)}
		switch to {
		case Approved:
			q, args = `UPDATE payout_batches SET status = $2, approved_by = $3, approved_at = $4 WHERE id = $1`, append(args, sc.Actor.Name, tx.Now.UnixMicro())
		case Paid:
			q, args = `UPDATE payout_batches SET status = $2, paid_by = $3, paid_at = $4 WHERE id = $1`, append(args, sc.Actor.Name, tx.Now.UnixMicro())
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payout.batch_" + string(to), ObjectKind: "payout_batch",
			ObjectID: ref, Before: map[string]any{"status": b.Status}, After: map[string]any{"status": to}})
	})
	if err != nil {
		return Batch{}, err
	}
	return s.Batch(ctx, sc, ref)
}

// Approve is finance's approval of a draft batch, all its lines at once.
func (s *Service) Approve(ctx context.Context, sc program.Scope, ref string) (Batch, error) {
	return s.transition(ctx, sc, ref, []BatchStatus{Draft}, Approved, "payout.batch_not_draft", func(*db.Tx, Batch, []PayoutLine) error { return nil })
}

// MarkPaid records that the bank paid an approved batch: each line posts
// its held amount to clearing, then the tax withheld and the net out of it.
// A second mark is refused.
func (s *Service) MarkPaid(ctx context.Context, sc program.Scope, ref string) (Batch, error) {
	return s.transition(ctx, sc, ref, []BatchStatus{Approved}, Paid, "payout.batch_not_approved", func(tx *db.Tx, b Batch, lines []PayoutLine) error {
		clearing, err := ledger.OpenAccountTx(ctx, tx, account(sc.Program.ID, "payout_clearing", "", ledger.NoLimit))
		if err != nil {
			return err
		}
		withheld, err := ledger.OpenAccountTx(ctx, tx, account(sc.Program.ID, "tax_withheld", "", ledger.NoLimit))
		if err != nil {
			return err
		}
		bank, err := ledger.OpenAccountTx(ctx, tx, account(sc.Program.ID, "payout_bank", "", ledger.NoLimit))
		if err != nil {
			return err
		}
		var ts []ledger.Transfer
		for _, l := range lines {
			if l.Status != "included" {
				continue
			}
			hold := holdID(b.PublicID, l.Member)
			if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.PayoutPaid, MemberID: l.member, Subject: b.PublicID,
				Params: map[string]any{"period": b.Period, "net": yuan(l.Net), "gross": yuan(l.Gross), "tax": yuan(l.Tax)}}); err != nil {
				return err
			}
			ts = append(ts, ledger.Transfer{ClientID: "post:" + hold, Kind: ledger.Post, Pending: hold, Code: "payout_paid", Ref: "batch:" + b.PublicID})
			if l.Tax > 0 {
				ts = append(ts, ledger.Transfer{ClientID: "tax:" + hold, DebitAccountID: clearing.ID, CreditAccountID: withheld.ID, Amount: l.Tax,
					Code: "payout_tax", Ref: "member:" + l.Member})
			}
			if l.Net > 0 {
				ts = append(ts, ledger.Transfer{ClientID: "net:" + hold, DebitAccountID: clearing.ID, CreditAccountID: bank.ID, Amount: l.Net,
					Code: "payout_net", Ref: "member:" + l.Member})
			}
		}
		return s.apply(ctx, tx, sc.Program.ID, ts)
	})
}

// Cancel ends a batch that is not paid: every held amount goes back to
// what its member is owed.
func (s *Service) Cancel(ctx context.Context, sc program.Scope, ref string) (Batch, error) {
	return s.transition(ctx, sc, ref, []BatchStatus{Draft, Approved}, Cancelled, "payout.batch_closed", func(tx *db.Tx, b Batch, lines []PayoutLine) error {
		var ts []ledger.Transfer
		for _, l := range lines {
			if l.Status == "included" {
				hold := holdID(b.PublicID, l.Member)
				ts = append(ts, ledger.Transfer{ClientID: "void:" + hold, Kind: ledger.Void, Pending: hold, Code: "payout_cancel", Ref: "batch:" + b.PublicID})
			}
		}
		return s.apply(ctx, tx, sc.Program.ID, ts)
	})
}

// Exclude takes one member's line out of a draft batch: their amount
// carries over.
func (s *Service) Exclude(ctx context.Context, sc program.Scope, ref, memberRef string) (Batch, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return Batch{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := lockBatch(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		if b.Status != Draft {
			return fault.New(fault.Conflict, "payout.batch_not_draft", "the batch is {status}", fault.P{"status": string(b.Status)})
		}
		res, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'excluded' WHERE batch_id = $1 AND status = 'included'
			AND member_id = (SELECT id FROM members WHERE program_id = $2 AND public_id = $3)`, b.ID, sc.Program.ID, memberRef)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.New(fault.NotFound, "payout.line_not_found", "member {member} has no line in the batch", fault.P{"member": memberRef})
		}
		hold := holdID(b.PublicID, memberRef)
		if err := s.apply(ctx, tx, sc.Program.ID, []ledger.Transfer{{ClientID: "void:" + hold, Kind: ledger.Void, Pending: hold,
			Code: "payout_exclude", Ref: "batch:" + b.PublicID}}); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payout.line_exclude", ObjectKind: "payout_batch",
			ObjectID: ref, After: map[string]any{"member": memberRef}})
	})
	if err != nil {
		return Batch{}, err
	}
	return s.Batch(ctx, sc, ref)
}

func totals(lines []PayoutLine) Totals {
	var t Totals
	for _, l := range lines {
		if l.Status == "included" {
			t.Lines++
			t.Gross += l.Gross
			t.Tax += l.Tax
			t.Net += l.Net
		}
	}
	return t
}

// Batch returns a batch with its lines (payee details masked).
func (s *Service) Batch(ctx context.Context, sc program.Scope, ref string) (Batch, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return Batch{}, err
	}
	b, err := scanBatch(s.DB.R.QueryRowContext(ctx, `SELECT `+batchCols+` FROM payout_batches b WHERE b.program_id = $1 AND b.public_id = $2`,
		sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Batch{}, fault.New(fault.NotFound, "payout.batch_not_found", "no payout batch {batch}", fault.P{"batch": ref})
	}
	if err != nil {
		return Batch{}, err
	}
	if b.Lines, err = linesOf(ctx, s.DB.R, b.ID, true); err != nil {
		return Batch{}, err
	}
	b.Totals = totals(b.Lines)
	return b, nil
}

// Batches lists batches, newest first, with their totals.
func (s *Service) Batches(ctx context.Context, sc program.Scope, before int64, limit int) ([]Batch, int64, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	f := db.Where("b.program_id = $1", sc.Program.ID)
	if before > 0 {
		f.Add("b.id < $?", before)
	}
	where, args := f.Page("b.id DESC", limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+batchCols+` FROM payout_batches b`+where, args...)
	bs, err := db.Collect(rows, err, scanBatch)
	if err != nil {
		return nil, 0, err
	}
	bs, next := db.TrimPage(bs, limit, func(b Batch) int64 { return b.ID })
	if len(bs) == 0 {
		return bs, 0, nil
	}
	ids := make([]int64, len(bs))
	at := map[int64]int{}
	for i, b := range bs {
		ids[i], at[b.ID] = b.ID, i
	}
	in, args, _ := db.In(s.DB.Engine, "batch_id", 1, ids)
	rows, err = s.DB.R.QueryContext(ctx, `SELECT batch_id, COUNT(*), COALESCE(SUM(gross), 0), COALESCE(SUM(tax), 0), COALESCE(SUM(net), 0)
		FROM payout_lines WHERE `+in+` AND status = 'included' GROUP BY batch_id`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t Totals
		if err := rows.Scan(&id, &t.Lines, &t.Gross, &t.Tax, &t.Net); err != nil {
			return nil, 0, err
		}
		bs[at[id]].Totals = t
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return bs, next, nil
}

// BankColumns are the bank file's columns.
var BankColumns = []string{"member_id", "legal_name", "id_number", "bank", "account", "gross_yuan", "tax_yuan", "net_yuan"}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// BankFile prepares an approved or paid batch's file for the bank: the only
// place payee details are shown whole. Every check, the opening of the
// details and the audit (naming every member whose details it opened) are
// done before it returns, so that a caller streaming the file has nothing
// left to refuse; write then writes it.
func (s *Service) BankFile(ctx context.Context, sc program.Scope, ref string, format sheet.Format) (write func(io.Writer) error, err error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return nil, err
	}
	if !sheet.Valid(format) {
		return nil, sheet.FormatError()
	}
	if s.Sealer == nil {
		return nil, fault.New(fault.Unavailable, "payout.no_key", "payee details cannot be kept: kox has no data key ({env})", fault.P{"env": seal.EnvKey})
	}
	b, err := s.Batch(ctx, sc, ref)
	if err != nil {
		return nil, err
	}
	if b.Status != Approved && b.Status != Paid {
		return nil, fault.New(fault.Conflict, "payout.batch_not_approved", "the batch is {status}", fault.P{"status": string(b.Status)})
	}
	// Every sealed row of the batch in one read.
	rs, err := s.DB.R.QueryContext(ctx, `SELECT p.member_id, p.sealed FROM payout_lines l JOIN member_payees p ON p.member_id = l.member_id
		WHERE l.batch_id = $1 AND l.status = 'included'`, b.ID)
	type row struct {
		member int64
		sealed []byte
	}
	sealed, err := db.Collect(rs, err, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.member, &x.sealed)
	})
	if err != nil {
		return nil, err
	}
	byMember := map[int64][]byte{}
	for _, x := range sealed {
		byMember[x.member] = x.sealed
	}
	var rows [][]string
	var opened []string
	for _, l := range b.Lines {
		if l.Status != "included" {
			continue
		}
		plain, err := s.Sealer.Open(byMember[l.member], "payee:"+l.Member)
		if err != nil {
			return nil, fault.Wrap(fault.Internal, err, "payout.payee_sealed", "the payee details of {member} do not open with this key", fault.P{"member": l.Member})
		}
		var p PayeeInput
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, err
		}
		rows = append(rows, []string{l.Member, p.LegalName, p.IDNumber, p.Bank, p.Account, yuan(l.Gross), yuan(l.Tax), yuan(l.Net)})
		opened = append(opened, l.Member)
	}
	if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payout.export", ObjectKind: "payout_batch", ObjectID: ref,
			After: map[string]any{"format": format, "payees_read": opened}})
	}); err != nil {
		return nil, err
	}
	return func(w io.Writer) error {
		return sheet.Write(w, format, BankColumns, func(put func([]string) error) error {
			for _, r := range rows {
				if err := put(r); err != nil {
					return err
				}
			}
			return nil
		})
	}, nil
}

// PayoutStatement is what a member is owed and was paid.
type PayoutStatement struct {
	Owed     int64     `json:"owed" doc:"Earned and not yet in a batch, in fen."`
	InBatch  int64     `json:"in_batch" doc:"Held by a batch not yet paid."`
	Payments []Payment `json:"payments"`
}

// Payment is one batch line of a member's.
type Payment struct {
	Batch  string      `json:"batch"`
	Period string      `json:"period"`
	Status BatchStatus `json:"status"`
	tax.Withholding
	PaidAt time.Time `json:"paid_at,omitzero"`
}

// MemberStatement returns a member's statement; a member reads their own.
func (s *Service) MemberStatement(ctx context.Context, sc program.Scope, memberRef string) (PayoutStatement, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermLedgerRead); err != nil {
			return PayoutStatement{}, err
		}
	}
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return PayoutStatement{}, err
	}
	out := PayoutStatement{Payments: []Payment{}}
	a, err := s.Ledger.FindAccount(ctx, Payable(sc.Program.ID, m.PublicID))
	if err != nil && !fault.Is(err, fault.NotFound) {
		return PayoutStatement{}, err
	}
	if err == nil {
		out.Owed, out.InBatch = a.Available(), a.DebitsPending
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT b.public_id, b.period, b.status, l.gross, l.taxable, l.tax, l.net, b.paid_at
		FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id
		WHERE l.member_id = $1 AND l.status = 'included' AND b.status <> 'cancelled' ORDER BY l.id DESC LIMIT 100`, m.ID)
	out.Payments, err = db.Collect(rows, err, func(r *sql.Rows) (Payment, error) {
		var x Payment
		var paid int64
		err := r.Scan(&x.Batch, &x.Period, &x.Status, &x.Gross, &x.Taxable, &x.Tax, &x.Net, &paid)
		if paid > 0 {
			x.PaidAt = time.UnixMicro(paid).UTC()
		}
		return x, err
	})
	if out.Payments == nil {
		out.Payments = []Payment{}
	}
	return out, err
}
