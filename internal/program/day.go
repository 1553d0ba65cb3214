package program

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// Days on the program's calendar, written YYYY-MM-DD: a loan's start and
// end, a council seat's term. They are compared as strings.

// Today is the program's local day at now.
func Today(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, programID int64, now time.Time) (string, error) {
	var tz string
	if err := q.QueryRowContext(ctx, `SELECT time_zone FROM programs WHERE id = $1`, programID).Scan(&tz); err != nil {
		return "", err
	}
	return now.In(Program{TimeZone: tz}.Location()).Format(time.DateOnly), nil
}

// ParseDay reads a day written YYYY-MM-DD.
func ParseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}
