package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/event"
	"kox/internal/program"
)

type eventListOut struct {
	Body struct {
		Items []event.Gathering `json:"items"`
	}
}

type eventIn struct {
	ProgramRef
	Body event.EventInput
}

type eventOut struct{ Body event.Gathering }

// EventRef names an event of a program.
type EventRef struct {
	ProgramRef
	Event string `path:"event" maxLength:"64"`
}

// SeatRef names a seat of a program.
type SeatRef struct {
	ProgramRef
	Seat string `path:"seat" maxLength:"64"`
}

type seatOut struct{ Body event.Seat }

type seatsIn struct {
	EventRef
	Status string `query:"status" enum:"going,applied,waitlisted,offered,cancelled,declined,expired,rejected,"`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"100"`
	Offset int    `query:"offset" minimum:"0" maximum:"100000" doc:"Where the page starts: a previous page's next_offset."`
}

type seatListOut struct {
	Body struct {
		Items      []event.Seat `json:"items"`
		NextOffset int          `json:"next_offset,omitempty" doc:"The offset of the next page; absent on the last."`
	}
}

type answerIn struct {
	SeatRef
	Body struct {
		Accept bool `json:"accept"`
	}
}

type seatSelectIn struct {
	SeatRef
	Body struct {
		Chosen bool `json:"chosen" doc:"true: a seat; false: turned down."`
	}
}

type assignIn struct {
	EventRef
	Body struct {
		Member string `json:"member" maxLength:"64"`
	}
}

type cancelEventIn struct {
	EventRef
	Body struct {
		Reason string `json:"reason" maxLength:"500" doc:"Why, as the members with a place are told."`
	}
}

type rsvpIn struct {
	EventRef
	Body *struct {
		Member string `json:"member,omitempty" maxLength:"64" doc:"Operators: for whom; members answer for themselves."`
	}
}

type checkInIn struct {
	EventRef
	Body struct {
		Ticket string `json:"ticket" maxLength:"40" doc:"The code the ticket's QR carries, or typed."`
	}
}

type costIn struct {
	EventRef
	Body event.CostInput
}

type costOut struct{ Body event.Cost }

type costsOut struct {
	Body struct {
		Items []event.Cost `json:"items"`
		Total int64        `json:"total" doc:"In fen."`
	}
}

func (s *Server) registerEvents() {
	tags := []string{"events"}
	path := Prefix + "/programs/{program}/events"
	add(s, huma.Operation{OperationID: "list-events", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program's events, soonest first, with seats taken and the waitlist; members see published ones"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*eventListOut, error) {
			es, err := s.Events.List(ctx, sc)
			out := &eventListOut{}
			out.Body.Items = es
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-event", Method: http.MethodPost, Path: path, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Write a draft event: kind, city, venue, time, capacity, how seats are given, who may come"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *eventIn) (*eventOut, error) {
			e, err := s.Events.Create(ctx, sc, in.Body)
			return &eventOut{Body: e}, err
		})
	add(s, huma.Operation{OperationID: "get-event", Method: http.MethodGet, Path: path + "/{event}", Tags: tags, Summary: "An event"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *EventRef) (*eventOut, error) {
			e, err := s.Events.Get(ctx, sc, in.Event)
			return &eventOut{Body: e}, err
		})
	add(s, huma.Operation{OperationID: "publish-event", Method: http.MethodPost, Path: path + "/{event}/publish", Tags: tags,
		Summary: "Open a draft to members: its seats go into their ledger account"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *EventRef) (*eventOut, error) {
			e, err := s.Events.Publish(ctx, sc, in.Event)
			return &eventOut{Body: e}, err
		})
	add(s, huma.Operation{OperationID: "cancel-event", Method: http.MethodPost, Path: path + "/{event}/cancel", Tags: tags,
		Summary: "Call an event off: every seat held goes back, every place is cancelled and its member told why"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *cancelEventIn) (*eventOut, error) {
			e, err := s.Events.CancelEvent(ctx, sc, in.Event, in.Body.Reason)
			return &eventOut{Body: e}, err
		})
	add(s, huma.Operation{OperationID: "rsvp-event", Method: http.MethodPost, Path: path + "/{event}/rsvp", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "A member's answer: a seat and ticket while any is free, else a place on the waitlist; an application where operators select"},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *rsvpIn) (*seatOut, error) {
			member := ""
			if in.Body != nil {
				member = in.Body.Member
			}
			x, err := s.Events.RSVP(ctx, sc, in.Event, member)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "list-event-seats", Method: http.MethodGet, Path: path + "/{event}/seats", Tags: tags,
		Summary: "An event's seats: the waitlist in its order, then the rest"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *seatsIn) (*seatListOut, error) {
			xs, next, err := s.Events.SeatsPage(ctx, sc, in.Event, in.Status, in.Limit, in.Offset)
			out := &seatListOut{}
			out.Body.Items, out.Body.NextOffset = xs, next
			return out, err
		})
	add(s, huma.Operation{OperationID: "assign-event-seat", Method: http.MethodPost, Path: path + "/{event}/seats", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Give a member a seat (a reward, a VIP seat): never past the capacity"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *assignIn) (*seatOut, error) {
			x, err := s.Events.Assign(ctx, sc, in.Event, in.Body.Member)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "check-in", Method: http.MethodPost, Path: path + "/{event}/check-ins", Tags: tags,
		Summary: "Admit a ticket at the door, once; a second scan says when it was used"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *checkInIn) (*seatOut, error) {
			x, err := s.Events.CheckIn(ctx, sc, in.Event, in.Body.Ticket)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "list-event-costs", Method: http.MethodGet, Path: path + "/{event}/costs", Tags: tags,
		Summary: "An event's costs (venue, materials, catering, travel) and their total"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *EventRef) (*costsOut, error) {
			cs, total, err := s.Events.Costs(ctx, sc, in.Event)
			out := &costsOut{}
			out.Body.Items, out.Body.Total = cs, total
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-event-cost", Method: http.MethodPost, Path: path + "/{event}/costs", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Spend one of an event's costs on a budget line: refused whole when the line has not enough left"},
		needs{perm: program.PermBudgetWrite}, func(ctx context.Context, sc program.Scope, in *costIn) (*costOut, error) {
			c, err := s.Events.AddCost(ctx, sc, in.Event, in.Body)
			return &costOut{Body: c}, err
		})
	seat := Prefix + "/programs/{program}/seats"
	add(s, huma.Operation{OperationID: "member-event-seats", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/seats", Tags: tags,
		Summary: "A member's places at events, with their tickets (a member reads their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*seatListOut, error) {
			xs, err := s.Events.Of(ctx, sc, in.Member)
			out := &seatListOut{}
			out.Body.Items = xs
			return out, err
		})
	add(s, huma.Operation{OperationID: "get-seat", Method: http.MethodGet, Path: seat + "/{seat}", Tags: tags,
		Summary: "A seat, with its place on the waitlist (a member reads their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *SeatRef) (*seatOut, error) {
			x, err := s.Events.Seat(ctx, sc, in.Seat)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "cancel-seat", Method: http.MethodPost, Path: seat + "/{seat}/cancel", Tags: tags,
		Summary: "Give up a seat or a place: a freed seat is offered to the next in line"},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *SeatRef) (*seatOut, error) {
			x, err := s.Events.Cancel(ctx, sc, in.Seat)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "answer-seat-offer", Method: http.MethodPost, Path: seat + "/{seat}/answer", Tags: tags,
		Summary: "A waitlisted member's answer to the seat offered: accept, or let the next in line have it"},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *answerIn) (*seatOut, error) {
			x, err := s.Events.Answer(ctx, sc, in.Seat, in.Body.Accept)
			return &seatOut{Body: x}, err
		})
	add(s, huma.Operation{OperationID: "select-seat", Method: http.MethodPost, Path: seat + "/{seat}/selection", Tags: tags,
		Summary: "Choose an applicant (a seat, never past the capacity) or turn them down"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *seatSelectIn) (*seatOut, error) {
			x, err := s.Events.Select(ctx, sc, in.Seat, in.Body.Chosen)
			return &seatOut{Body: x}, err
		})
}
