package event

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/notify"
	"kox/internal/program"
)

// lockSeat reads a seat with its event locked (the event row is where a
// seat's changes queue); a member reaches only their own.
func (s *Service) lockSeat(ctx context.Context, tx *db.Tx, sc program.Scope, ref string) (Gathering, Seat, error) {
	x, err := scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.program_id = $1 AND s.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && x.memberID != sc.Actor.ID) {
		return Gathering{}, Seat{}, seatNotFound(ref)
	}
	if err != nil {
		return Gathering{}, Seat{}, err
	}
	e, err := getEvent(ctx, tx, sc.Program.ID, x.Event, tx.ForUpdate())
	if err != nil {
		return Gathering{}, Seat{}, err
	}
	// Read again under the event's lock: another answer may have moved it.
	x, err = scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.id = $1`, x.ID))
	return e, x, err
}

// Cancel gives up a seat or a place: a seat held goes back and, first
// come, is offered to the next on the waitlist. A member cancels their own;
// operators (tasks.write) anyone's.
func (s *Service) Cancel(ctx context.Context, sc program.Scope, ref string) (Seat, error) {
	return s.close(ctx, sc, ref, Cancelled, func(x Seat) error {
		if !open(x.Status) {
			return fault.New(fault.Conflict, "event.not_open", "a seat that is {status} cannot be cancelled", fault.P{"status": x.Status})
		}
		return nil
	})
}

// Answer is a waitlisted member's answer to the seat offered them: accept
// (going, with a ticket) or decline (the seat goes to the next in line).
// Operators (tasks.write) may answer for a member.
func (s *Service) Answer(ctx context.Context, sc program.Scope, ref string, accept bool) (Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Seat{}, err
		}
	}
	offered := func(x Seat) error {
		if x.Status != Offered {
			return fault.New(fault.Conflict, "event.no_offer", "there is no seat offered to accept (you are {status})", fault.P{"status": x.Status})
		}
		return nil
	}
	if !accept {
		return s.close(ctx, sc, ref, Declined, offered)
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		e, x, err := s.lockSeat(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if err := offered(x); err != nil {
			return "", err
		}
		x.Status = Going
		if err := s.save(ctx, tx, x, 0); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.accept", ObjectKind: "event", ObjectID: e.PublicID,
			After: map[string]any{"seat": ref}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, ref)
}

// close ends a member's place with status to (after check says it may):
// a held seat goes back and moves the waitlist up.
func (s *Service) close(ctx context.Context, sc program.Scope, ref, to string, check func(Seat) error) (Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Seat{}, err
		}
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		e, x, err := s.lockSeat(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if err := check(x); err != nil {
			return "", err
		}
		if !x.CheckedInAt.IsZero() {
			return "", fault.New(fault.Conflict, "event.checked_in", "the ticket was used at the door")
		}
		was := x.Status
		if err := s.vacate(ctx, tx, sc.Program.ID, e, x, to); err != nil {
			return "", err
		}
		if to == Cancelled && holds(was) {
			if err := s.seatCancelled(ctx, tx, sc, x, "seat given up"); err != nil {
				return "", err
			}
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event." + to, ObjectKind: "event", ObjectID: e.PublicID,
			Before: map[string]any{"seat": ref, "status": was}, After: map[string]any{"status": to}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, ref)
}

// vacate sets the member's place to status to; a seat they held goes back
// and, first come, to the next in line.
func (s *Service) vacate(ctx context.Context, tx *db.Tx, programID int64, e Gathering, x Seat, to string) error {
	held := holds(x.Status)
	if held {
		if err := s.release(ctx, tx, programID, x); err != nil {
			return err
		}
	}
	x.Status, x.order = to, 0
	if err := s.save(ctx, tx, x, 0); err != nil {
		return err
	}
	if held && e.Allocation == FirstCome {
		return s.offerNext(ctx, tx, programID, e)
	}
	return nil
}

// offerNext holds the free seats for the first on the waitlist, each until
// the event's deadline to accept (and never past its start).
func (s *Service) offerNext(ctx context.Context, tx *db.Tx, programID int64, e Gathering) error {
	var p program.Program
	if err := tx.QueryRowContext(ctx, `SELECT time_zone FROM programs WHERE id = $1`, programID).Scan(&p.TimeZone); err != nil {
		return err
	}
	loc := p.Location()
	for {
		x, err := scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.event_id = $1 AND s.status = 'waitlisted'
			ORDER BY s.position, s.id LIMIT 1`, e.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok, err := s.take(ctx, tx, programID, e, &x)
		if err != nil || !ok {
			return err
		}
		until := tx.Now.Add(time.Duration(e.OfferHours) * time.Hour)
		if until.After(e.StartsAt) {
			until = e.StartsAt
		}
		x.Status = Offered
		if err := s.save(ctx, tx, x, until.UnixMicro()); err != nil {
			return err
		}
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.SeatOffered, MemberID: x.memberID, Subject: x.PublicID,
			Params: map[string]any{"event": e.Title, "until": until.In(loc).Format("2006-01-02 15:04")}}); err != nil {
			return err
		}
	}
}

// Select gives an applicant a seat (apply-and-select), or refuses when the
// event is full; Reject turns them down.
func (s *Service) Select(ctx context.Context, sc program.Scope, ref string, chosen bool) (Seat, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Seat{}, err
	}
	_, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		e, x, err := s.lockSeat(ctx, tx, sc, ref)
		if err != nil {
			return "", err
		}
		if x.Status != Applied {
			return "", fault.New(fault.Conflict, "event.not_applied", "only an application can be selected (the seat is {status})", fault.P{"status": x.Status})
		}
		if chosen {
			ok, err := s.take(ctx, tx, sc.Program.ID, e, &x)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", full(e)
			}
			x.Status = Going
		} else {
			x.Status = Rejected
		}
		if err := s.save(ctx, tx, x, 0); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.select", ObjectKind: "event", ObjectID: e.PublicID,
			After: map[string]any{"seat": ref, "status": x.Status}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, ref)
}

func full(e Gathering) error {
	return fault.New(fault.LimitExceeded, "event.full", "the event is full: all {capacity} seats are taken", fault.P{"capacity": e.Capacity})
}

// Assign gives a member a seat an operator chooses (a reward, a VIP seat):
// it passes no answer window, but never the capacity.
func (s *Service) Assign(ctx context.Context, sc program.Scope, ref, memberRef string) (Seat, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Seat{}, err
	}
	seat, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		memberID, err := whose(ctx, tx, sc, memberRef)
		if err != nil {
			return "", err
		}
		x, err := s.giveTx(ctx, tx, sc, ref, memberID)
		if err != nil {
			return "", err
		}
		return x.PublicID, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.assign", ObjectKind: "event", ObjectID: ref,
			After: map[string]any{"seat": x.PublicID, "member": memberRef}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, seat)
}

// giveTx gives the member a seat at a published event, or says it is full.
func (s *Service) giveTx(ctx context.Context, tx *db.Tx, sc program.Scope, ref string, memberID int64) (Seat, error) {
	e, err := getEvent(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
	if err != nil {
		return Seat{}, err
	}
	if e.Status != "published" {
		return Seat{}, fault.New(fault.Conflict, "event.not_published", "publish the event first")
	}
	if err := eligible(ctx, tx, sc.Program.ID, e, memberID); err != nil {
		return Seat{}, err
	}
	x, err := s.placeTx(ctx, tx, sc, e, memberID)
	if err != nil {
		return Seat{}, err
	}
	ok, err := s.take(ctx, tx, sc.Program.ID, e, &x)
	if err != nil {
		return Seat{}, err
	}
	if !ok {
		return Seat{}, full(e)
	}
	x.Status = Going
	return x, s.save(ctx, tx, x, 0)
}

// CheckSeatEventTx says a catalog item may name the event for its seats
// (seats by reward).
func (s *Service) CheckSeatEventTx(ctx context.Context, tx *db.Tx, programID int64, ref string) error {
	e, err := getEvent(ctx, tx, programID, ref, "")
	if fault.Is(err, fault.NotFound) {
		return fault.Field("event", "catalog.event_unknown", "names no event of the program")
	}
	if err != nil {
		return err
	}
	if e.Allocation != Reward || e.Status == "cancelled" {
		return fault.Field("event", "catalog.event_not_reward", "must be an event whose seats are given as rewards")
	}
	return nil
}

// GiveSeatTx is a redemption's seat (a VIP seat from the catalog): taken
// in the redemption's change, refused when the event is full; its ticket.
func (s *Service) GiveSeatTx(ctx context.Context, tx *db.Tx, sc program.Scope, ref string, memberID int64) (string, error) {
	x, err := s.giveTx(ctx, tx, sc, ref, memberID)
	if err != nil {
		return "", err
	}
	return x.Ticket, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.redeemed_seat", ObjectKind: "event", ObjectID: ref,
		After: map[string]any{"seat": x.PublicID}})
}

// ExpireOffers lets lapse every offer whose deadline passed: the seat goes
// to the next in line (the events.offers job).
func (s *Service) ExpireOffers(ctx context.Context) (int, error) {
	ctx = program.WithActor(ctx, program.Actor{Kind: program.ActorJob, PublicID: "job:events", Name: "events"})
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM event_seats WHERE status = 'offered' AND offered_until <= $1 ORDER BY id LIMIT 500`,
		s.DB.Now().UnixMicro())
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			x, err := scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.id = $1`, id))
			if err != nil {
				return err
			}
			var programID int64
			if err := tx.QueryRowContext(ctx, `SELECT program_id FROM events WHERE id = $1`, x.eventID).Scan(&programID); err != nil {
				return err
			}
			e, err := getEvent(ctx, tx, programID, x.Event, tx.ForUpdate())
			if err != nil {
				return err
			}
			x, err = scanSeat(tx.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.id = $1`, id))
			if err != nil || x.Status != Offered || x.OfferedUntil.After(tx.Now) {
				return err // answered meanwhile
			}
			n++
			if err := s.vacate(ctx, tx, programID, e, x, Expired); err != nil {
				return err
			}
			return program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "event.expired", ObjectKind: "event", ObjectID: e.PublicID,
				After: map[string]any{"seat": x.PublicID}})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// CheckIn admits a ticket at the event's door, once: a second scan says
// when it was used; a ticket of another event is refused.
func (s *Service) CheckIn(ctx context.Context, sc program.Scope, ref, ticket string) (Seat, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Seat{}, err
	}
	code := typed(ticket)
	x, err := scanSeat(s.DB.R.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.program_id = $1 AND s.ticket = $2`, sc.Program.ID, code))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && x.Status != Going) {
		return Seat{}, fault.Field("ticket", "event.ticket_unknown", "is no ticket of a member going to an event")
	}
	if err != nil {
		return Seat{}, err
	}
	if x.Event != ref {
		return Seat{}, fault.New(fault.Conflict, "event.ticket_other_event", "the ticket is for another event: {event}", fault.P{"event": x.EventTitle})
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE event_seats SET checked_in_at = $2, updated_at = $2 WHERE id = $1 AND status = 'going' AND checked_in_at = 0`,
			x.ID, tx.Now.UnixMicro())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var at int64
			if err := tx.QueryRowContext(ctx, `SELECT checked_in_at FROM event_seats WHERE id = $1`, x.ID).Scan(&at); err != nil {
				return err
			}
			return fault.New(fault.Conflict, "event.ticket_used", "the ticket was used at {at}", fault.P{"at": time.UnixMicro(at).UTC().Format(time.RFC3339)})
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.check_in", ObjectKind: "event", ObjectID: ref,
			After: map[string]any{"seat": x.PublicID}})
	})
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, x.PublicID)
}

// Seat returns one; a member reads their own, with its place in line.
func (s *Service) Seat(ctx context.Context, sc program.Scope, ref string) (Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return Seat{}, err
		}
	}
	x, err := scanSeat(s.DB.R.QueryRowContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.program_id = $1 AND s.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && x.memberID != sc.Actor.ID) {
		return Seat{}, seatNotFound(ref)
	}
	if err != nil {
		return Seat{}, err
	}
	if x.Status == Waitlisted {
		err = s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_seats WHERE event_id = $1 AND status = 'waitlisted' AND (position < $2 OR (position = $2 AND id <= $3))`,
			x.eventID, x.order, x.ID).Scan(&x.Position)
	}
	return x, err
}

// Seats lists an event's seats by status: the waitlist in its order, the
// rest newest first.
func (s *Service) Seats(ctx context.Context, sc program.Scope, ref, status string, limit int) ([]Seat, error) {
	xs, _, err := s.SeatsPage(ctx, sc, ref, status, limit, 0)
	return xs, err
}

// SeatsPage is Seats from offset on, and the offset of the next page (0
// on the last). The waitlist comes first, so a waitlisted seat's place in
// line is its place in the whole list.
func (s *Service) SeatsPage(ctx context.Context, sc program.Scope, ref, status string, limit, offset int) ([]Seat, int, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, 0, err
	}
	if offset < 0 || offset > MaxCapacity {
		var f fault.Fields
		f.Range("offset", 0, MaxCapacity)
		return nil, 0, f.Err()
	}
	e, err := getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.event_id = $1 AND ($2 = '' OR s.status = $2)
		ORDER BY CASE WHEN s.status = 'waitlisted' THEN 0 ELSE 1 END, s.position, s.id LIMIT `+strconv.Itoa(limit+1)+` OFFSET `+strconv.Itoa(offset), e.ID, status)
	xs, err := db.Collect(rows, err, scanSeat)
	if err != nil {
		return nil, 0, err
	}
	next := 0
	if len(xs) > limit {
		xs, next = xs[:limit], offset+limit
	}
	for i := range xs {
		if xs[i].Status == Waitlisted {
			xs[i].Position = int64(offset + i + 1)
		}
	}
	if xs == nil {
		xs = []Seat{}
	}
	return xs, next, nil
}

// MineAt is the signed-in member's seat at the event (its place in line
// counted), or a zero Seat when they have not answered.
func (s *Service) MineAt(ctx context.Context, sc program.Scope, eventRef string) (Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		return Seat{}, fault.New(fault.Forbidden, "event.members_only", "members answer for themselves; operators assign seats")
	}
	var ref string
	err := s.DB.R.QueryRowContext(ctx, `SELECT s.public_id FROM event_seats s JOIN events e ON e.id = s.event_id
		WHERE e.program_id = $1 AND e.public_id = $2 AND s.member_id = $3`, sc.Program.ID, eventRef, sc.Actor.ID).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return Seat{}, nil
	}
	if err != nil {
		return Seat{}, err
	}
	return s.Seat(ctx, sc, ref)
}

// Of is a member's places at events, newest first; a member reads their
// own.
func (s *Service) Of(ctx context.Context, sc program.Scope, memberRef string) ([]Seat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return nil, err
		}
	} else if memberRef != sc.Actor.PublicID {
		return nil, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": memberRef})
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.program_id = $1 AND m.public_id = $2 ORDER BY s.id DESC LIMIT 100`,
		sc.Program.ID, memberRef)
	xs, err := db.Collect(rows, err, scanSeat)
	if xs == nil {
		xs = []Seat{}
	}
	return xs, err
}

// CancelEvent calls an event off before it is over: every seat held goes
// back to its account and every place (going, offered, waitlisted,
// applied) is cancelled, its member told why; a draft simply ends. Seats
// already checked in stay as they were: those members came.
func (s *Service) CancelEvent(ctx context.Context, sc program.Scope, ref, reason string) (Gathering, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Gathering{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		var f fault.Fields
		f.Length("reason", 1, 500)
		return Gathering{}, f.Err()
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		e, err := getEvent(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !e.CallableOff(tx.Now) {
			return fault.New(fault.Conflict, "event.not_cancellable", "an event that is {status} or over cannot be called off", fault.P{"status": e.Status})
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+seatCols+seatFrom+` WHERE s.event_id = $1 AND s.status IN ('going', 'offered', 'waitlisted', 'applied')
			AND s.checked_in_at = 0 ORDER BY s.id`, e.ID)
		xs, err := db.Collect(rows, err, scanSeat)
		if err != nil {
			return err
		}
		for _, x := range xs {
			if holds(x.Status) {
				if err := s.release(ctx, tx, sc.Program.ID, x); err != nil {
					return err
				}
			}
			held := holds(x.Status)
			x.Status, x.order = Cancelled, 0
			if err := s.save(ctx, tx, x, 0); err != nil {
				return err
			}
			if held {
				if err := s.seatCancelled(ctx, tx, sc, x, reason); err != nil {
					return err
				}
			}
			if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.EventCancelled, MemberID: x.memberID, Subject: e.PublicID,
				Params: map[string]any{"event": e.Title, "reason": reason}}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET status = 'cancelled', updated_at = $2 WHERE id = $1`, e.ID, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "event.cancel", ObjectKind: "event", ObjectID: ref,
			Before: map[string]any{"status": e.Status}, After: map[string]any{"status": "cancelled", "reason": reason, "places": len(xs)}})
	})
	if err != nil {
		return Gathering{}, err
	}
	return getEvent(ctx, s.DB.R, sc.Program.ID, ref, "")
}
