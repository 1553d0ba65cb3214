package member

import (
	"context"

	"kox/internal/db"
)

// LookupTx returns a program's member by public id inside tx, for packages
// that act on members (ladders, tasks) without reading members' tables.
func LookupTx(ctx context.Context, tx *db.Tx, programID int64, ref string) (Member, error) {
	return load(ctx, tx, tx.Engine, programID, ref)
}
