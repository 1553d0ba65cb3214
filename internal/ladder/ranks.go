package ladder

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"kox/internal/db"
)

// Ranks reads, once each, the member's rank on a ladder and a tier's rank:
// a list of tasks (or of catalog items) asks the same for many.
type Ranks struct {
	tx       *db.Tx
	memberID int64
	program  int64
	have     map[string]int           // ladder → the member's rank (0: on no tier)
	need     map[[2]string]rankResult // ladder, tier → the tier's rank
}

type rankResult struct {
	rank  int
	found bool
}

// NewRanks reads ranks in tx for one member.
func NewRanks(tx *db.Tx, programID, memberID int64) *Ranks {
	return &Ranks{tx: tx, memberID: memberID, program: programID, have: map[string]int{}, need: map[[2]string]rankResult{}}
}

// Member is the member's rank on a ladder (0: on no tier of it).
func (r *Ranks) Member(ctx context.Context, ladder string) (int, error) {
	if v, ok := r.have[ladder]; ok {
		return v, nil
	}
	var have int
	err := r.tx.QueryRowContext(ctx, `SELECT t.rank FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id JOIN ladders l ON l.id = mt.ladder_id
		WHERE mt.member_id = $1 AND l.key = $2 AND l.program_id = $3`, r.memberID, ladder, r.program).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	r.have[ladder] = have
	return have, nil
}

// Tier is a tier's rank; found is false for a tier the ladder lacks.
func (r *Ranks) Tier(ctx context.Context, ladder, tier string) (int, bool, error) {
	key := [2]string{ladder, tier}
	if v, ok := r.need[key]; ok {
		return v.rank, v.found, nil
	}
	var need int
	err := r.tx.QueryRowContext(ctx, `SELECT t.rank FROM tiers t JOIN ladders l ON l.id = t.ladder_id
		WHERE l.program_id = $1 AND l.key = $2 AND t.key = $3 AND t.retired_at = 0`, r.program, ladder, tier).Scan(&need)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	r.need[key] = rankResult{need, err == nil}
	return need, err == nil, nil
}

// AtLeast says the member stands at the tier of the ladder or above it (a
// tier the ladder lacks admits no one).
func (r *Ranks) AtLeast(ctx context.Context, ladder, tier string) (bool, error) {
	have, err := r.Member(ctx, ladder)
	if err != nil {
		return false, err
	}
	need, found, err := r.Tier(ctx, ladder, tier)
	return err == nil && found && have >= need, err
}

// Now is the transaction's time.
func (r *Ranks) Now() time.Time { return r.tx.Now }

// AtLeastSQL is AtLeast as an SQL condition, for a query over many members
// or many objects at once: the member (an SQL expression) stands at the
// tier or above on the ladder (expressions too) of the program.
func AtLeastSQL(program, member, ladder, tier string) string {
	return `EXISTS (SELECT 1 FROM member_tiers mt JOIN ladders l ON l.id = mt.ladder_id JOIN tiers have ON have.id = mt.tier_id
		JOIN tiers need ON need.ladder_id = l.id AND need.key = ` + tier + ` AND need.retired_at = 0
		WHERE mt.member_id = ` + member + ` AND l.program_id = ` + program + ` AND l.key = ` + ladder + ` AND have.rank >= need.rank)`
}
