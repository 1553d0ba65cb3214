package promotion

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// The records promotion rules read besides members' work: compliance
// strikes (an undisclosed ad, a post against the brand's rules) and
// nominations for a tier (a mentor's, or an operator's).

// Mark is a strike or a nomination as listed.
type Mark struct {
	ID     string    `json:"id"`
	Kind   string    `json:"kind" enum:"strike,nomination"`
	Member string    `json:"member"`
	Tier   string    `json:"tier,omitempty" doc:"Nominations: ladder/tier."`
	Reason string    `json:"reason"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

func reasonCheck(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		var f fault.Fields
		f.Length("reason", 1, 500)
		return "", f.Err()
	}
	return reason, nil
}

// Strike records a compliance strike against a member (audited).
func (s *Service) Strike(ctx context.Context, sc program.Scope, memberRef, reason string) (Mark, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Mark{}, err
	}
	reason, err := reasonCheck(reason)
	if err != nil {
		return Mark{}, err
	}
	mk := Mark{ID: pubid.New("stk"), Kind: "strike", Member: memberRef, Reason: reason, Actor: sc.Actor.Name}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, memberRef)
		if err != nil {
			return err
		}
		mk.At = tx.Now.UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_strikes (program_id, public_id, member_id, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			sc.Program.ID, mk.ID, m.ID, reason, sc.Actor.Name, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "member.strike", ObjectKind: "member", ObjectID: m.PublicID,
			After: map[string]any{"reason": reason}})
	})
	return mk, err
}

// Nominate records a nomination of a member for a tier (ladder/tier),
// which a nominated criterion counts while the member stays on their tier.
func (s *Service) Nominate(ctx context.Context, sc program.Scope, memberRef, tierRef, reason string) (Mark, error) {
	if err := sc.Require(program.PermTiersAssign); err != nil {
		return Mark{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Mark, error) {
		return NominateTx(ctx, tx, sc.Program.ID, memberRef, tierRef, reason, sc.Actor.Name)
	})
}

// NominateTx records a nomination in tx, for whoever may nominate: an
// operator, or a mentor their newcomer (SPEC A4).
func NominateTx(ctx context.Context, tx *db.Tx, programID int64, memberRef, tierRef, reason, actor string) (Mark, error) {
	reason, err := reasonCheck(reason)
	if err != nil {
		return Mark{}, err
	}
	lk, tk, ok := strings.Cut(tierRef, "/")
	if !ok {
		return Mark{}, fault.Field("tier", "tier_ref", "must be ladder/tier, such as main/experience")
	}
	mk := Mark{ID: pubid.New("nom"), Kind: "nomination", Member: memberRef, Tier: tierRef, Reason: reason, Actor: actor}
	m, err := member.LookupTx(ctx, tx, programID, memberRef)
	if err != nil {
		return Mark{}, err
	}
	ls, err := ladder.LoadTx(ctx, tx, programID)
	if err != nil {
		return Mark{}, err
	}
	var tier ladder.Tier
	for _, l := range ls {
		if l.Key == lk {
			tier, _ = l.Tier(tk)
		}
	}
	if tier.ID == 0 {
		return Mark{}, fault.Field("tier", "not_found", "does not exist")
	}
	mk.At = tx.Now.UTC()
	if _, err := tx.ExecContext(ctx, `INSERT INTO tier_nominations (program_id, public_id, member_id, tier_id, note, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		programID, mk.ID, m.ID, tier.ID, reason, actor, tx.Now.UnixMicro()); err != nil {
		return Mark{}, err
	}
	return mk, program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "member.nominate", ObjectKind: "member", ObjectID: m.PublicID,
		After: map[string]any{"tier": tierRef, "reason": reason, "by": actor}})
}

// Marks lists a member's strikes and nominations, newest first.
func (s *Service) Marks(ctx context.Context, sc program.Scope, memberRef string) ([]Mark, error) {
	m, err := (&member.Service{DB: s.DB}).Get(ctx, sc, memberRef)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT public_id, 'strike', '', reason, actor, at FROM member_strikes WHERE member_id = $1
		UNION ALL SELECT n.public_id, 'nomination', l.key || '/' || t.key, n.note, n.actor, n.at FROM tier_nominations n
		JOIN tiers t ON t.id = n.tier_id JOIN ladders l ON l.id = t.ladder_id WHERE n.member_id = $1 ORDER BY 6 DESC LIMIT 100`, m.ID)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Mark, error) {
		var x Mark
		var at int64
		err := r.Scan(&x.ID, &x.Kind, &x.Tier, &x.Reason, &x.Actor, &at)
		x.Member, x.At = m.PublicID, time.UnixMicro(at).UTC()
		return x, err
	})
	if out == nil {
		out = []Mark{}
	}
	return out, err
}
