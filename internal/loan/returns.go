package loan

import (
	"context"
	"time"

	"kox/internal/db"
	"kox/internal/ladder"
	"kox/internal/notify"
	"kox/internal/program"
)

// Job is the scheduler's name for the overdue check.
const Job = "loans.overdue"

func init() { ladder.OnMove(askBack) }

// askBack follows a member's move between tiers: an open loan whose rung
// they no longer hold must come back within ReturnInDays (the day is set
// once and told to them); climbing back to the rung lifts it again.
func askBack(ctx context.Context, tx *db.Tx, programID, memberID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, public_id, ladder, min_tier, return_by, ends_on FROM loans
		WHERE member_id = $1 AND status IN ('reserved', 'on_loan') AND ladder <> ''`, memberID)
	type open struct {
		id                                  int64
		ref, ladder, tier, returnBy, endsOn string
	}
	ls, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (open, error) {
		var o open
		return o, r.Scan(&o.id, &o.ref, &o.ladder, &o.tier, &o.returnBy, &o.endsOn)
	})
	if err != nil || len(ls) == 0 {
		return err
	}
	day, err := program.Today(ctx, tx, programID, tx.Now)
	if err != nil {
		return err
	}
	ranks := ladder.NewRanks(tx, programID, memberID)
	for _, o := range ls {
		ok, err := ranks.AtLeast(ctx, o.ladder, o.tier)
		if err != nil {
			return err
		}
		switch {
		case ok && o.returnBy != "":
			if _, err := tx.ExecContext(ctx, `UPDATE loans SET return_by = '', return_reason = '', updated_at = $2 WHERE id = $1`, o.id, tx.Now.UnixMicro()); err != nil {
				return err
			}
		case !ok && o.returnBy == "":
			by := returnDay(day)
			if _, err := tx.ExecContext(ctx, `UPDATE loans SET return_by = $2, return_reason = 'tier', updated_at = $3 WHERE id = $1`, o.id, by, tx.Now.UnixMicro()); err != nil {
				return err
			}
			due := min(by, o.endsOn)
			if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.LoanReturnBy, MemberID: memberID, Subject: o.ref,
				Params: map[string]any{"day": due}}); err != nil {
				return err
			}
			if err := program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "loan.return_by", ObjectKind: "loan", ObjectID: o.ref,
				After: map[string]any{"return_by": by, "reason": "tier"}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// returnDay is the day a loan asked back on the local day today is due.
func returnDay(today string) string {
	t, _ := time.Parse(time.DateOnly, today)
	return t.AddDate(0, 0, ReturnInDays).Format(time.DateOnly)
}

// Overdue flags the loans whose unit is still out after its return day,
// each on the first local day it is late (the program's calendar, not
// UTC's): the member and the operators are told once.
func (s *Service) Overdue(ctx context.Context) (int, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT DISTINCT program_id FROM loans WHERE status = 'on_loan'`)
	programs, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range programs {
		k, err := db.Do(ctx, s.DB, func(tx *db.Tx) (int, error) {
			day, err := program.Today(ctx, tx, p, tx.Now)
			if err != nil {
				return 0, err
			}
			rows, err := tx.QueryContext(ctx, `SELECT l.id, l.public_id, l.member_id, m.name, u.vin, u.model, `+dueSQL+` FROM loans l
				JOIN loan_units u ON u.id = l.unit_id JOIN members m ON m.id = l.member_id
				WHERE l.program_id = $1 AND l.status = 'on_loan' AND l.overdue_told_on = '' AND `+dueSQL+` < $2`+tx.ForUpdateOf("l"), p, day)
			type late struct {
				id, member                 int64
				ref, name, vin, model, due string
			}
			ls, err := db.Collect(rows, err, func(r interface{ Scan(...any) error }) (late, error) {
				var x late
				return x, r.Scan(&x.id, &x.ref, &x.member, &x.name, &x.vin, &x.model, &x.due)
			})
			if err != nil {
				return 0, err
			}
			for _, x := range ls {
				if _, err := tx.ExecContext(ctx, `UPDATE loans SET overdue_told_on = $2 WHERE id = $1`, x.id, day); err != nil {
					return 0, err
				}
				params := map[string]any{"day": x.due, "vin": x.vin, "model": x.model, "member": x.name}
				for _, m := range []int64{x.member, 0} {
					if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: p, Kind: notify.LoanOverdue, MemberID: m, Subject: x.ref, Params: params}); err != nil {
						return 0, err
					}
				}
			}
			return len(ls), nil
		})
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}
