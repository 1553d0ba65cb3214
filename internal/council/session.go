package council

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Session statuses.
const (
	Scheduled = "scheduled"
	Held      = "held"
	Cancelled = "cancelled"
)

// CouncilSession is a closed-door session of the council.
type CouncilSession struct {
	ID        int64           `json:"-"`
	PublicID  string          `json:"id"`
	Title     string          `json:"title"`
	Agenda    string          `json:"agenda,omitempty"`
	Place     string          `json:"place,omitempty"`
	StartsAt  time.Time       `json:"starts_at"`
	Status    string          `json:"status" enum:"scheduled,held,cancelled"`
	Minutes   string          `json:"minutes,omitempty" doc:"Written once it is held; read by its invitees."`
	HeldAt    time.Time       `json:"held_at,omitzero"`
	Invitees  []SessionInvite `json:"invitees"`
	Answer    string          `json:"answer,omitempty" doc:"A member's own answer to the invitation."`
	CreatedAt time.Time       `json:"created_at"`
}

// Open says the session is still to be held: invitees answer it, and
// operators may call it off.
func (x CouncilSession) Open() bool { return x.Status == Scheduled }

// Minutable says its minutes may be written (which holds it) or
// rewritten: it was not called off.
func (x CouncilSession) Minutable() bool { return x.Status == Scheduled || x.Status == Held }

// SessionInvite is one invitee and their answer.
type SessionInvite struct {
	Member     string    `json:"member"`
	MemberName string    `json:"member_name"`
	Answer     string    `json:"answer" enum:"pending,yes,no"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	memberID   int64
}

// CouncilSessionInput is a session as written; the sitting council is invited
// with the members named.
type CouncilSessionInput struct {
	Title    string    `json:"title" maxLength:"200"`
	Agenda   string    `json:"agenda,omitempty" maxLength:"8000"`
	Place    string    `json:"place,omitempty" maxLength:"200"`
	StartsAt time.Time `json:"starts_at"`
	Council  bool      `json:"council,omitempty" doc:"Invite every member sitting on the council today."`
	Invite   []string  `json:"invite,omitempty" maxItems:"200" doc:"Other members to invite."`
}

// Answers to an invitation.
var Answers = []string{"yes", "no"}

func sessionNotFound(ref string) error {
	return fault.New(fault.NotFound, "council.session_not_found", "no session {session}", fault.P{"session": ref})
}

func (in *CouncilSessionInput) check() error {
	in.Title, in.Agenda, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Agenda), strings.TrimSpace(in.Place)
	var f fault.Fields
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if len([]rune(in.Agenda)) > 8000 {
		f.MaxLength("agenda", 8000)
	}
	if len([]rune(in.Place)) > 200 {
		f.MaxLength("place", 200)
	}
	if in.StartsAt.IsZero() {
		f.Required("starts_at")
	}
	if len(in.Invite) > 200 {
		f.MaxItems("invite", 200)
	}
	if !in.Council && len(in.Invite) == 0 {
		f.Add("invite", "council.no_invitees", "invite the council or name members")
	}
	return f.Err()
}

// CreateSession schedules a session and invites its members.
func (s *Service) CreateSession(ctx context.Context, sc program.Scope, in CouncilSessionInput) (CouncilSession, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return CouncilSession{}, err
	}
	if err := in.check(); err != nil {
		return CouncilSession{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		var ids []int64
		if in.Council {
			sitting, err := sittingMembers(ctx, tx, sc.Program.ID)
			if err != nil {
				return "", err
			}
			ids = append(ids, sitting...)
		}
		for i, r := range in.Invite {
			m, err := member.LookupTx(ctx, tx, sc.Program.ID, strings.TrimSpace(r))
			if fault.Is(err, fault.NotFound) {
				return "", fault.Field("invite["+strconv.Itoa(i)+"]", "event.member_unknown", "names no member of the program")
			}
			if err != nil {
				return "", err
			}
			ids = append(ids, m.ID)
		}
		if len(ids) == 0 {
			return "", fault.Field("invite", "council.no_invitees", "invite the council or name members")
		}
		ref := pubid.New("ses")
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO council_sessions (program_id, public_id, title, agenda, place, starts_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, sc.Program.ID, ref, in.Title, in.Agenda, in.Place, in.StartsAt.UnixMicro(), tx.Now.UnixMicro()).Scan(&id); err != nil {
			return "", err
		}
		seen := map[int64]bool{}
		var invited []int64
		for _, m := range ids {
			if seen[m] {
				continue
			}
			seen[m] = true
			invited = append(invited, m)
			if _, err := tx.ExecContext(ctx, `INSERT INTO session_invites (session_id, member_id) VALUES ($1, $2)`, id, m); err != nil {
				return "", err
			}
		}
		// Closed-door: the invitation reaches each invitee alone (a
		// personal kind), never a group or a webhook.
		if err := notify.EmitEachTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.CouncilInvited, Subject: ref,
			Params: map[string]any{"title": in.Title, "when": in.StartsAt.In(sc.Program.Location()).Format("2006-01-02 15:04")}}, invited); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "council.session", ObjectKind: "session", ObjectID: ref, After: in})
	})
	if err != nil {
		return CouncilSession{}, err
	}
	return s.Session(ctx, sc, ref)
}

const sessionCols = `x.id, x.public_id, x.title, x.agenda, x.place, x.starts_at, x.status, x.minutes, x.held_at, x.created_at`

func scanSession(r interface{ Scan(...any) error }) (CouncilSession, error) {
	var x CouncilSession
	var starts, held, created int64
	err := r.Scan(&x.ID, &x.PublicID, &x.Title, &x.Agenda, &x.Place, &starts, &x.Status, &x.Minutes, &held, &created)
	x.StartsAt, x.CreatedAt = time.UnixMicro(starts).UTC(), time.UnixMicro(created).UTC()
	if held > 0 {
		x.HeldAt = time.UnixMicro(held).UTC()
	}
	x.Invitees = []SessionInvite{}
	return x, err
}

func (s *Service) invitees(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, sessionID int64) ([]SessionInvite, error) {
	by, err := s.inviteesOf(ctx, q, []int64{sessionID})
	return by[sessionID], err
}

// inviteesOf are the invitees of each session, in one read.
func (s *Service) inviteesOf(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, sessionIDs []int64) (map[int64][]SessionInvite, error) {
	by := map[int64][]SessionInvite{}
	if len(sessionIDs) == 0 {
		return by, nil
	}
	ids := make([]string, len(sessionIDs))
	for i, id := range sessionIDs {
		ids[i] = strconv.FormatInt(id, 10)
		by[id] = []SessionInvite{}
	}
	rows, err := q.QueryContext(ctx, `SELECT i.session_id, m.public_id, m.name, i.answer, i.answered_at, i.member_id FROM session_invites i
		JOIN members m ON m.id = i.member_id WHERE i.session_id IN (`+strings.Join(ids, ", ")+`) ORDER BY m.name, m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x SessionInvite
		var session, at int64
		if err := rows.Scan(&session, &x.Member, &x.MemberName, &x.Answer, &at, &x.memberID); err != nil {
			return nil, err
		}
		if at > 0 {
			x.AnsweredAt = time.UnixMicro(at).UTC()
		}
		by[session] = append(by[session], x)
	}
	return by, rows.Err()
}

// Session returns a session with its invitees; a member reads only a
// session they are invited to (its minutes once it is held).
func (s *Service) Session(ctx context.Context, sc program.Scope, ref string) (CouncilSession, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersRead); err != nil {
			return CouncilSession{}, err
		}
	}
	x, err := scanSession(s.DB.R.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM council_sessions x WHERE x.program_id = $1 AND x.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return CouncilSession{}, sessionNotFound(ref)
	}
	if err != nil {
		return CouncilSession{}, err
	}
	if x.Invitees, err = s.invitees(ctx, s.DB.R, x.ID); err != nil {
		return CouncilSession{}, err
	}
	if sc.Actor.Kind == program.ActorMember {
		for _, i := range x.Invitees {
			if i.memberID == sc.Actor.ID {
				x.Answer = i.Answer
			}
		}
		if x.Answer == "" {
			return CouncilSession{}, sessionNotFound(ref)
		}
	}
	return x, nil
}

// Sessions are the council's sessions, the latest first; a member sees
// those they are invited to.
func (s *Service) Sessions(ctx context.Context, sc program.Scope) ([]CouncilSession, error) {
	w := db.Where("x.program_id = $1", sc.Program.ID)
	if sc.Actor.Kind == program.ActorMember {
		w.Add("x.id IN (SELECT session_id FROM session_invites WHERE member_id = $?)", sc.Actor.ID)
	} else if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, err
	}
	where, args := w.Page("x.starts_at DESC, x.id DESC", 200)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+sessionCols+` FROM council_sessions x`+where, args...)
	xs, err := db.Collect(rows, err, scanSession)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(xs))
	for i, x := range xs {
		ids[i] = x.ID
	}
	by, err := s.inviteesOf(ctx, s.DB.R, ids)
	if err != nil {
		return nil, err
	}
	for i := range xs {
		xs[i].Invitees = by[xs[i].ID]
		for _, inv := range xs[i].Invitees {
			if sc.Actor.Kind == program.ActorMember && inv.memberID == sc.Actor.ID {
				xs[i].Answer = inv.Answer
			}
		}
	}
	if xs == nil {
		xs = []CouncilSession{}
	}
	return xs, nil
}

// RSVP is an invitee's answer, until the session is held or cancelled:
// a member's own, or one an operator records for them (memberRef).
func (s *Service) RSVP(ctx context.Context, sc program.Scope, ref, memberRef, answer string) (CouncilSession, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersWrite); err != nil {
			return CouncilSession{}, err
		}
		if strings.TrimSpace(memberRef) == "" {
			return CouncilSession{}, fault.Field("member", "required", "is required")
		}
	}
	if answer != "yes" && answer != "no" {
		return CouncilSession{}, fault.Field("answer", "one_of", "must be one of {values}", fault.P{"values": "yes, no"})
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		who := sc.Actor.ID
		if sc.Actor.Kind != program.ActorMember {
			m, err := member.LookupTx(ctx, tx, sc.Program.ID, strings.TrimSpace(memberRef))
			if fault.Is(err, fault.NotFound) {
				return fault.Field("member", "event.member_unknown", "names no member of the program")
			}
			if err != nil {
				return err
			}
			who = m.ID
		}
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT x.id, x.status FROM council_sessions x JOIN session_invites i ON i.session_id = x.id
			WHERE x.program_id = $1 AND x.public_id = $2 AND i.member_id = $3`, sc.Program.ID, ref, who).Scan(&id, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return sessionNotFound(ref)
		}
		if err != nil {
			return err
		}
		if !(CouncilSession{Status: status}).Open() {
			return fault.New(fault.Conflict, "council.session_closed", "the session is {status}: answers are closed", fault.P{"status": status})
		}
		_, err = tx.ExecContext(ctx, `UPDATE session_invites SET answer = $3, answered_at = $4 WHERE session_id = $1 AND member_id = $2`, id, who, answer, tx.Now.UnixMicro())
		return err
	})
	if err != nil {
		return CouncilSession{}, err
	}
	return s.Session(ctx, sc, ref)
}

// Hold records a scheduled session as held, with its minutes.
func (s *Service) Hold(ctx context.Context, sc program.Scope, ref, minutes string) (CouncilSession, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return CouncilSession{}, err
	}
	minutes = strings.TrimSpace(minutes)
	if minutes == "" || len([]rune(minutes)) > 20000 {
		var f fault.Fields
		f.Length("minutes", 1, 20000)
		return CouncilSession{}, f.Err()
	}
	return s.setSession(ctx, sc, ref, Held, minutes)
}

// CancelSession calls a scheduled session off.
func (s *Service) CancelSession(ctx context.Context, sc program.Scope, ref string) (CouncilSession, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return CouncilSession{}, err
	}
	return s.setSession(ctx, sc, ref, Cancelled, "")
}

// tellInvitees sends the session's invitees a notice of kind.
func (s *Service) tellInvitees(ctx context.Context, tx *db.Tx, programID int64, ref, kind string) error {
	var id int64
	var title string
	if err := tx.QueryRowContext(ctx, `SELECT id, title FROM council_sessions WHERE program_id = $1 AND public_id = $2`, programID, ref).Scan(&id, &title); err != nil {
		return err
	}
	invs, err := s.invitees(ctx, tx, id)
	if err != nil {
		return err
	}
	members := make([]int64, len(invs))
	for i, x := range invs {
		members[i] = x.memberID
	}
	return notify.EmitEachTx(ctx, tx, notify.Event{ProgramID: programID, Kind: kind, Subject: ref, Params: map[string]any{"title": title}}, members)
}

func (s *Service) setSession(ctx context.Context, sc program.Scope, ref, status, minutes string) (CouncilSession, error) {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var was string
		err := tx.QueryRowContext(ctx, `SELECT status FROM council_sessions WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), sc.Program.ID, ref).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return sessionNotFound(ref)
		}
		if err != nil {
			return err
		}
		// Minutes may be rewritten after the session; nothing else moves a
		// session that is over.
		if x := (CouncilSession{Status: was}); !(status == Held && x.Minutable() || status == Cancelled && x.Open()) {
			return fault.New(fault.Conflict, "council.session_closed", "the session is {status}: answers are closed", fault.P{"status": was})
		}
		held := int64(0)
		if status == Held {
			held = tx.Now.UnixMicro()
		}
		if status == Cancelled {
			if err := s.tellInvitees(ctx, tx, sc.Program.ID, ref, notify.CouncilCancelled); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE council_sessions SET status = $3, minutes = $4, held_at = CASE WHEN held_at = 0 THEN $5 ELSE held_at END,
			updated_at = $6 WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref, status, minutes, held, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "council." + status, ObjectKind: "session", ObjectID: ref,
			Before: map[string]any{"status": was}, After: map[string]any{"status": status}})
	})
	if err != nil {
		return CouncilSession{}, err
	}
	return s.Session(ctx, sc, ref)
}
