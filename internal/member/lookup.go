package member

import (
	"context"
	"fmt"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
)

// LookupTx returns a program's member by public id inside tx, with their
// tags but not their social accounts, for packages that act on members
// (ladders, tasks) without reading members' tables. It is on the claim's
// path, so it reads the member and the tags in one query.
func LookupTx(ctx context.Context, tx *db.Tx, programID int64, ref string) (Member, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+memberColsM+`, coalesce(t.tag, '')
		FROM members m LEFT JOIN member_tags t ON t.member_id = m.id
		WHERE m.program_id = $1 AND m.public_id = $2 ORDER BY t.tag`, programID, ref)
	if err != nil {
		return Member{}, fmt.Errorf("member: %w", db.MapError(err))
	}
	defer rows.Close()
	var m Member
	found := false
	for rows.Next() {
		var tag string
		x, err := scanMember(rows, &tag)
		if err != nil {
			return Member{}, err
		}
		if !found {
			m, found = x, true
		}
		if tag != "" {
			m.Tags = append(m.Tags, tag)
		}
	}
	if err := rows.Err(); err != nil {
		return Member{}, err
	}
	if !found {
		return Member{}, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": ref})
	}
	return m, nil
}

// memberColsM is memberCols of the table called m.
var memberColsM = "m." + strings.ReplaceAll(memberCols, ", ", ", m.")
