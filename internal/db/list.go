package db

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"kox/internal/fault"
)

// MaxLimit is the most items one page of a list returns.
const MaxLimit = 500

// Filter builds the conditions of a list query, numbering each condition's
// parameter as it is added, so that list methods say only what they filter.
type Filter struct {
	conds []string
	args  []any
}

// Where starts a filter with a condition on $1 (the program, as a rule).
func Where(cond string, arg any) *Filter { return &Filter{conds: []string{cond}, args: []any{arg}} }

// Add adds a condition; every "$?" in it stands for v.
func (f *Filter) Add(cond string, v any) *Filter {
	f.args = append(f.args, v)
	f.conds = append(f.conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(f.args))))
	return f
}

// AddIn keeps rows whose col is one of ids, passed as one parameter so that
// it numbers like any other: an array on PostgreSQL, a JSON array on SQLite.
// No ids match nothing.
func (f *Filter) AddIn(e Engine, col string, ids []int64) *Filter {
	if len(ids) == 0 {
		f.conds = append(f.conds, "1 = 0")
		return f
	}
	if e == Postgres {
		return f.Add(col+" = ANY($?)", ids)
	}
	b, _ := json.Marshal(ids)
	return f.Add(col+" IN (SELECT value FROM json_each($?))", string(b))
}

// Page returns " WHERE … ORDER BY order LIMIT $n" and the arguments, asking
// for one row more than limit so that TrimPage can tell whether a next page
// exists.
func (f *Filter) Page(order string, limit int) (string, []any) {
	args := append(f.args, limit+1)
	return " WHERE " + strings.Join(f.conds, " AND ") + " ORDER BY " + order + " LIMIT $" + strconv.Itoa(len(args)), args
}

// CheckLimit says whether a page size is allowed, naming the query field.
func CheckLimit(limit int) error {
	if limit <= 0 || limit > MaxLimit {
		var f fault.Fields
		f.Addf("query.limit", "must be 1 to %d", MaxLimit)
		return f.Err()
	}
	return nil
}

// TrimPage cuts a page fetched with Page to limit and returns the cursor of
// the next page: the id of its last item, or 0 when there is no next page.
func TrimPage[T any](items []T, limit int, id func(T) int64) ([]T, int64) {
	if len(items) <= limit {
		return items, 0
	}
	items = items[:limit]
	return items, id(items[limit-1])
}

// Collect scans every row with scan and closes rows.
func Collect[T any, S interface{ Scan(...any) error }](rows *sql.Rows, err error, scan func(S) (T, error)) ([]T, error) {
	if err != nil {
		return nil, MapError(err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(any(rows).(S))
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
