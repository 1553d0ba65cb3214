// Package council holds the relationship rung (SPEC A4, seed 001's 关系授权:
// a voice in the brand's decisions): the advisory council, whose seats go
// to members of the top rung for a term; its closed-door sessions, with an
// agenda, invitees who answer, and minutes; the feedback items members
// raise or sessions record, whose status (heard, considered, adopted,
// declined, with a note) the member who raised it follows; and mentors who
// coach newcomers in a thread on their work and nominate them.
package council

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/task"
)

// Service keeps the council, its sessions, feedback and mentors.
type Service struct {
	DB    *db.DB
	Tasks *task.Service
	// Nominate records a nomination for a tier in tx (the promotion
	// rules' criterion), for a mentor's nomination.
	Nominate func(ctx context.Context, tx *db.Tx, programID int64, memberRef, tierRef, reason, actor string) error
}

// The rung a council seat needs, unless the appointment names another.
const (
	SeatLadder = "main"
	SeatTier   = "relationship"
)

// Endable says the seat may still be given up: it sits or is to come.
func (x CouncilSeat) Endable() bool { return x.State == "sitting" || x.State == "coming" }

// CouncilSeat is a member's council seat for a term.
type CouncilSeat struct {
	PublicID   string    `json:"id"`
	Member     string    `json:"member"`
	MemberName string    `json:"member_name"`
	Role       string    `json:"role" enum:"chair,member"`
	TermFrom   string    `json:"term_from" doc:"YYYY-MM-DD."`
	TermTo     string    `json:"term_to" doc:"YYYY-MM-DD, the term's last day."`
	EndedOn    string    `json:"ended_on,omitempty" doc:"The day the seat was given up before its term ended."`
	Sitting    bool      `json:"sitting" doc:"The term covers today (the program's calendar) and was not ended."`
	State      string    `json:"state" enum:"sitting,coming,ended,past" doc:"sitting today; coming: its term is ahead; ended early; past: its term is over."`
	CreatedAt  time.Time `json:"created_at"`
	memberID   int64
}

// CouncilSeatInput is an appointment to the council.
type CouncilSeatInput struct {
	Member   string `json:"member"`
	Role     string `json:"role,omitempty" enum:"chair,member," doc:"member when empty."`
	TermFrom string `json:"term_from" doc:"YYYY-MM-DD."`
	TermTo   string `json:"term_to" doc:"YYYY-MM-DD; a year is usual."`
	Ladder   string `json:"ladder,omitempty" doc:"The rung the seat needs; main/relationship when empty."`
	MinTier  string `json:"min_tier,omitempty"`
}

// sittingSQL says seat s sits on the local day $today.
const sittingSQL = `(s.term_from <= $2 AND s.term_to >= $2 AND (s.ended_on = '' OR s.ended_on > $2))`

// Appoint gives a member of the top rung a council seat for a term; a
// member holds one seat at a time.
func (s *Service) Appoint(ctx context.Context, sc program.Scope, in CouncilSeatInput) (CouncilSeat, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return CouncilSeat{}, err
	}
	var f fault.Fields
	if in.Role == "" {
		in.Role = "member"
	}
	if in.Role != "chair" && in.Role != "member" {
		f.OneOf("role", []string{"chair", "member"})
	}
	from, ok1 := program.ParseDay(in.TermFrom)
	to, ok2 := program.ParseDay(in.TermTo)
	if !ok1 {
		f.Add("term_from", "loan.day", "must be a day written YYYY-MM-DD")
	}
	if !ok2 {
		f.Add("term_to", "loan.day", "must be a day written YYYY-MM-DD")
	}
	if ok1 && ok2 {
		if to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
			f.Add("term_to", "council.term", "must be on or after the start, within three years")
		}
		in.TermFrom, in.TermTo = from.Format(time.DateOnly), to.Format(time.DateOnly)
	}
	if in.Ladder == "" && in.MinTier == "" {
		in.Ladder, in.MinTier = SeatLadder, SeatTier
	}
	if err := f.Err(); err != nil {
		return CouncilSeat{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, strings.TrimSpace(in.Member))
		if fault.Is(err, fault.NotFound) {
			return "", fault.Field("member", "event.member_unknown", "names no member of the program")
		}
		if err != nil {
			return "", err
		}
		ls, err := ladder.LoadTx(ctx, tx, sc.Program.ID)
		if err != nil {
			return "", err
		}
		if !ladder.HasTier(ls, in.Ladder, in.MinTier) {
			return "", fault.Field("min_tier", "catalog.tier_unknown", "names no tier of the program's ladders")
		}
		ok, err := ladder.NewRanks(tx, sc.Program.ID, m.ID).AtLeast(ctx, in.Ladder, in.MinTier)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fault.New(fault.Forbidden, "council.tier", "the council is for members at {tier}", fault.P{"tier": in.MinTier})
		}
		// The member row is where one member's appointments queue.
		var locked int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE id = $1`+tx.ForUpdate(), m.ID).Scan(&locked); err != nil {
			return "", err
		}
		var open string
		err = tx.QueryRowContext(ctx, `SELECT public_id FROM council_seats WHERE member_id = $1 AND ended_on = '' AND term_to >= $2 AND term_from <= $3`,
			m.ID, in.TermFrom, in.TermTo).Scan(&open)
		if err == nil {
			return "", fault.New(fault.Conflict, "council.seated", "{name} already has seat {seat} in those days", fault.P{"name": m.Name, "seat": open})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		ref := pubid.New("seat")
		if _, err := tx.ExecContext(ctx, `INSERT INTO council_seats (program_id, public_id, member_id, role, term_from, term_to, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Program.ID, ref, m.ID, in.Role, in.TermFrom, in.TermTo, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "council.appoint", ObjectKind: "member", ObjectID: m.PublicID, After: in})
	})
	if err != nil {
		return CouncilSeat{}, err
	}
	return s.seat(ctx, sc, ref)
}

// EndSeat gives a seat up today, before its term ends.
func (s *Service) EndSeat(ctx context.Context, sc program.Scope, ref string) (CouncilSeat, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return CouncilSeat{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := program.Today(ctx, tx, sc.Program.ID, tx.Now)
		if err != nil {
			return err
		}
		var ended, to string
		err = tx.QueryRowContext(ctx, `SELECT ended_on, term_to FROM council_seats WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), sc.Program.ID, ref).Scan(&ended, &to)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "council.seat_not_found", "no seat {seat} in office", fault.P{"seat": ref})
		}
		if err != nil {
			return err
		}
		if ended != "" || to < d {
			return fault.New(fault.Conflict, "council.seat_over", "the seat's term is already over")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE council_seats SET ended_on = $3 WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref, d); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "council.end_seat", ObjectKind: "seat", ObjectID: ref,
			After: map[string]any{"ended_on": d}})
	})
	if err != nil {
		return CouncilSeat{}, err
	}
	return s.seat(ctx, sc, ref)
}

const seatCols = `s.public_id, m.public_id, m.name, s.role, s.term_from, s.term_to, s.ended_on, ` + sittingSQL + `,
	CASE WHEN ` + sittingSQL + ` THEN 'sitting' WHEN s.ended_on <> '' THEN 'ended' WHEN s.term_from > $2 THEN 'coming' ELSE 'past' END, s.created_at, s.member_id`

func scanSeat(r interface{ Scan(...any) error }) (CouncilSeat, error) {
	var x CouncilSeat
	var created int64
	err := r.Scan(&x.PublicID, &x.Member, &x.MemberName, &x.Role, &x.TermFrom, &x.TermTo, &x.EndedOn, &x.Sitting, &x.State, &created, &x.memberID)
	x.CreatedAt = time.UnixMicro(created).UTC()
	return x, err
}

func (s *Service) seat(ctx context.Context, sc program.Scope, ref string) (CouncilSeat, error) {
	d, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return CouncilSeat{}, err
	}
	x, err := scanSeat(s.DB.R.QueryRowContext(ctx, `SELECT `+seatCols+` FROM council_seats s JOIN members m ON m.id = s.member_id
		WHERE s.program_id = $1 AND s.public_id = $3`, sc.Program.ID, d, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return CouncilSeat{}, fault.New(fault.NotFound, "council.seat_not_found", "no seat {seat} in office", fault.P{"seat": ref})
	}
	return x, err
}

// Seats is the council: the seats sitting today first (chairs first),
// then those to come and those past. Members read the sitting council.
func (s *Service) Seats(ctx context.Context, sc program.Scope) ([]CouncilSeat, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersRead); err != nil {
			return nil, err
		}
	}
	d, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return nil, err
	}
	cond := ""
	if sc.Actor.Kind == program.ActorMember {
		cond = " AND " + sittingSQL
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+seatCols+` FROM council_seats s JOIN members m ON m.id = s.member_id
		WHERE s.program_id = $1`+cond+` ORDER BY CASE WHEN `+sittingSQL+` THEN 0 ELSE 1 END, s.role, s.term_to DESC, s.id LIMIT 500`, sc.Program.ID, d)
	xs, err := db.Collect(rows, err, scanSeat)
	if xs == nil {
		xs = []CouncilSeat{}
	}
	return xs, err
}

// sittingMembers are the ids of the members sitting on the council today.
func sittingMembers(ctx context.Context, tx *db.Tx, programID int64) ([]int64, error) {
	d, err := program.Today(ctx, tx, programID, tx.Now)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT s.member_id FROM council_seats s WHERE s.program_id = $1 AND `+sittingSQL, programID, d)
	return db.Collect(rows, err, func(r interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// Figures are the rung's figures for its page: who sits today, the
// sessions to come, the feedback not yet read.
type Figures struct {
	Sitting   int `json:"sitting"`
	Scheduled int `json:"scheduled"`
	New       int `json:"new_feedback"`
}

// Figures counts them in one read.
func (s *Service) Figures(ctx context.Context, sc program.Scope) (Figures, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return Figures{}, err
	}
	d, err := program.Today(ctx, s.DB.R, sc.Program.ID, s.DB.Now())
	if err != nil {
		return Figures{}, err
	}
	var f Figures
	err = s.DB.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(DISTINCT s.member_id) FROM council_seats s WHERE s.program_id = $1 AND `+sittingSQL+`),
		(SELECT COUNT(*) FROM council_sessions WHERE program_id = $1 AND status = 'scheduled'),
		(SELECT COUNT(*) FROM feedback_items WHERE program_id = $1 AND status = 'new')`, sc.Program.ID, d).Scan(&f.Sitting, &f.Scheduled, &f.New)
	return f, err
}
