package db

import (
	"database/sql"
	"encoding/base64"
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

// AddFixed adds a condition with no parameter (its values are constants of
// the code, never input).
func (f *Filter) AddFixed(cond string) *Filter {
	f.conds = append(f.conds, cond)
	return f
}

// Cond is a condition with one parameter, written "$?", that one package
// hands another's list (members on a tier, from the ladders).
type Cond struct {
	SQL string
	Arg any
}

// AddCond adds c.
func (f *Filter) AddCond(c Cond) *Filter { return f.Add(c.SQL, c.Arg) }

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
		return fault.Field("query.limit", "range", "must be {min} to {max}", fault.P{"min": 1, "max": MaxLimit})
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

// Window is a page of a list kept in an order that has no cursor column (a
// team by join date, the account matrix by platform and layer): Offset rows
// skipped, Limit rows wanted.
type Window struct {
	Offset int
	Limit  int
}

// SQL returns " LIMIT $n OFFSET $n+1", numbered after the query's first
// params parameters, and its arguments; it asks for one row more than Limit
// so that Trim can tell whether a next page exists.
func (w Window) SQL(params int) (string, []any) {
	return " LIMIT $" + strconv.Itoa(params+1) + " OFFSET $" + strconv.Itoa(params+2), []any{w.Limit + 1, w.Offset}
}

// Trim cuts a window fetched with SQL to Limit and returns the offset of
// the next page, or 0 when there is none.
func Trim[T any](w Window, items []T) ([]T, int) {
	if len(items) <= w.Limit {
		return items, 0
	}
	return items[:w.Limit], w.Offset + w.Limit
}

// Cursor is the opaque cursor of a list's next page: "v1:" and the last id
// seen, base64url; "" when there is no next page.
func Cursor(id int64) string {
	if id == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(id, 10)))
}

// ParseCursor reads a cursor Cursor gave out ("" is the first page).
func ParseCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "v1:"); ok {
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, fault.Field("query.cursor", "cursor", "is not a cursor this API gave out")
}

// Contains is the LIKE pattern (with ESCAPE '\') for text holding q,
// lower-cased: a search box's words, their % and _ taken as themselves.
func Contains(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
}
