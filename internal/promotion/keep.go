package promotion

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"kox/internal/db"
	"kox/internal/ladder"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Keep rules (SPEC L4): a member whose tier asks for activity (approved
// work within so many days, so few missed diary entries) and who slips is
// warned and given a grace period; recovering within it clears the
// warning, and at its end, still slipping, they go down one tier. Open
// claims the member holds stay theirs to finish; what they may take next
// follows their new tier.

// Warning states.
const (
	Warned    = "warned"
	Recovered = "recovered"
	Demoted   = "demoted"
	Moved     = "moved" // the member changed tier another way during the grace
)

// Warning is a keep rule's warning to a member.
type Warning struct {
	PublicID   string    `json:"id"`
	Member     string    `json:"member"`
	MemberName string    `json:"member_name"`
	Ladder     string    `json:"ladder"`
	Tier       string    `json:"tier"`
	Reason     string    `json:"reason" enum:"inactive,missed_occurrences"`
	Status     string    `json:"status" enum:"warned,recovered,demoted,moved"`
	WarnedAt   time.Time `json:"warned_at"`
	GraceUntil time.Time `json:"grace_until"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
}

// KeepResult is what a keep evaluation did.
type KeepResult struct {
	Warned    int `json:"warned"`
	Recovered int `json:"recovered"`
	Demoted   int `json:"demoted"`
}

// slipping says why the member breaks the tier's keep rule, or "".
type slip struct {
	memberID int64
	ref      string
	reason   string
}

// keepStep is a tier with a keep rule and the tier below it, where a
// demotion goes.
type keepStep struct {
	ladder ladder.Ladder
	tier   ladder.Tier
	below  ladder.Tier
}

func keepSteps(ls []ladder.Ladder) []keepStep {
	var out []keepStep
	for _, l := range ls {
		for i := 1; i < len(l.Tiers); i++ {
			if l.Tiers[i].Keep != nil {
				out = append(out, keepStep{ladder: l, tier: l.Tiers[i], below: l.Tiers[i-1]})
			}
		}
	}
	return out
}

// slips reads the tier's members with what their keep rule says of them.
func slips(ctx context.Context, q querier, programID int64, ks keepStep, now time.Time) (map[int64]slip, []int64, error) {
	r := ks.tier.Keep
	inactiveSince := now.Add(-time.Duration(r.InactiveDays) * 24 * time.Hour).UnixMicro()
	window := now.Add(-time.Duration(r.WindowDays) * 24 * time.Hour).UnixMicro()
	rows, err := q.QueryContext(ctx, `SELECT mt.member_id, m.public_id, mt.since,
		COALESCE((SELECT MAX(rv.created_at) FROM task_claims c JOIN submissions s ON s.claim_id = c.id JOIN reviews rv ON rv.submission_id = s.id
			WHERE c.program_id = $1 AND c.member_id = mt.member_id AND rv.decision = 'approved'), 0),
		(SELECT COUNT(*) FROM task_claims c JOIN task_occurrences o ON o.claim_id = c.id
			WHERE c.program_id = $1 AND c.member_id = mt.member_id AND o.status = 'missed' AND o.due_at >= $3 AND o.due_at >= mt.since)
		FROM member_tiers mt JOIN members m ON m.id = mt.member_id WHERE mt.program_id = $1 AND mt.tier_id = $2 AND m.status = 'active'`,
		programID, ks.tier.ID, window)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := map[int64]slip{}
	var all []int64
	for rows.Next() {
		var s slip
		var since, last, missed int64
		if err := rows.Scan(&s.memberID, &s.ref, &since, &last, &missed); err != nil {
			return nil, nil, err
		}
		all = append(all, s.memberID)
		switch {
		case r.InactiveDays > 0 && max(since, last) <= inactiveSince:
			s.reason = "inactive"
		case r.MissedOccurrences > 0 && missed >= int64(r.MissedOccurrences):
			s.reason = "missed_occurrences"
		default:
			continue
		}
		out[s.memberID] = s
	}
	return out, all, rows.Err()
}

// Keep applies every keep rule of the program: warnings, recoveries and
// demotions, each audited.
func (s *Service) Keep(ctx context.Context, sc program.Scope) (KeepResult, error) {
	if err := sc.Require(program.PermTiersAssign); err != nil {
		return KeepResult{}, err
	}
	return s.keep(ctx, sc.Program.ID)
}

// KeepAll applies every program's keep rules (the scheduler's job).
func (s *Service) KeepAll(ctx context.Context) (KeepResult, error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:keep", Name: "keep rules"})
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM programs ORDER BY id`)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return KeepResult{}, err
	}
	var total KeepResult
	for _, id := range ids {
		r, err := s.keep(ctx, id)
		if err != nil {
			return total, err
		}
		total.Warned, total.Recovered, total.Demoted = total.Warned+r.Warned, total.Recovered+r.Recovered, total.Demoted+r.Demoted
	}
	return total, nil
}

func (s *Service) keep(ctx context.Context, programID int64) (KeepResult, error) {
	var res KeepResult
	ls, err := ladder.LoadAll(ctx, s.DB, programID)
	if err != nil {
		return res, err
	}
	for _, ks := range keepSteps(ls) {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			now := tx.Now
			slipping, at, err := slips(ctx, tx, programID, ks, now)
			if err != nil {
				return err
			}
			here := map[int64]bool{}
			for _, id := range at {
				here[id] = true
			}
			open := map[int64]Warning{}
			ids := map[int64]int64{}
			rows, err := tx.QueryContext(ctx, `SELECT w.id, w.member_id, m.public_id, w.reason, w.grace_until FROM keep_warnings w JOIN members m ON m.id = w.member_id
				WHERE w.program_id = $1 AND w.tier_id = $2 AND w.status = 'warned'`, programID, ks.tier.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, m, grace int64
				var w Warning
				if err := rows.Scan(&id, &m, &w.Member, &w.Reason, &grace); err != nil {
					rows.Close()
					return err
				}
				w.GraceUntil = time.UnixMicro(grace).UTC()
				open[m], ids[m] = w, id
			}
			rows.Close()
			resolve := func(m int64, status string) error {
				_, err := tx.ExecContext(ctx, `UPDATE keep_warnings SET status = $2, resolved_at = $3 WHERE id = $1`, ids[m], status, now.UnixMicro())
				if err == nil {
					err = program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "keep." + status, ObjectKind: "member", ObjectID: open[m].Member,
						After: map[string]any{"ladder": ks.ladder.Key, "tier": ks.tier.Key, "reason": open[m].Reason}})
				}
				return err
			}
			for m, w := range open {
				sl, still := slipping[m]
				switch {
				case !here[m]:
					if err := resolve(m, Moved); err != nil {
						return err
					}
				case !still:
					if err := resolve(m, Recovered); err != nil {
						return err
					}
					res.Recovered++
				case !now.Before(w.GraceUntil):
					if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.Demoted, MemberID: m, Subject: ks.ladder.Key + "/" + ks.below.Key,
						Params: map[string]any{"tier_zh": ks.below.Name.Zh, "tier_en": ks.below.Name.En}}); err != nil {
						return err
					}
					if _, err := ladder.SetTierTx(ctx, tx, programID, sl.ref, ks.ladder.Key, ks.below.Key,
						fmt.Sprintf("keep rule of %s: %s through the grace period", ks.tier.Key, sl.reason)); err != nil {
						return err
					}
					if err := resolve(m, Demoted); err != nil {
						return err
					}
					res.Demoted++
				}
			}
			for m, sl := range slipping {
				if _, warned := open[m]; warned {
					continue
				}
				grace := now.Add(time.Duration(ks.tier.Keep.GraceDays) * 24 * time.Hour)
				ref := pubid.New("kpw")
				if _, err := tx.ExecContext(ctx, `INSERT INTO keep_warnings (program_id, public_id, member_id, tier_id, reason, warned_at, grace_until)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, programID, ref, m, ks.tier.ID, sl.reason, now.UnixMicro(), grace.UnixMicro()); err != nil {
					return err
				}
				if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.Warned, MemberID: m, Subject: ks.ladder.Key + "/" + ks.tier.Key,
					Params: map[string]any{"tier_zh": ks.tier.Name.Zh, "tier_en": ks.tier.Name.En, "until": grace.Format("2006-01-02"), "reason": sl.reason}}); err != nil {
					return err
				}
				if err := program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "keep.warned", ObjectKind: "member", ObjectID: sl.ref,
					After: map[string]any{"ladder": ks.ladder.Key, "tier": ks.tier.Key, "reason": sl.reason, "grace_until": grace}}); err != nil {
					return err
				}
				res.Warned++
			}
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

const warningCols = `w.public_id, m.public_id, m.name, l.key, t.key, w.reason, w.status, w.warned_at, w.grace_until, w.resolved_at`

const warningFrom = ` FROM keep_warnings w JOIN members m ON m.id = w.member_id JOIN tiers t ON t.id = w.tier_id JOIN ladders l ON l.id = t.ladder_id`

func scanWarning(r interface{ Scan(...any) error }) (Warning, error) {
	var w Warning
	var warned, grace, resolved int64
	err := r.Scan(&w.PublicID, &w.Member, &w.MemberName, &w.Ladder, &w.Tier, &w.Reason, &w.Status, &warned, &grace, &resolved)
	w.WarnedAt, w.GraceUntil = time.UnixMicro(warned).UTC(), time.UnixMicro(grace).UTC()
	if resolved > 0 {
		w.ResolvedAt = time.UnixMicro(resolved).UTC()
	}
	return w, err
}

// Warnings lists the program's keep warnings in a status (warned: the
// members in their grace period), newest first; with member set, that
// member's (a member reads their own).
func (s *Service) Warnings(ctx context.Context, sc program.Scope, status, memberRef string, limit int) ([]Warning, error) {
	if sc.Actor.Kind == program.ActorMember {
		memberRef = sc.Actor.PublicID
	} else if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, err
	}
	w := db.Where("w.program_id = $1", sc.Program.ID)
	if status != "" {
		w.Add("w.status = $?", status)
	}
	if memberRef != "" {
		w.Add("m.public_id = $?", memberRef)
	}
	where, args := w.Page("w.id DESC", limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+warningCols+warningFrom+where, args...)
	ws, err := db.Collect(rows, err, scanWarning)
	if len(ws) > limit {
		ws = ws[:limit]
	}
	if ws == nil {
		ws = []Warning{}
	}
	return ws, err
}
