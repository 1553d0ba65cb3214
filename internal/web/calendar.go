package web

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"kox/internal/loan"
	"kox/internal/program"
	"kox/internal/web/components"
)

// calendar is a month of the program's events and loans, in its time
// zone: each event on its day, each loan on the day its car goes out and
// the day it is due back (late ones in red), with the same as a list.
func (s *Server) calendar(q *request, sc program.Scope) error {
	loc := sc.Program.Location()
	now := s.Events.DB.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if m, err := time.ParseInLocation("2006-01", q.r.URL.Query().Get("month"), loc); err == nil {
		first = m
	}
	last := first.AddDate(0, 1, -1)
	es, err := s.Events.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	ls, err := s.Loans.List(q.ctx, sc, loan.LoanFilter{From: first.Format(time.DateOnly), To: last.Format(time.DateOnly)})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	type entry struct {
		day string
		components.CalendarEntry
	}
	var all []entry
	for _, e := range es {
		if e.Status == "cancelled" {
			continue
		}
		all = append(all, entry{e.StartsAt.In(loc).Format(time.DateOnly), components.CalendarEntry{Href: base + "/events/" + e.PublicID, Label: e.Title, Kind: "event"}})
	}
	for _, l := range ls {
		if l.Status == loan.LoanCancelled {
			continue
		}
		href := base + "/loans/" + l.PublicID
		all = append(all, entry{l.StartsOn, components.CalendarEntry{Href: href, Label: l.MemberName + " · " + l.Model, Kind: "loan-out"}})
		due := "loan-due"
		if l.Overdue {
			due = "loan-late"
		}
		if l.Status != loan.LoanReturned {
			all = append(all, entry{l.DueOn, components.CalendarEntry{Href: href, Label: l.MemberName + " · " + l.VIN, Kind: due}})
		}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return strings.Compare(a.day, b.day) })
	v := components.CalendarView{Title: t("calendar.title"), Month: first.Format("2006-01"),
		Prev: base + "/calendar?month=" + first.AddDate(0, -1, 0).Format("2006-01"), Next: base + "/calendar?month=" + first.AddDate(0, 1, 0).Format("2006-01"),
		Legend: []components.Pair{{Name: "event", Value: t("calendar.event")}, {Name: "loan-out", Value: t("calendar.loan_out")},
			{Name: "loan-due", Value: t("calendar.loan_due")}, {Name: "loan-late", Value: t("loans.overdue")}},
		List: components.Table{Head: []string{t("calendar.day"), t("calendar.what"), t("events.name")}, Empty: t("calendar.none")}}
	for i := range 7 {
		v.Weekdays = append(v.Weekdays, t("weekday."+strconv.Itoa((i+1)%7)))
	}
	byDay := map[string][]components.CalendarEntry{}
	for _, e := range all {
		if e.day < first.Format(time.DateOnly) || e.day > last.Format(time.DateOnly) {
			continue
		}
		byDay[e.day] = append(byDay[e.day], e.CalendarEntry)
		v.List.Rows = append(v.List.Rows, []string{e.day, t("calendar." + map[string]string{"event": "event", "loan-out": "loan_out", "loan-due": "loan_due", "loan-late": "loan_due"}[e.Kind]), e.Label})
		v.List.Links = append(v.List.Links, e.Href)
	}
	// Weeks start on Monday, as in China.
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	today := now.Format(time.DateOnly)
	for d := start; !d.After(last) || d.Weekday() != time.Monday; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			v.Weeks = append(v.Weeks, nil)
		}
		key := d.Format(time.DateOnly)
		w := &v.Weeks[len(v.Weeks)-1]
		*w = append(*w, components.CalendarDay{Day: d.Day(), Out: d.Month() != first.Month(), Today: key == today, Entries: byDay[key]})
	}
	return q.render(200, components.Calendar(q.nav(), v))
}
