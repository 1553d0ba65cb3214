package points

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/program"
	"kox/internal/pubid"
)

// ExpiresAt is when points earned at earned expire under an expiry of
// months (zero: never): points earned on a local day D expire at the end of the same day N months later (the start of the
// next day, in the program's time zone); a day the later month lacks (31
// January + 1 month) is its last day.
func ExpiresAt(earned time.Time, loc *time.Location, months int) time.Time {
	if months <= 0 {
		return time.Time{}
	}
	d := earned.In(loc)
	y, m := d.Year(), int(d.Month())-1+months
	y, m = y+m/12, m%12+1
	last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, loc).Day()
	return time.Date(y, time.Month(m), min(d.Day(), last)+1, 0, 0, 0, 0, loc)
}

// addLot records an earning as a lot with its expiry.
func addLot(ctx context.Context, tx *db.Tx, programID int64, memberRef string, amount int64, ref string) error {
	var memberID int64
	var months int
	var zone string
	err := tx.QueryRowContext(ctx, `SELECT m.id, p.points_expiry_months, p.time_zone FROM members m JOIN programs p ON p.id = m.program_id
		WHERE m.program_id = $1 AND m.public_id = $2`, programID, memberRef).Scan(&memberID, &months, &zone)
	if err != nil {
		return err
	}
	exp := int64(0)
	if t := ExpiresAt(tx.Now, program.Program{TimeZone: zone}.Location(), months); !t.IsZero() {
		exp = t.UnixMicro()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO point_lots (program_id, member_id, amount, remaining, earned_at, expires_at, ref)
		VALUES ($1, $2, $3, $3, $4, $5, $6)`, programID, memberID, amount, tx.Now.UnixMicro(), exp, ref)
	return err
}

// TakeTx takes amount from a member's oldest lots (those that expire
// first) for a spend, and records what it took so that Restore can put it
// back. Points earned before lots existed have none; they are taken last.
func TakeTx(ctx context.Context, tx *db.Tx, memberID int64, spend string, amount int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, remaining FROM point_lots WHERE member_id = $1 AND remaining > 0
		ORDER BY CASE WHEN expires_at = 0 THEN 1 ELSE 0 END, expires_at, earned_at, id`+tx.ForUpdate(), memberID)
	type lot struct{ id, remaining int64 }
	lots, err := db.Collect(rows, err, func(r *sql.Rows) (lot, error) {
		var l lot
		return l, r.Scan(&l.id, &l.remaining)
	})
	if err != nil {
		return err
	}
	for _, l := range lots {
		if amount == 0 {
			break
		}
		take := min(amount, l.remaining)
		if _, err := tx.ExecContext(ctx, `UPDATE point_lots SET remaining = remaining - $2 WHERE id = $1`, l.id, take); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO point_lot_uses (lot_id, spend, amount) VALUES ($1, $2, $3)`, l.id, spend, take); err != nil {
			return err
		}
		amount -= take
	}
	return nil
}

// RestoreTx puts back into their lots the points a spend took (a cancelled
// redemption). A lot that expired meanwhile gets them back and the next
// expiry run takes them.
func RestoreTx(ctx context.Context, tx *db.Tx, spend string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE point_lots SET remaining = remaining + (SELECT SUM(u.amount) FROM point_lot_uses u
		WHERE u.lot_id = point_lots.id AND u.spend = $1) WHERE id IN (SELECT lot_id FROM point_lot_uses WHERE spend = $1)`, spend); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM point_lot_uses WHERE spend = $1`, spend)
	return err
}

func spent(programID int64) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "points_spent"}
}

// SpendTransfer is the transfer that spends a member's points, for the
// caller's linked chain; after the chain succeeds in tx, TakeTx records which
// lots paid.
func SpendTransfer(ctx context.Context, tx *db.Tx, programID int64, memberRef, clientID string, amount int64, code, ref string) (ledger.Transfer, error) {
	from, err := ledger.OpenAccountTx(ctx, tx, Account(programID, memberRef))
	if err != nil {
		return ledger.Transfer{}, err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, spent(programID))
	if err != nil {
		return ledger.Transfer{}, err
	}
	return ledger.Transfer{ClientID: clientID, DebitAccountID: from.ID, CreditAccountID: to.ID, Amount: amount, Code: code, Ref: ref}, nil
}

// BalanceTx is a member's points available to spend, read in tx.
func BalanceTx(ctx context.Context, tx *db.Tx, programID int64, memberRef string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT credits_posted - debits_posted - debits_pending FROM ledger_accounts WHERE program_id = $1 AND asset = $2
		AND code = 'member_points' AND ref = $3`, programID, Asset, "member:"+memberRef).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func nextExpiry(ctx context.Context, d *db.DB, memberID int64) (*Expiry, error) {
	var at, amount sql.NullInt64
	err := d.R.QueryRowContext(ctx, `SELECT expires_at, SUM(remaining) FROM point_lots WHERE member_id = $1 AND remaining > 0 AND expires_at > 0
		GROUP BY expires_at ORDER BY expires_at LIMIT 1`, memberID).Scan(&at, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Expiry{Amount: amount.Int64, At: time.UnixMicro(at.Int64).UTC()}, nil
}

// Adjustment is points granted (positive) or deducted (negative) by hand.
type Adjustment struct {
	Members []string `json:"members" minItems:"1" maxItems:"1000" doc:"Member ids."`
	Amount  int64    `json:"amount" doc:"Positive grants, negative deducts."`
	Reason  string   `json:"reason" maxLength:"500"`
}

// MaxAdjustment bounds one adjustment per member.
const MaxAdjustment = 10_000_000

// Adjust grants or deducts points by hand, with a reason, for one member or
// many at once: all of them or, should one fail (a deduction past a
// balance, an unknown member), none. Each is audited.
func (s *Service) Adjust(ctx context.Context, sc program.Scope, a Adjustment) (int, error) {
	if err := sc.Require(program.PermPointsAdjust); err != nil {
		return 0, err
	}
	a.Reason = strings.TrimSpace(a.Reason)
	var f fault.Fields
	if len(a.Members) == 0 || len(a.Members) > 1000 {
		f.Add("members", "points.members", "name 1 to 1,000 members")
	}
	if a.Amount == 0 || a.Amount > MaxAdjustment || a.Amount < -MaxAdjustment {
		f.Add("amount", "points.amount", "must be a number of points other than 0, at most 10,000,000 either way")
	}
	if a.Reason == "" || len([]rune(a.Reason)) > 500 {
		f.Length("reason", 1, 500)
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	batch := pubid.New("adj")
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		clear(seen) // a retried transaction starts again
		for _, ref := range a.Members {
			ref = strings.TrimSpace(ref)
			if seen[ref] {
				continue
			}
			seen[ref] = true
			var memberID int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref).Scan(&memberID)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.Field("members", "points.member_unknown", "{member} is not a member of this program", fault.P{"member": ref})
			}
			if err != nil {
				return err
			}
			id := "adjust:" + batch + ":" + ref
			if a.Amount > 0 {
				if _, err := EarnTx(ctx, tx, s.Ledger, sc.Program.ID, Earning{Member: ref, Amount: a.Amount, ClientID: id, Code: "grant", Ref: "reason:" + short(a.Reason)}); err != nil {
					return err
				}
			} else {
				t, err := SpendTransfer(ctx, tx, sc.Program.ID, ref, id, -a.Amount, "deduct", "reason:"+short(a.Reason))
				if err != nil {
					return err
				}
				rs, err := s.Ledger.ApplyTx(ctx, tx, sc.Program.ID, []ledger.Transfer{t})
				if err != nil {
					return err
				}
				if rs[0].Code == ledger.ExceedsCredits {
					have, _ := BalanceTx(ctx, tx, sc.Program.ID, ref)
					return fault.New(fault.LimitExceeded, "points.not_enough", "{member} has {balance} points, fewer than {amount}",
						fault.P{"member": ref, "balance": have, "amount": -a.Amount})
				}
				if err := rs[0].Err(); err != nil {
					return err
				}
				if err := TakeTx(ctx, tx, memberID, id, -a.Amount); err != nil {
					return err
				}
			}
			if err := program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "points.adjust", ObjectKind: "member", ObjectID: ref,
				After: map[string]any{"amount": a.Amount, "reason": a.Reason}}); err != nil {
				return err
			}
		}
		return nil
	})
	return len(seen), err
}

// short keeps a reason within a ledger ref.
func short(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		return string(r[:60])
	}
	return s
}

// Expire takes expired lots' remaining points out of their members'
// balances, oldest first, each lot once however often or wherever it runs:
// each lot is locked and its remaining read again before the transfer,
// whose client id names the lot.
func (s *Service) Expire(ctx context.Context) (int, error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:points-expiry", Name: "points expiry"})
	now := s.DB.Now().UnixMicro()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM point_lots WHERE remaining > 0 AND expires_at > 0 AND expires_at <= $1
		ORDER BY expires_at, id LIMIT 500`, now)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			var programID, remaining int64
			var memberRef string
			err := tx.QueryRowContext(ctx, `SELECT l.program_id, l.remaining, m.public_id FROM point_lots l JOIN members m ON m.id = l.member_id
				WHERE l.id = $1 AND l.remaining > 0 AND l.expires_at <= $2`+tx.ForUpdateOf("l"), id, tx.Now.UnixMicro()).Scan(&programID, &remaining, &memberRef)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // taken or spent meanwhile
			}
			if err != nil {
				return err
			}
			have, err := BalanceTx(ctx, tx, programID, memberRef)
			if err != nil {
				return err
			}
			take := min(remaining, have)
			if take > 0 {
				from, err := ledger.OpenAccountTx(ctx, tx, Account(programID, memberRef))
				if err != nil {
					return err
				}
				to, err := ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: programID, Asset: Asset, Code: "points_expired"})
				if err != nil {
					return err
				}
				rs, err := s.Ledger.ApplyTx(ctx, tx, programID, []ledger.Transfer{{ClientID: "expire:lot:" + itoa(id) + ":" + itoa(tx.Now.UnixMicro()),
					DebitAccountID: from.ID, CreditAccountID: to.ID, Amount: take, Code: "expire", Ref: "lot:" + itoa(id)}})
				if err != nil {
					return err
				}
				if err := rs[0].Err(); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE point_lots SET remaining = 0 WHERE id = $1`, id); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ExpiryMonths is how many months points last in the program (0: forever).
func (s *Service) ExpiryMonths(ctx context.Context, sc program.Scope) (int, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.R.QueryRowContext(ctx, `SELECT points_expiry_months FROM programs WHERE id = $1`, sc.Program.ID).Scan(&n)
	return n, err
}

// SetExpiryMonths sets how long points earned from now on last (0:
// forever, at most 60 months); points already earned keep their expiry.
func (s *Service) SetExpiryMonths(ctx context.Context, sc program.Scope, months int) (int, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return 0, err
	}
	if months < 0 || months > 60 {
		var f fault.Fields
		f.Range("months", 0, 60)
		return 0, f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT points_expiry_months FROM programs WHERE id = $1`+tx.ForUpdate(), sc.Program.ID).Scan(&before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE programs SET points_expiry_months = $2 WHERE id = $1`, sc.Program.ID, months); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "points.expiry", ObjectKind: "program",
			ObjectID: sc.Program.PublicID, Before: map[string]any{"months": before}, After: map[string]any{"months": months}})
	})
	return months, err
}
