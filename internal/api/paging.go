package api

import (
	"encoding/base64"
	"strconv"
	"strings"

	"kox/internal/fault"
)

// Page is the query of every list: an opaque cursor from the previous page's
// next_cursor, and how many items to return.
type Page struct {
	Cursor string `query:"cursor" maxLength:"100" doc:"From the previous page's next_cursor; empty for the first page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page."`
}

// cursors are opaque to clients: "v1:" and the last id seen, base64url.
func encodeCursor(id int64) string {
	if id == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.FormatInt(id, 10)))
}

func (p Page) before() (int64, error) {
	if p.Cursor == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), "v1:"); ok {
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	var f fault.Fields
	f.Add("query.cursor", "is not a cursor this API gave out")
	return 0, f.Err()
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return 50
	}
	return p.Limit
}

// pageOf returns one page of a short list held whole (a team, a program's
// keys, a member's notes): the same cursor and limit as every other list,
// the cursor here being the position after the page.
func pageOf[T any](items []T, p Page) ([]T, string, error) {
	offset, err := p.before()
	if err != nil {
		return nil, "", err
	}
	if offset > int64(len(items)) {
		offset = int64(len(items))
	}
	end := min(int(offset)+p.limit(), len(items))
	page := items[offset:end]
	next := ""
	if end < len(items) {
		next = encodeCursor(int64(end))
	}
	if page == nil {
		page = []T{}
	}
	return page, next, nil
}
