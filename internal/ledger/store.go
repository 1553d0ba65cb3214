package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
)

const accountCols = `id, program_id, asset, code, ref, limit_rule, debits_pending, debits_posted,
	credits_pending, credits_posted, created_at`

type scanner interface{ Scan(...any) error }

func scanAccount(s scanner) (Account, error) {
	var a Account
	var created int64
	err := s.Scan(&a.ID, &a.ProgramID, &a.Asset, &a.Code, &a.Ref, &a.Limit, &a.DebitsPending, &a.DebitsPosted,
		&a.CreditsPending, &a.CreditsPosted, &created)
	a.CreatedAt = time.UnixMicro(created).UTC()
	return a, err
}

func scanRecord(s scanner) (Record, error) {
	var r Record
	var pending, reverses, timeout sql.NullInt64
	var created int64
	err := s.Scan(&r.ID, &r.ProgramID, &r.ClientID, &r.Kind, &r.DebitAccountID, &r.CreditAccountID, &r.Asset,
		&r.Amount, &pending, &reverses, &timeout, &r.Code, &r.Ref, &created)
	if err != nil {
		return r, fmt.Errorf("scan transfer: %w", err)
	}
	r.PendingID, r.ReversesID = pending.Int64, reverses.Int64
	if timeout.Valid {
		r.TimeoutAt = time.UnixMicro(timeout.Int64).UTC()
	}
	r.CreatedAt = time.UnixMicro(created).UTC()
	return r, nil
}

func (s AccountSpec) validate() error {
	var f fault.Fields
	if s.ProgramID <= 0 {
		f.Required("program_id")
	}
	if s.Asset == "" || len(s.Asset) > 64 || strings.TrimSpace(s.Asset) != s.Asset {
		f.Length("asset", 1, 64)
	}
	if s.Code == "" || len(s.Code) > MaxCode {
		f.Length("code", 1, MaxCode)
	}
	if len(s.Ref) > MaxRef {
		f.MaxLength("ref", MaxRef)
	}
	if s.Limit != "" && !s.Limit.valid() {
		f.OneOf("limit", []string{string(NoLimit), string(DebitsMustNotExceedCredits), string(CreditsMustNotExceedDebits)})
	}
	return f.Err()
}

// OpenAccountTx returns the account the spec names, creating it when it does
// not exist. Opening an existing account with another limit rule is a
// conflict: an account's rule never changes.
func OpenAccountTx(ctx context.Context, tx *db.Tx, s AccountSpec) (Account, error) {
	if err := s.validate(); err != nil {
		return Account{}, err
	}
	if s.Limit == "" {
		s.Limit = NoLimit
	}
	row := tx.QueryRowContext(ctx, `INSERT INTO ledger_accounts (program_id, asset, code, ref, limit_rule, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (program_id, asset, code, ref) DO NOTHING
		RETURNING `+accountCols, s.ProgramID, s.Asset, s.Code, s.Ref, string(s.Limit), tx.Now.UnixMicro())
	a, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		a, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts
			WHERE program_id = $1 AND asset = $2 AND code = $3 AND ref = $4`, s.ProgramID, s.Asset, s.Code, s.Ref))
		if err == nil && a.Limit != s.Limit {
			return Account{}, fault.New(fault.Conflict, "ledger.account_limit", "account {account} exists with limit {have}, not {want}",
				fault.P{"account": s.Asset + "/" + s.Code + "/" + s.Ref, "have": string(a.Limit), "want": string(s.Limit)})
		}
	}
	if err != nil {
		return Account{}, fmt.Errorf("open account: %w", db.MapError(err))
	}
	return a, nil
}

// OpenAccount is OpenAccountTx in a transaction of its own.
func (l *Ledger) OpenAccount(ctx context.Context, s AccountSpec) (Account, error) {
	var a Account
	err := l.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		a, err = OpenAccountTx(ctx, tx, s)
		return err
	})
	return a, err
}

// Account returns one account of the program with its balances.
func (l *Ledger) Account(ctx context.Context, programID, id int64) (Account, error) {
	a, err := scanAccount(l.db.R.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts
		WHERE program_id = $1 AND id = $2`, programID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fault.New(fault.NotFound, "ledger.account_not_found", "account {id} not found", fault.P{"id": id})
	}
	if err != nil {
		return Account{}, fmt.Errorf("account: %w", db.MapError(err))
	}
	return a, nil
}

// AccountTx reads an account inside tx, with what tx has changed.
func AccountTx(ctx context.Context, tx *db.Tx, programID, id int64) (Account, error) {
	a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts WHERE program_id = $1 AND id = $2`, programID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fault.New(fault.NotFound, "ledger.account_not_found", "account {id} not found", fault.P{"id": id})
	}
	return a, db.MapError(err)
}

// FindAccount returns the account a spec names, or a NotFound error.
func (l *Ledger) FindAccount(ctx context.Context, s AccountSpec) (Account, error) {
	a, err := scanAccount(l.db.R.QueryRowContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts
		WHERE program_id = $1 AND asset = $2 AND code = $3 AND ref = $4`, s.ProgramID, s.Asset, s.Code, s.Ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fault.New(fault.NotFound, "ledger.account_not_found", "account {id} not found", fault.P{"id": s.Asset + "/" + s.Code + "/" + s.Ref})
	}
	if err != nil {
		return Account{}, fmt.Errorf("find account: %w", db.MapError(err))
	}
	return a, nil
}

// MaxPage is the most transfers one page of history holds.
const MaxPage = 500

// History returns an account's transfers, newest first: up to limit transfers
// with ids below before (0: from the newest), and the cursor for the next
// page (0 when there is none). Given kinds, only transfers of those kinds.
func (l *Ledger) History(ctx context.Context, programID, accountID, before int64, limit int, kinds ...Kind) ([]Record, int64, error) {
	if limit <= 0 || limit > MaxPage {
		return nil, 0, fault.Field("limit", "range", "must be {min} to {max}", fault.P{"min": 1, "max": MaxPage})
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	if _, err := l.Account(ctx, programID, accountID); err != nil {
		return nil, 0, err
	}
	only := ""
	if len(kinds) > 0 {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			if !k.valid() {
				return nil, 0, fault.Field("kinds", "one_of", "must be one of {values}", fault.P{"values": []string{"posted", "pending", "post", "void"}})
			}
			names[i] = "'" + string(k) + "'"
		}
		only = " AND kind IN (" + strings.Join(names, ", ") + ")"
	}
	// Two index range scans (as debit, as credit) merged, rather than an OR
	// that would scan the program's whole history.
	rows, err := l.db.R.QueryContext(ctx, `SELECT `+recordCols+` FROM (
			SELECT `+recordCols+` FROM ledger_transfers WHERE debit_account_id = $2 AND id < $3 AND program_id = $1`+only+`
			UNION ALL
			SELECT `+recordCols+` FROM ledger_transfers WHERE credit_account_id = $2 AND id < $3 AND program_id = $1`+only+`
		) h ORDER BY id DESC LIMIT $4`, programID, accountID, before, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("history: %w", db.MapError(err))
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// Lookup returns the committed transfer with the client id.
func (l *Ledger) Lookup(ctx context.Context, programID int64, clientID string) (Record, error) {
	r, err := scanRecord(l.db.R.QueryRowContext(ctx, `SELECT `+recordCols+` FROM ledger_transfers
		WHERE program_id = $1 AND client_id = $2`, programID, clientID))
	if errors.Is(err, sql.ErrNoRows) || errors.Is(errors.Unwrap(err), sql.ErrNoRows) {
		return Record{}, fault.New(fault.NotFound, "transfer.not_found", "transfer {ref} not found", fault.P{"ref": clientID})
	}
	if err != nil {
		return Record{}, db.MapError(err)
	}
	return r, nil
}

// AccountsByRef returns the program's accounts of the asset whose refs are
// among refs (every code), in one query: a page of tasks' slot accounts.
func (l *Ledger) AccountsByRef(ctx context.Context, programID int64, asset string, refs []string) ([]Account, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	in, args, _ := db.In(l.db.Engine, "ref", 3, refs)
	rows, err := l.db.R.QueryContext(ctx, `SELECT `+accountCols+` FROM ledger_accounts WHERE program_id = $1 AND asset = $2 AND `+in,
		append([]any{programID, asset}, args...)...)
	return db.Collect(rows, err, scanAccount)
}

// AvailableSQL is an SQL expression for what the account whose id is in
// column holds free (Account.Available), for another package's query that
// must read it with its own row in one round trip (a task and its free
// slots). NULL when there is no such account.
func AvailableSQL(column string) string {
	return `(SELECT a.credits_posted - a.debits_posted - a.debits_pending FROM ledger_accounts a WHERE a.id = ` + column + `)`
}
