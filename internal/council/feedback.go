package council

import (
	"context"
	"database/sql"
	"errors"
	"slices"
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

// Feedback statuses, in the order an item moves.
const (
	New        = "new"        // raised, not yet read
	Heard      = "heard"      // read and acknowledged
	Considered = "considered" // under consideration by the team it concerns
	Adopted    = "adopted"    // the brand will do it
	Declined   = "declined"   // the brand will not, with the reason in the note
)

// FeedbackStatuses in order.
var FeedbackStatuses = []string{New, Heard, Considered, Adopted, Declined}

// FeedbackItem is a feedback item: raised by a member, or recorded from a session.
type FeedbackItem struct {
	ID           int64     `json:"-"`
	PublicID     string    `json:"id"`
	Title        string    `json:"title"`
	Body         string    `json:"body,omitempty"`
	Status       string    `json:"status" enum:"new,heard,considered,adopted,declined"`
	Note         string    `json:"note,omitempty" doc:"The brand's answer, which the member reads."`
	Member       string    `json:"member,omitempty" doc:"Who raised it."`
	MemberName   string    `json:"member_name,omitempty"`
	Session      string    `json:"session,omitempty" doc:"The session it came from."`
	SessionTitle string    `json:"session_title,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	memberID     int64
	sessionID    int64
}

// FeedbackInput is a feedback item as raised; operators may name the session
// (and the member) it came from.
type FeedbackInput struct {
	Title   string `json:"title" maxLength:"200"`
	Body    string `json:"body,omitempty" maxLength:"8000"`
	Session string `json:"session,omitempty" doc:"Operators: the session it was raised in."`
	Member  string `json:"member,omitempty" doc:"Operators: the member who raised it."`
}

// ItemFilter narrows feedback items.
type ItemFilter struct {
	Status  string
	Session string
}

func itemNotFound(ref string) error {
	return fault.New(fault.NotFound, "council.item_not_found", "no feedback item {item}", fault.P{"item": ref})
}

// visibleSQL is which items member m may read: those they raised, and
// those recorded from a session they were invited to.
func visibleSQL(m string) string {
	return `(f.member_id = ` + m + ` OR f.session_id IN (SELECT session_id FROM session_invites WHERE member_id = ` + m + `))`
}

// Raise records a feedback item: a member's own, or one operators
// (members.write) record from a session or for a member.
func (s *Service) Raise(ctx context.Context, sc program.Scope, in FeedbackInput) (FeedbackItem, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersWrite); err != nil {
			return FeedbackItem{}, err
		}
	}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	var f fault.Fields
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if len([]rune(in.Body)) > 8000 {
		f.MaxLength("body", 8000)
	}
	if err := f.Err(); err != nil {
		return FeedbackItem{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		var memberID, sessionID int64
		if sc.Actor.Kind == program.ActorMember {
			memberID = sc.Actor.ID
		} else {
			if r := strings.TrimSpace(in.Member); r != "" {
				m, err := member.LookupTx(ctx, tx, sc.Program.ID, r)
				if fault.Is(err, fault.NotFound) {
					return "", fault.Field("member", "event.member_unknown", "names no member of the program")
				}
				if err != nil {
					return "", err
				}
				memberID = m.ID
			}
			if r := strings.TrimSpace(in.Session); r != "" {
				err := tx.QueryRowContext(ctx, `SELECT id FROM council_sessions WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, r).Scan(&sessionID)
				if errors.Is(err, sql.ErrNoRows) {
					return "", fault.Field("session", "council.session_unknown", "names no session of the council")
				}
				if err != nil {
					return "", err
				}
			}
			if memberID == 0 && sessionID == 0 {
				return "", fault.Field("session", "council.item_whose", "name the session or the member it came from")
			}
		}
		ref := pubid.New("fb")
		if _, err := tx.ExecContext(ctx, `INSERT INTO feedback_items (program_id, public_id, member_id, session_id, title, body, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, sc.Program.ID, ref, memberID, sessionID, in.Title, in.Body, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "feedback.raise", ObjectKind: "feedback", ObjectID: ref, After: in})
	})
	if err != nil {
		return FeedbackItem{}, err
	}
	return s.Item(ctx, sc, ref)
}

// Answer moves an item to a status with the note its member reads; the
// member who raised it (or a session's invitees) is told.
func (s *Service) Answer(ctx context.Context, sc program.Scope, ref, status, note string) (FeedbackItem, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return FeedbackItem{}, err
	}
	note = strings.TrimSpace(note)
	var f fault.Fields
	if !slices.Contains(FeedbackStatuses[1:], status) {
		f.OneOf("status", FeedbackStatuses[1:])
	}
	if len([]rune(note)) > 2000 {
		f.MaxLength("note", 2000)
	}
	if status == Declined && note == "" {
		f.Add("note", "council.decline_reason", "say why it is declined: the member reads it")
	}
	if err := f.Err(); err != nil {
		return FeedbackItem{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		x, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+` WHERE f.program_id = $1 AND f.public_id = $2`+tx.ForUpdateOf("f"), sc.Program.ID, ref))
		if errors.Is(err, sql.ErrNoRows) {
			return itemNotFound(ref)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE feedback_items SET status = $2, note = $3, updated_at = $4 WHERE id = $1`, x.ID, status, note, tx.Now.UnixMicro()); err != nil {
			return err
		}
		told := []int64{}
		if x.memberID != 0 {
			told = append(told, x.memberID)
		} else if x.sessionID != 0 {
			invs, err := s.invitees(ctx, tx, x.sessionID)
			if err != nil {
				return err
			}
			for _, i := range invs {
				told = append(told, i.memberID)
			}
		}
		if status != x.Status {
			if err := notify.EmitEachTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.FeedbackUpdated, Subject: ref,
				Params: map[string]any{"title": x.Title, "status": status}}, told); err != nil {
				return err
			}
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "feedback." + status, ObjectKind: "feedback", ObjectID: ref,
			Before: map[string]any{"status": x.Status, "note": x.Note}, After: map[string]any{"status": status, "note": note}})
	})
	if err != nil {
		return FeedbackItem{}, err
	}
	return s.Item(ctx, sc, ref)
}

const itemCols = `f.id, f.public_id, f.title, f.body, f.status, f.note, coalesce(m.public_id, ''), coalesce(m.name, ''), coalesce(x.public_id, ''),
	coalesce(x.title, ''), f.created_at, f.updated_at, f.member_id, f.session_id`

const itemFrom = ` FROM feedback_items f LEFT JOIN members m ON m.id = f.member_id LEFT JOIN council_sessions x ON x.id = f.session_id`

func scanItem(r interface{ Scan(...any) error }) (FeedbackItem, error) {
	var x FeedbackItem
	var created, updated int64
	err := r.Scan(&x.ID, &x.PublicID, &x.Title, &x.Body, &x.Status, &x.Note, &x.Member, &x.MemberName, &x.Session, &x.SessionTitle, &created, &updated,
		&x.memberID, &x.sessionID)
	x.CreatedAt, x.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return x, err
}

// Item returns a feedback item; a member reads theirs and their sessions'.
func (s *Service) Item(ctx context.Context, sc program.Scope, ref string) (FeedbackItem, error) {
	w := db.Where("f.program_id = $1", sc.Program.ID).Add("f.public_id = $?", ref)
	if sc.Actor.Kind == program.ActorMember {
		w.AddFixed(visibleSQL(strconv.FormatInt(sc.Actor.ID, 10)))
	} else if err := sc.Require(program.PermMembersRead); err != nil {
		return FeedbackItem{}, err
	}
	where, args := w.Page("f.id", 1)
	x, err := scanItem(s.DB.R.QueryRowContext(ctx, `SELECT `+itemCols+itemFrom+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return FeedbackItem{}, itemNotFound(ref)
	}
	return x, err
}

// Items are feedback items, the latest moved first; a member sees theirs
// and their sessions'.
func (s *Service) Items(ctx context.Context, sc program.Scope, f ItemFilter) ([]FeedbackItem, error) {
	w := db.Where("f.program_id = $1", sc.Program.ID)
	if sc.Actor.Kind == program.ActorMember {
		w.AddFixed(visibleSQL(strconv.FormatInt(sc.Actor.ID, 10)))
	} else if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, err
	}
	if f.Status != "" {
		if !slices.Contains(FeedbackStatuses, f.Status) {
			return nil, fault.Field("status", "one_of", "must be one of {values}", fault.P{"values": strings.Join(FeedbackStatuses, ", ")})
		}
		w.Add("f.status = $?", f.Status)
	}
	if f.Session != "" {
		w.Add("x.public_id = $?", f.Session)
	}
	where, args := w.Page("f.updated_at DESC, f.id DESC", 500)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+itemCols+itemFrom+where, args...)
	xs, err := db.Collect(rows, err, scanItem)
	if len(xs) > 500 {
		xs = xs[:500]
	}
	if xs == nil {
		xs = []FeedbackItem{}
	}
	return xs, err
}
