package api_test

import (
	"time"

	"kox/internal/event"
)

func init() {
	seat := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"seat": e.seat(slug, event.FirstCome).PublicID}, nil
	}
	for id, fx := range map[string]fixture{
		"list-events":  func(*env, string) (map[string]string, any) { return nil, nil },
		"create-event": func(*env, string) (map[string]string, any) { return nil, eventBody() },
		"get-event": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)}, nil
		},
		"publish-event": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, false)}, nil
		},
		"cancel-event": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)}, map[string]any{"reason": "台风预警"}
		},
		"rsvp-event": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)}, map[string]any{"member": e.activeMember(slug)}
		},
		"list-event-seats": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)}, nil
		},
		"assign-event-seat": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.Reward, true)}, map[string]any{"member": e.activeMember(slug)}
		},
		"check-in": func(e *env, slug string) (map[string]string, any) {
			x := e.seat(slug, event.FirstCome)
			return map[string]string{"event": x.Event}, map[string]any{"ticket": x.Ticket}
		},
		"member-event-seats": memberFixture(nil),
		"list-event-costs": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)}, nil
		},
		"add-event-cost": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"event": e.event(slug, event.FirstCome, true)},
				map[string]any{"kind": "venue", "budget_line": e.plan(slug, true).Lines[0].PublicID, "amount": 100}
		},
		"get-seat":    seat,
		"cancel-seat": seat,
		"answer-seat-offer": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"seat": e.offered(slug)}, map[string]any{"accept": true}
		},
		"select-seat": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"seat": e.seat(slug, event.Apply).PublicID}, map[string]any{"chosen": true}
		},
	} {
		fixtures[id] = fx
	}
	memberExpect["list-events"] = 200
	memberExpect["get-event"] = 200  // published
	memberExpect["rsvp-event"] = 201 // for themselves
	memberExpect["member-event-seats"] = 404
	memberExpect["get-seat"] = 404
	memberExpect["cancel-seat"] = 404
	memberExpect["answer-seat-offer"] = 404
}

func eventBody() map[string]any {
	return map[string]any{"kind": "track_day", "title": "赛道日", "city": "上海", "starts_at": time.Now().Add(240 * time.Hour).Format(time.RFC3339),
		"capacity": 30, "allocation": "first_come"}
}

// event is a fresh event of the program, published or a draft.
func (e *env) event(slug string, alloc event.Allocation, publish bool) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	ev, err := e.a.Events.Create(ctx, sc, event.EventInput{Kind: event.TrackDay, Title: "赛道日", StartsAt: time.Now().Add(240 * time.Hour), Capacity: 5, Allocation: alloc})
	if err == nil && publish {
		ev, err = e.a.Events.Publish(ctx, sc, ev.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return ev.PublicID
}

// seat is another member's answer to a fresh event.
func (e *env) seat(slug string, alloc event.Allocation) event.Seat {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	x, err := e.a.Events.RSVP(ctx, sc, e.event(slug, alloc, true), e.activeMember(slug))
	if err != nil {
		e.t.Fatal(err)
	}
	return x
}

// offered is another member's seat offered from the waitlist.
func (e *env) offered(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	ev, err := e.a.Events.Create(ctx, sc, event.EventInput{Kind: event.TeaParty, Title: "茶话会", StartsAt: time.Now().Add(240 * time.Hour), Capacity: 1, Allocation: event.FirstCome})
	if err == nil {
		ev, err = e.a.Events.Publish(ctx, sc, ev.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	first, err := e.a.Events.RSVP(ctx, sc, ev.PublicID, e.activeMember(slug))
	if err != nil {
		e.t.Fatal(err)
	}
	next, err := e.a.Events.RSVP(ctx, sc, ev.PublicID, e.activeMember(slug))
	if err == nil {
		_, err = e.a.Events.Cancel(ctx, sc, first.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return next.PublicID
}
