package api

import (
	"kox/internal/db"
)

// Page is the query of every list: an opaque cursor from the previous page's
// next_cursor, and how many items to return.
type Page struct {
	Cursor string `query:"cursor" maxLength:"100" doc:"From the previous page's next_cursor; empty for the first page."`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page."`
}

// cursors are opaque to clients (db.Cursor).
func encodeCursor(id int64) string { return db.Cursor(id) }

func (p Page) before() (int64, error) { return db.ParseCursor(p.Cursor) }

func (p Page) limit() int {
	if p.Limit <= 0 {
		return 50
	}
	return p.Limit
}

// window is the page of a list kept in an order with no cursor column:
// the cursor here is the position after the previous page.
func (p Page) window() (db.Window, error) {
	offset, err := p.before()
	if err != nil {
		return db.Window{}, err
	}
	return db.Window{Offset: int(offset), Limit: p.limit()}, nil
}

// pageOf returns one page of a short list held whole (a program's keys, the
// programs one takes part in): the same cursor as window's.
func pageOf[T any](items []T, p Page) ([]T, string, error) {
	w, err := p.window()
	if err != nil {
		return nil, "", err
	}
	offset := min(w.Offset, len(items))
	end := min(offset+w.Limit, len(items))
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
