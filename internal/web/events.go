package web

import (
	"strconv"
	"strings"

	"kox/internal/event"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// events lists the program's events, soonest first, with seats taken and
// the waitlist; a role that may write tasks writes a new one.
func (s *Server) events(q *request, sc program.Scope) error {
	return s.renderEvents(q, sc, event.EventInput{Kind: event.TrackDay, Allocation: event.FirstCome, Capacity: 30}, nil)
}

func (s *Server) renderEvents(q *request, sc program.Scope, in event.EventInput, r *refused) error {
	es, err := s.Events.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug + "/events"
	v := components.RecordView{Title: t("events.title"), Help: t("events.help"), Flash: flash(q)}
	v.List = components.Table{Head: []string{t("events.name"), t("events.kind"), t("events.when"), t("events.where"), t("events.allocation"),
		t("events.taken"), t("events.waitlisted"), t("events.status")}, Empty: t("events.none")}
	for _, e := range es {
		v.List.Rows = append(v.List.Rows, []string{e.Title, t("eventkind." + string(e.Kind)), q.when(sc, e.StartsAt), e.City + " " + e.Venue,
			t("allocation." + string(e.Allocation)), i18n.Number(lang, e.Taken) + " / " + i18n.Number(lang, int64(e.Capacity)),
			i18n.Number(lang, int64(e.Waiting)), t("eventstatus." + e.Status)})
		v.List.Links = append(v.List.Links, base+"/"+e.PublicID)
	}
	if program.Can(sc.Role, program.PermTasksWrite) {
		tiers, err := s.tierOptions(q, sc, " +")
		if err != nil {
			return q.problem(err)
		}
		tier := ""
		if in.MinTier != "" {
			tier = in.Ladder + "/" + in.MinTier
		}
		loc := sc.Program.Location()
		stories, err := s.storyTaskOptions(q, sc)
		if err != nil {
			return q.problem(err)
		}
		v.Forms = []components.Form{{Title: t("events.new"), Action: base, Test: "event-form", Submit: t("events.create"), Wide: true,
			Fields: []components.Field{
				{Name: "kind", Label: t("events.kind"), Kind: "select", Value: string(in.Kind), Options: q.options("eventkind", fault.Names(event.Kinds))},
				{Name: "title", Label: t("events.name"), Value: in.Title},
				{Name: "city", Label: t("events.city"), Value: in.City},
				{Name: "venue", Label: t("events.venue"), Value: in.Venue},
				{Name: "starts_at", Label: t("events.when"), Kind: "datetime-local", Value: dayInput(in.StartsAt, loc)},
				{Name: "ends_at", Label: t("events.ends"), Kind: "datetime-local", Value: dayInput(in.EndsAt, loc)},
				{Name: "capacity", Label: t("events.capacity"), Kind: "number", Value: strconv.Itoa(in.Capacity)},
				{Name: "allocation", Label: t("events.allocation"), Kind: "select", Value: string(in.Allocation), Options: q.options("allocation", fault.Names(event.Allocations))},
				{Name: "tier", Label: t("events.min_tier"), Kind: "select", Value: tier, Options: append([]components.Option{{Value: "", Label: "—"}}, tiers...)},
				{Name: "region", Label: t("members.region"), Value: in.Region},
				{Name: "campaign", Label: t("taskform.campaign"), Value: in.Campaign},
				{Name: "description", Label: t("events.description"), Kind: "textarea", Value: in.Description},
				{Name: "opens_at", Label: t("events.opens_at"), Kind: "datetime-local", Value: dayInput(in.OpensAt, loc), Help: t("events.opens_help")},
				{Name: "story_task", Label: t("events.story_task"), Kind: "select", Value: in.StoryTask, Options: stories, Help: t("events.story_help")},
			}}}
		v.Forms[0].Fields = append(v.Forms[0].Fields, windowFields(t, tiers, in.Windows, loc)...)
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// storyTaskOptions are the tasks an event's attendees may be assigned
// afterwards (assigned mode, draft or published), after none.
func (s *Server) storyTaskOptions(q *request, sc program.Scope) ([]components.Option, error) {
	out := []components.Option{{Value: "", Label: components.T(q.ctx, "events.no_story")}}
	for _, st := range []task.Status{task.Draft, task.Published} {
		ts, _, err := s.Tasks.List(q.ctx, sc, task.Filter{Mode: task.Assigned, Status: st, Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, x := range ts {
			out = append(out, components.Option{Value: x.PublicID, Label: x.Title + " · " + components.T(q.ctx, "taskstatus."+string(x.Status))})
		}
	}
	return out, nil
}

func (s *Server) createEvent(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := event.EventInput{Kind: event.Kind(f.str("kind")), Title: f.str("title"), City: f.str("city"), Venue: f.str("venue"), StartsAt: f.when("starts_at"),
		EndsAt: f.when("ends_at"), Capacity: int(f.int("capacity")), Allocation: event.Allocation(f.str("allocation")), Region: f.str("region"),
		Description: f.str("description"), Campaign: f.str("campaign"), OpensAt: f.when("opens_at"), StoryTask: f.str("story_task"), Windows: f.windows()}
	in.Ladder, in.MinTier, _ = strings.Cut(f.str("tier"), "/")
	var e event.Gathering
	var err error
	if f.bad.Err() == nil {
		e, err = s.Events.Create(q.ctx, sc, in)
	}
	return q.settle("event-form", err, f.bad, "/p/"+sc.Program.Slug+"/events/"+e.PublicID+"?done=saved", func(r *refused) error {
		return s.renderEvents(q, sc, in, r)
	})
}

// eventPage is one event: its figures, the seats (the waitlist in order),
// and for a role that may write tasks: publish, the door's check-in by the
// ticket's code, a seat assigned, each seat's cancel or selection.
func (s *Server) eventPage(q *request, sc program.Scope) error { return s.renderEvent(q, sc, nil) }

func (s *Server) renderEvent(q *request, sc program.Scope, r *refused) error {
	e, err := s.Events.Get(q.ctx, sc, q.r.PathValue("event"))
	if err != nil {
		return q.problem(err)
	}
	status := q.r.URL.Query().Get("status")
	offset, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	xs, next, err := s.Events.SeatsPage(q.ctx, sc, e.PublicID, status, 200, int(offset))
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug + "/events/" + e.PublicID
	write := program.Can(sc.Role, program.PermTasksWrite)
	v := components.RecordView{Pretitle: t("eventkind." + string(e.Kind)), Title: e.Title, Status: t("eventstatus." + e.Status), Flash: flash(q), Help: e.Description,
		Stats: []components.Stat{{Label: t("events.taken"), Value: i18n.Number(lang, e.Taken) + " / " + i18n.Number(lang, int64(e.Capacity))},
			{Label: t("events.waitlisted"), Value: i18n.Number(lang, int64(e.Waiting))}},
		Facts: []components.Fact{{Label: t("events.when"), Value: q.when(sc, e.StartsAt) + " — " + q.when(sc, e.EndsAt)},
			{Label: t("events.where"), Value: e.City + " " + e.Venue}, {Label: t("events.allocation"), Value: t("allocation." + string(e.Allocation))},
			{Label: t("events.min_tier"), Value: orDash(e.MinTier)}, {Label: t("members.region"), Value: orDash(e.Region)},
			{Label: t("taskform.campaign"), Value: orDash(e.Campaign)}}}
	if !e.OpensAt.IsZero() {
		v.Facts = append(v.Facts, components.Fact{Label: t("events.opens_at"), Value: q.when(sc, e.OpensAt)})
	}
	for _, w := range e.Windows {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.window_tier") + " " + w.Ladder + "/" + w.Tier, Value: q.when(sc, w.OpensAt)})
	}
	if e.StoryTask != "" {
		story := e.StoryTask + " · " + t("events.story_after")
		if !e.StoriesAt.IsZero() {
			story = e.StoryTask + " · " + t("events.story_given") + " " + q.when(sc, e.StoriesAt)
		}
		v.Facts = append(v.Facts, components.Fact{Label: t("events.story_task"), Value: story})
		v.Buttons = append(v.Buttons, components.Button{Label: t("events.story_task"), Href: "/p/" + sc.Program.Slug + "/tasks/" + e.StoryTask, Class: "btn-outline-secondary"})
	}
	if write && e.CallableOff(s.Events.DB.Now()) {
		v.Forms = append(v.Forms, components.Form{Title: t("events.call_off"), Help: t("events.cancel_help"), Action: base + "/cancel", Test: "cancel-event-form",
			Submit: t("events.call_off"), Danger: true, Fields: []components.Field{{Name: "reason", Label: t("events.cancel_reason")}}})
	}
	if write && e.Status == "published" {
		v.Buttons = append(v.Buttons, components.Button{Label: t("events.door_page"), Href: base + "/door", Class: "btn-outline-primary", Test: "door-link"})
	}
	if write && e.Status == "draft" {
		v.Buttons = append(v.Buttons, components.Button{Label: t("events.publish"), Action: base + "/publish", Test: "publish-event"})
	}
	v.List = components.Table{Action: base, Empty: t("events.no_seats"),
		Filters: []components.Filter{{Name: "status", Label: t("events.status"), Value: status,
			Options: q.options("seat", []string{event.Going, event.Applied, event.Waitlisted, event.Offered, event.Cancelled, event.Declined, event.Expired, event.Rejected})}},
		Head: []string{t("awards.member"), t("events.status"), t("events.place"), t("events.checked_in"), t("kits.updated")},
		Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(int64(next)))}
	for _, x := range xs {
		place := ""
		if x.Position > 0 {
			place = strconv.FormatInt(x.Position, 10)
		}
		st := t("seat." + x.Status)
		if !x.OfferedUntil.IsZero() {
			st += " · " + q.when(sc, x.OfferedUntil)
		}
		v.List.Rows = append(v.List.Rows, []string{x.MemberName, st, place, q.when(sc, x.CheckedInAt), q.when(sc, x.UpdatedAt)})
		var acts []components.Button
		if write && x.Status == event.Applied {
			acts = append(acts, components.Button{Label: t("events.select"), Action: "/p/" + sc.Program.Slug + "/seats/" + x.PublicID + "/selection",
				Hidden: []components.Pair{{Name: "chosen", Value: "1"}}, Class: "btn-sm btn-outline-primary", Test: "select-seat"},
				components.Button{Label: t("events.reject"), Action: "/p/" + sc.Program.Slug + "/seats/" + x.PublicID + "/selection",
					Hidden: []components.Pair{{Name: "chosen", Value: "0"}}, Class: "btn-sm btn-outline-secondary", Test: "reject-seat"})
		}
		if write && x.Answerable() {
			// The member answered the offer on WeCom or by phone.
			acts = append(acts, components.Button{Label: t("events.accept_for"), Action: "/p/" + sc.Program.Slug + "/seats/" + x.PublicID + "/answer",
				Hidden: []components.Pair{{Name: "accept", Value: "1"}}, Class: "btn-sm btn-outline-primary", Test: "accept-for"},
				components.Button{Label: t("events.decline_for"), Action: "/p/" + sc.Program.Slug + "/seats/" + x.PublicID + "/answer",
					Hidden: []components.Pair{{Name: "accept", Value: "0"}}, Class: "btn-sm btn-outline-secondary", Test: "decline-for"})
		}
		if write && x.Cancellable() {
			acts = append(acts, components.Button{Label: t("events.cancel"), Action: "/p/" + sc.Program.Slug + "/seats/" + x.PublicID + "/cancel",
				Class: "btn-sm btn-outline-danger", Test: "cancel-seat"})
		}
		v.List.Actions = append(v.List.Actions, acts)
	}
	if program.Can(sc.Role, program.PermBudgetRead) {
		cs, total, err := s.Events.Costs(q.ctx, sc, e.PublicID)
		if err != nil {
			return q.problem(err)
		}
		ct := components.Table{Head: []string{t("kits.updated"), t("events.cost_kind"), t("events.amount"), t("member.note")}, Empty: t("events.no_costs")}
		for _, c := range cs {
			ct.Rows = append(ct.Rows, []string{q.when(sc, c.CreatedAt), t("eventcost." + c.Kind), i18n.Money(lang, sc.Program.Currency, c.Amount), c.Note})
		}
		v.Sections = append(v.Sections, components.Section{Title: t("events.costs") + " · " + i18n.Money(lang, sc.Program.Currency, total), Table: ct})
	}
	if program.Can(sc.Role, program.PermBudgetWrite) {
		lines, err := s.lineOptions(q, sc)
		if err != nil {
			return q.problem(err)
		}
		v.Forms = append(v.Forms, components.Form{Title: t("events.add_cost"), Help: t("events.cost_help"), Action: base + "/costs", Test: "cost-form",
			Submit: t("events.add_cost"), Fields: []components.Field{
				{Name: "kind", Label: t("events.cost_kind"), Kind: "select", Options: q.options("eventcost", event.CostKinds)},
				{Name: "budget_line", Label: t("taskform.budget_line"), Kind: "select", Options: lines},
				{Name: "amount", Label: t("events.amount"), Help: t("events.amount_help")},
				{Name: "note", Label: t("member.note")}}})
	}
	if write && e.Status == "published" {
		v.Forms = append(v.Forms, []components.Form{
			{Title: t("events.door"), Help: t("events.door_help"), Action: base + "/check-in", Test: "check-in-form", Submit: t("events.admit"),
				Fields: []components.Field{{Name: "ticket", Label: t("events.ticket")}}},
			{Title: t("events.assign"), Help: t("events.assign_help"), Action: base + "/seats", Test: "assign-form", Submit: t("events.assign"),
				Fields: []components.Field{{Name: "member", Label: t("awards.member_ref")}}},
		}...)
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) cancelEvent(q *request, sc program.Scope) error {
	_, err := s.Events.CancelEvent(q.ctx, sc, q.r.PathValue("event"), q.r.PostFormValue("reason"))
	return s.eventAction(q, sc, "cancel-event-form", q.r.PathValue("event"), "saved", err)
}

func (s *Server) addEventCost(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := event.CostInput{Kind: f.str("kind"), BudgetLine: f.str("budget_line"), Amount: f.money("amount"), Note: f.str("note")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Events.AddCost(q.ctx, sc, q.r.PathValue("event"), in)
	}
	return q.settle("cost-form", err, f.bad, "/p/"+sc.Program.Slug+"/events/"+q.r.PathValue("event")+"?done=saved", func(r *refused) error {
		return s.renderEvent(q, sc, r)
	})
}

func (s *Server) publishEvent(q *request, sc program.Scope) error {
	_, err := s.Events.Publish(q.ctx, sc, q.r.PathValue("event"))
	return s.eventAction(q, sc, "", q.r.PathValue("event"), "saved", err)
}

func (s *Server) checkInEvent(q *request, sc program.Scope) error {
	_, err := s.Events.CheckIn(q.ctx, sc, q.r.PathValue("event"), q.r.PostFormValue("ticket"))
	return s.eventAction(q, sc, "check-in-form", q.r.PathValue("event"), "checked_in", err)
}

func (s *Server) assignEventSeat(q *request, sc program.Scope) error {
	_, err := s.Events.Assign(q.ctx, sc, q.r.PathValue("event"), q.r.PostFormValue("member"))
	return s.eventAction(q, sc, "assign-form", q.r.PathValue("event"), "saved", err)
}

func (s *Server) cancelEventSeat(q *request, sc program.Scope) error {
	x, err := s.Events.Cancel(q.ctx, sc, q.r.PathValue("seat"))
	return s.seatAction(q, sc, x, err)
}

// answerForMember records a waitlisted member's answer to the seat
// offered them, given by phone or on WeCom.
func (s *Server) answerForMember(q *request, sc program.Scope) error {
	x, err := s.Events.Answer(q.ctx, sc, q.r.PathValue("seat"), q.r.PostFormValue("accept") == "1")
	return s.seatAction(q, sc, x, err)
}

func (s *Server) selectEventSeat(q *request, sc program.Scope) error {
	x, err := s.Events.Select(q.ctx, sc, q.r.PathValue("seat"), q.r.PostFormValue("chosen") == "1")
	return s.seatAction(q, sc, x, err)
}

// seatAction goes back to the seat's event; a seat not found is the
// page's 404.
func (s *Server) seatAction(q *request, sc program.Scope, x event.Seat, err error) error {
	if x.Event == "" {
		if err == nil {
			err = fault.New(fault.NotFound, "event.seat_not_found", "no seat {seat}", fault.P{"seat": q.r.PathValue("seat")})
		}
		if seat, serr := s.Events.Seat(q.ctx, sc, q.r.PathValue("seat")); serr == nil {
			x = seat
		} else {
			return q.problem(err)
		}
	}
	q.r.SetPathValue("event", x.Event)
	return s.eventAction(q, sc, "", x.Event, "saved", err)
}

func (s *Server) eventAction(q *request, sc program.Scope, form, ref, done string, err error) error {
	return q.settle(form, err, nil, "/p/"+sc.Program.Slug+"/events/"+ref+"?done="+done, func(r *refused) error {
		return s.renderEvent(q, sc, r)
	})
}
