// Package payout holds money owed to members and its payment (SPEC R10):
// money rewards accumulate in each member's payable account in the ledger
// (fen, exact); finance gathers what is owed into a batch, approves it,
// exports it for the bank and marks it paid once, and every line posts
// through the ledger with its tax withheld under the program's rule.
//
// Accounts (asset CNY): payouts_expense (the program's, what it has
// promised) → member_payable (member:mem_…, never below zero) →
// payout_clearing → tax_withheld and payout_bank.
package payout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/seal"
	"kox/internal/tax"
)

// Asset is what payouts are counted in: CNY, in fen.
const Asset = "CNY"

func account(programID int64, code, ref string, limit ledger.LimitRule) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: code, Ref: ref, Limit: limit}
}

// Payable is the spec of what a member is owed.
func Payable(programID int64, memberRef string) ledger.AccountSpec {
	return account(programID, "member_payable", "member:"+memberRef, ledger.DebitsMustNotExceedCredits)
}

// OweTx records money a member earned (a task's money reward), in tx with
// the change that earned it; clientID makes it once.
func OweTx(ctx context.Context, tx *db.Tx, l *ledger.Ledger, programID int64, memberRef string, amount int64, clientID, code, ref string) error {
	from, err := ledger.OpenAccountTx(ctx, tx, account(programID, "payouts_expense", "", ledger.NoLimit))
	if err != nil {
		return err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, Payable(programID, memberRef))
	if err != nil {
		return err
	}
	rs, err := l.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID,
		Amount: amount, Code: code, Ref: ref}})
	if err != nil {
		return err
	}
	return rs[0].Err()
}

// Service keeps payees and batches.
type Service struct {
	DB      *db.DB
	Ledger  *ledger.Ledger
	Members *member.Service
	// Sealer seals payee details; nil (no key configured) refuses to keep
	// them rather than keep them in clear.
	Sealer *seal.Sealer
}

// PayeeInput is a member's payee details as typed.
type PayeeInput struct {
	LegalName string `json:"legal_name" maxLength:"100"`
	IDNumber  string `json:"id_number" maxLength:"30" doc:"Resident ID card number (18 characters) or passport number."`
	Bank      string `json:"bank" maxLength:"100" doc:"Bank and branch."`
	Account   string `json:"account" maxLength:"40"`
}

// Payee is payee details as everyone but the bank export sees them.
type Payee struct {
	LegalName string    `json:"legal_name" doc:"Masked: 王*."`
	IDNumber  string    `json:"id_number" doc:"Masked: 110***********1234."`
	Bank      string    `json:"bank"`
	Account   string    `json:"account" doc:"Masked: ****7890."`
	UpdatedAt time.Time `json:"updated_at"`
}

func (in *PayeeInput) check() error {
	var f fault.Fields
	in.LegalName = strings.TrimSpace(in.LegalName)
	in.IDNumber = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(in.IDNumber), " ", ""))
	in.Bank = strings.TrimSpace(in.Bank)
	in.Account = strings.ReplaceAll(strings.TrimSpace(in.Account), " ", "")
	if in.LegalName == "" || utf8.RuneCountInString(in.LegalName) > 100 {
		f.Length("legal_name", 1, 100)
	}
	if len(in.IDNumber) < 6 || len(in.IDNumber) > 30 {
		f.Add("id_number", "payout.id_number", "must be an ID card or passport number")
	}
	if in.Bank == "" || utf8.RuneCountInString(in.Bank) > 100 {
		f.Length("bank", 1, 100)
	}
	digits := in.Account != ""
	for _, r := range in.Account {
		digits = digits && r >= '0' && r <= '9'
	}
	if !digits || len(in.Account) < 8 || len(in.Account) > 40 {
		f.Add("account", "payout.account", "must be the account's 8 to 40 digits")
	}
	return f.Err()
}

// maskName keeps the first character: 王芳 → 王*.
func maskName(s string) string {
	r := []rune(s)
	if len(r) <= 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", min(len(r)-1, 3))
}

// maskEnds keeps the first head and last tail characters.
func maskEnds(s string, head, tail int) string {
	if len(s) <= head+tail {
		return strings.Repeat("*", len(s))
	}
	return s[:head] + strings.Repeat("*", len(s)-head-tail) + s[len(s)-tail:]
}

func whose(sc program.Scope, memberRef string) error {
	if sc.Actor.Kind == program.ActorMember {
		if sc.Actor.PublicID != memberRef {
			return fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": memberRef})
		}
		return nil
	}
	return sc.Require(program.PermPayoutsManage)
}

// SetPayee keeps a member's payee details, sealed; a member sets their own,
// finance may set anyone's.
func (s *Service) SetPayee(ctx context.Context, sc program.Scope, memberRef string, in PayeeInput) (Payee, error) {
	if err := whose(sc, memberRef); err != nil {
		return Payee{}, err
	}
	if err := in.check(); err != nil {
		return Payee{}, err
	}
	if s.Sealer == nil {
		return Payee{}, fault.New(fault.Unavailable, "payout.no_key", "payee details cannot be kept: kox has no data key ({env})", fault.P{"env": seal.EnvKey})
	}
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return Payee{}, err
	}
	plain, _ := json.Marshal(in)
	p := Payee{LegalName: maskName(in.LegalName), IDNumber: maskEnds(in.IDNumber, 3, 4), Bank: in.Bank, Account: maskEnds(in.Account, 0, 4)}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		p.UpdatedAt = tx.Now.UTC()
		sealed := s.Sealer.Seal(plain, "payee:"+m.PublicID)
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_payees (member_id, program_id, sealed, masked_name, masked_id, bank, masked_account, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (member_id) DO UPDATE SET sealed = excluded.sealed, masked_name = excluded.masked_name,
			masked_id = excluded.masked_id, bank = excluded.bank, masked_account = excluded.masked_account, updated_at = excluded.updated_at`,
			m.ID, sc.Program.ID, sealed, p.LegalName, p.IDNumber, p.Bank, p.Account, tx.Now.UnixMicro()); err != nil {
			return err
		}
		// The audit keeps the masked form only.
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payee.set", ObjectKind: "member", ObjectID: m.PublicID, After: p})
	})
	return p, err
}

// Payee returns a member's payee details, masked; found is false when the
// member has none.
func (s *Service) Payee(ctx context.Context, sc program.Scope, memberRef string) (Payee, bool, error) {
	if err := whose(sc, memberRef); err != nil {
		return Payee{}, false, err
	}
	m, err := s.Members.Get(ctx, sc, memberRef)
	if err != nil {
		return Payee{}, false, err
	}
	var p Payee
	var at int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT masked_name, masked_id, bank, masked_account, updated_at FROM member_payees WHERE member_id = $1`,
		m.ID).Scan(&p.LegalName, &p.IDNumber, &p.Bank, &p.Account, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Payee{}, false, nil
	}
	p.UpdatedAt = time.UnixMicro(at).UTC()
	return p, err == nil, err
}

// TaxRule is the program's withholding rule.
func (s *Service) TaxRule(ctx context.Context, sc program.Scope) (tax.Rule, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return "", err
	}
	var r string
	err := s.DB.R.QueryRowContext(ctx, `SELECT tax_rule FROM programs WHERE id = $1`, sc.Program.ID).Scan(&r)
	return tax.Rule(r), err
}

// SetTaxRule changes the program's withholding rule for batches made from
// now on (a batch keeps the rule it was made with).
func (s *Service) SetTaxRule(ctx context.Context, sc program.Scope, r tax.Rule) (tax.Rule, error) {
	if err := sc.Require(program.PermPayoutsManage); err != nil {
		return "", err
	}
	if !tax.Valid(r) {
		var f fault.Fields
		f.OneOf("tax_rule", fault.Names(tax.Rules))
		return "", f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var before string
		if err := tx.QueryRowContext(ctx, `SELECT tax_rule FROM programs WHERE id = $1`+tx.ForUpdate(), sc.Program.ID).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET tax_rule = $2 WHERE id = $1`, sc.Program.ID, string(r)); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "payout.tax_rule", ObjectKind: "program",
			ObjectID: sc.Program.PublicID, Before: map[string]any{"tax_rule": before}, After: map[string]any{"tax_rule": r}})
	})
	return r, err
}
