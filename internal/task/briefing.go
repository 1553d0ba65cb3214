package task

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
)

// A task a briefing links (SPEC A1: "share your first impressions") opens
// at the briefing's embargo, and only to members who read it. Until then
// it is not listed at all, so its title cannot tell what the embargo hides.

// notBeforeItsBriefing keeps out of a member's list a task whose briefing
// has not opened yet at $? (now).
const notBeforeItsBriefing = `NOT EXISTS (SELECT 1 FROM briefings b WHERE b.program_id = tasks.program_id AND b.task = tasks.public_id
	AND b.status = 'published' AND (CASE WHEN b.public_at > 0 THEN b.public_at ELSE b.release_at END) > $?)`

// readFirst says why m may not take t yet when a briefing links it: it is
// not open, or they have not read the briefing.
func readFirst(ctx context.Context, tx *db.Tx, t Task, m member.Member) (*fault.Error, error) {
	var brief string
	var opens int64
	var read bool
	err := tx.QueryRowContext(ctx, `SELECT b.public_id, CASE WHEN b.public_at > 0 THEN b.public_at ELSE b.release_at END,
		EXISTS (SELECT 1 FROM briefing_reads r WHERE r.briefing_id = b.id AND r.member_id = $3)
		FROM briefings b WHERE b.program_id = $1 AND b.task = $2 AND b.status = 'published'`, t.ProgramID, t.PublicID, m.ID).Scan(&brief, &opens, &read)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if tx.Now.Before(time.UnixMicro(opens)) {
		return fault.New(fault.NotFound, "task.not_found", "task {ref} not found", fault.P{"ref": t.PublicID}), nil
	}
	if !read {
		return fault.New(fault.Forbidden, "task.read_briefing", "read the briefing first: the task is for its readers", fault.P{"briefing": brief}), nil
	}
	return nil, nil
}
