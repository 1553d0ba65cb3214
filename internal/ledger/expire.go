package ledger

import (
	"context"
	"fmt"
)

// ExpireCode is the code of the void that ends a pending transfer whose
// timeout passed.
const ExpireCode = "expired"

// ExpirePending voids the pending transfers whose timeout has passed, up to
// limit of them, and returns how many it voided. Safe to run from several
// processes at once: a pending is settled at most once, so a race only means
// one of them finds it already voided.
func (l *Ledger) ExpirePending(ctx context.Context, limit int) (int, error) {
	now := l.db.Now().UnixMicro()
	rows, err := l.db.R.QueryContext(ctx, `SELECT p.program_id, t.client_id FROM ledger_pending p
		JOIN ledger_transfers t ON t.id = p.transfer_id
		WHERE p.timeout_at IS NOT NULL AND p.timeout_at <= $1
		ORDER BY p.timeout_at LIMIT $2`, now, limit)
	if err != nil {
		return 0, fmt.Errorf("expire pending: %w", err)
	}
	byProgram := map[int64][]Transfer{}
	for rows.Next() {
		var program int64
		var clientID string
		if err := rows.Scan(&program, &clientID); err != nil {
			rows.Close()
			return 0, err
		}
		byProgram[program] = append(byProgram[program], Transfer{
			ClientID: "expire:" + clientID, Kind: Void, Pending: clientID, Code: ExpireCode,
		})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	voided := 0
	for program, ts := range byProgram {
		rs, err := l.Transfer(ctx, program, ts)
		if err != nil {
			return voided, fmt.Errorf("expire pending: %w", err)
		}
		for _, r := range rs {
			if r.Code == OK && !r.Replayed {
				voided++
			}
		}
	}
	return voided, nil
}

// ExpireAll voids every pending transfer whose timeout has passed, a
// thousand at a time.
func (l *Ledger) ExpireAll(ctx context.Context) error {
	for {
		n, err := l.ExpirePending(ctx, 1000)
		if err != nil || n < 1000 {
			return err
		}
	}
}
