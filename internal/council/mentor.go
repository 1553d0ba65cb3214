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

// Mentorship pairs a mentor of the top rung with a newcomer they coach.
type Mentorship struct {
	ID         int64        `json:"-"`
	PublicID   string       `json:"id"`
	Mentor     string       `json:"mentor"`
	MentorName string       `json:"mentor_name"`
	Mentee     string       `json:"mentee"`
	MenteeName string       `json:"mentee_name"`
	Status     string       `json:"status" enum:"active,ended"`
	Notes      []MentorNote `json:"notes"`
	CreatedAt  time.Time    `json:"created_at"`
	mentorID   int64
	menteeID   int64
}

// MentorNote is one message of a mentorship's thread, on a submission or not.
type MentorNote struct {
	PublicID   string    `json:"id"`
	Submission string    `json:"submission,omitempty"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

func mentorshipNotFound(ref string) error {
	return fault.New(fault.NotFound, "council.mentorship_not_found", "no mentorship {mentorship}", fault.P{"mentorship": ref})
}

// Pair makes a member of the top rung the mentor of a newcomer; a
// newcomer has one mentor at a time.
func (s *Service) Pair(ctx context.Context, sc program.Scope, mentorRef, menteeRef string) (Mentorship, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Mentorship{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		look := func(field, ref string) (member.Member, error) {
			m, err := member.LookupTx(ctx, tx, sc.Program.ID, strings.TrimSpace(ref))
			if fault.Is(err, fault.NotFound) {
				return m, fault.Field(field, "event.member_unknown", "names no member of the program")
			}
			return m, err
		}
		mentor, err := look("mentor", mentorRef)
		if err != nil {
			return "", err
		}
		mentee, err := look("mentee", menteeRef)
		if err != nil {
			return "", err
		}
		if mentor.ID == mentee.ID {
			return "", fault.Field("mentee", "council.self_mentor", "must be someone other than the mentor")
		}
		ok, err := ladder.NewRanks(tx, sc.Program.ID, mentor.ID).AtLeast(ctx, SeatLadder, SeatTier)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fault.New(fault.Forbidden, "council.tier", "the council is for members at {tier}", fault.P{"tier": SeatTier})
		}
		ref := pubid.New("mnt")
		_, err = tx.ExecContext(ctx, `INSERT INTO mentorships (program_id, public_id, mentor_id, mentee_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			sc.Program.ID, ref, mentor.ID, mentee.ID, tx.Now.UnixMicro())
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.New(fault.Conflict, "council.has_mentor", "{name} already has a mentor", fault.P{"name": mentee.Name})
		}
		if err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "mentor.pair", ObjectKind: "member", ObjectID: mentee.PublicID,
			After: map[string]any{"mentor": mentor.PublicID}})
	})
	if err != nil {
		return Mentorship{}, err
	}
	return s.Mentorship(ctx, sc, ref)
}

// EndMentorship ends a pairing.
func (s *Service) EndMentorship(ctx context.Context, sc program.Scope, ref string) (Mentorship, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Mentorship{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM mentorships WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), sc.Program.ID, ref).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return mentorshipNotFound(ref)
		}
		if err != nil {
			return err
		}
		if status != "active" {
			return fault.New(fault.Conflict, "council.mentorship_ended", "the mentorship has ended")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mentorships SET status = 'ended', ended_at = $3 WHERE program_id = $1 AND public_id = $2`,
			sc.Program.ID, ref, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "mentor.end", ObjectKind: "mentorship", ObjectID: ref})
	})
	if err != nil {
		return Mentorship{}, err
	}
	return s.Mentorship(ctx, sc, ref)
}

const mentorshipCols = `x.id, x.public_id, a.public_id, a.name, b.public_id, b.name, x.status, x.created_at, x.mentor_id, x.mentee_id`

const mentorshipFrom = ` FROM mentorships x JOIN members a ON a.id = x.mentor_id JOIN members b ON b.id = x.mentee_id`

func scanMentorship(r interface{ Scan(...any) error }) (Mentorship, error) {
	var x Mentorship
	var created int64
	err := r.Scan(&x.ID, &x.PublicID, &x.Mentor, &x.MentorName, &x.Mentee, &x.MenteeName, &x.Status, &created, &x.mentorID, &x.menteeID)
	x.CreatedAt, x.Notes = time.UnixMicro(created).UTC(), []MentorNote{}
	return x, err
}

// Mentorship returns a pairing with its thread; a member reads the ones
// they are the mentor or the mentee of.
func (s *Service) Mentorship(ctx context.Context, sc program.Scope, ref string) (Mentorship, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersRead); err != nil {
			return Mentorship{}, err
		}
	}
	x, err := scanMentorship(s.DB.R.QueryRowContext(ctx, `SELECT `+mentorshipCols+mentorshipFrom+` WHERE x.program_id = $1 AND x.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && sc.Actor.ID != x.mentorID && sc.Actor.ID != x.menteeID) {
		return Mentorship{}, mentorshipNotFound(ref)
	}
	if err != nil {
		return Mentorship{}, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT n.public_id, n.submission, m.public_id, m.name, n.body, n.created_at FROM mentor_notes n
		JOIN members m ON m.id = n.author_id WHERE n.mentorship_id = $1 ORDER BY n.id`, x.ID)
	x.Notes, err = db.Collect(rows, err, func(r interface{ Scan(...any) error }) (MentorNote, error) {
		var n MentorNote
		var at int64
		err := r.Scan(&n.PublicID, &n.Submission, &n.Author, &n.AuthorName, &n.Body, &at)
		n.CreatedAt = time.UnixMicro(at).UTC()
		return n, err
	})
	if x.Notes == nil {
		x.Notes = []MentorNote{}
	}
	return x, err
}

// Mentorships are pairings, newest first: a member's own (as mentor or
// mentee), or all the program's for operators.
func (s *Service) Mentorships(ctx context.Context, sc program.Scope) ([]Mentorship, error) {
	w := db.Where("x.program_id = $1", sc.Program.ID)
	if sc.Actor.Kind == program.ActorMember {
		w.Add("(x.mentor_id = $? OR x.mentee_id = $?)", sc.Actor.ID)
	} else if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, err
	}
	where, args := w.Page("x.status, x.id DESC", 500)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+mentorshipCols+mentorshipFrom+where, args...)
	xs, err := db.Collect(rows, err, scanMentorship)
	if len(xs) > 500 {
		xs = xs[:500]
	}
	if xs == nil {
		xs = []Mentorship{}
	}
	return xs, err
}

// Write adds a message to a mentorship's thread: the mentor coaching (on
// one of the newcomer's submissions, named), or the newcomer answering.
func (s *Service) Write(ctx context.Context, sc program.Scope, ref, submission, body string) (Mentorship, error) {
	if sc.Actor.Kind != program.ActorMember {
		return Mentorship{}, fault.New(fault.Forbidden, "council.thread_members", "the mentor and the newcomer write the thread")
	}
	body, submission = strings.TrimSpace(body), strings.TrimSpace(submission)
	if body == "" || len([]rune(body)) > 4000 {
		var f fault.Fields
		f.Length("body", 1, 4000)
		return Mentorship{}, f.Err()
	}
	x, err := s.Mentorship(ctx, sc, ref)
	if err != nil {
		return Mentorship{}, err
	}
	if x.Status != "active" {
		return Mentorship{}, fault.New(fault.Conflict, "council.mentorship_ended", "the mentorship has ended")
	}
	if submission != "" {
		if _, err := s.menteeSubmission(ctx, sc, x, submission); err != nil {
			return Mentorship{}, err
		}
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mentor_notes (program_id, public_id, mentorship_id, submission, author_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Program.ID, pubid.New("mnote"), x.ID, submission, sc.Actor.ID, body, tx.Now.UnixMicro())
		return err
	})
	if err != nil {
		return Mentorship{}, err
	}
	return s.Mentorship(ctx, sc, ref)
}

// menteeSubmission is one of the newcomer's submissions, read for the
// mentorship (the task rules keep a member to their own).
func (s *Service) menteeSubmission(ctx context.Context, sc program.Scope, x Mentorship, ref string) (task.Submission, error) {
	sub, err := s.Tasks.Submission(ctx, s.readerScope(sc), ref)
	if err != nil || sub.MemberID != x.Mentee {
		return task.Submission{}, fault.Field("submission", "council.not_mentees", "names no submission of the newcomer")
	}
	return sub, nil
}

// readerScope reads the program as the mentorship's reader: tasks only.
func (s *Service) readerScope(sc program.Scope) program.Scope {
	return program.Scope{Program: sc.Program, Role: program.RoleViewer, Actor: program.Actor{Kind: program.ActorJob, PublicID: "mentorship", Name: "mentorship",
		ProgramID: sc.Program.ID, Role: program.RoleViewer}}
}

// MenteeWork is the newcomer's latest submissions, for their mentor (or
// themselves) to discuss in the thread.
func (s *Service) MenteeWork(ctx context.Context, sc program.Scope, ref string) ([]task.Submission, error) {
	_, subs, err := s.WithWork(ctx, sc, ref)
	return subs, err
}

// WithWork is the mentorship with its thread and the newcomer's latest
// submissions, in one call (the thread's page shows both).
func (s *Service) WithWork(ctx context.Context, sc program.Scope, ref string) (Mentorship, []task.Submission, error) {
	x, err := s.Mentorship(ctx, sc, ref)
	if err != nil {
		return Mentorship{}, nil, err
	}
	subs, _, err := s.Tasks.Submissions(ctx, s.readerScope(sc), task.SubmissionFilter{Member: x.Mentee, Limit: 20})
	return x, subs, err
}

// NominateMentee is a mentor nominating their newcomer for a tier (the
// nomination criterion of the promotion rules), with the reason.
func (s *Service) NominateMentee(ctx context.Context, sc program.Scope, ref, tierRef, reason string) error {
	if sc.Actor.Kind != program.ActorMember {
		return fault.New(fault.Forbidden, "council.mentor_nominates", "a mentor nominates their newcomer; operators nominate on the member's page")
	}
	x, err := s.Mentorship(ctx, sc, ref)
	if err != nil {
		return err
	}
	if x.mentorID != sc.Actor.ID || x.Status != "active" {
		return fault.New(fault.Forbidden, "council.mentor_nominates", "a mentor nominates their newcomer; operators nominate on the member's page")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		return s.Nominate(ctx, tx, sc.Program.ID, x.Mentee, tierRef, reason, "mentor "+x.MentorName)
	})
}
