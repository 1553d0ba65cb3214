// Package community holds each member's place in the brand's private
// community (SPEC L6, seed 004's 私域): whether they were invited to its
// group, joined, declined or left, and when. The group itself lives in
// WeCom; kox keeps who stands where so that operators see it beside the
// member and the member sees their invitation.
package community

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/notify"
	"kox/internal/program"
)

// Status is where a member stands with the private community.
type Status string

const (
	None     Status = "none"
	Invited  Status = "invited"
	Joined   Status = "joined"
	Declined Status = "declined"
	Left     Status = "left"
)

// Statuses in the order forms list them.
var Statuses = []Status{None, Invited, Joined, Declined, Left}

// MaxGroup is the longest group name.
const MaxGroup = 100

// Membership is a member's place in the private community.
type Membership struct {
	Member     string    `json:"member"`
	Status     Status    `json:"status"`
	Group      string    `json:"group,omitempty" doc:"The group they were invited to, e.g. a WeCom owners' group."`
	InvitedAt  time.Time `json:"invited_at,omitzero"`
	AnsweredAt time.Time `json:"answered_at,omitzero" doc:"When they joined or declined."`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Answerable says the member may answer: they hold an open invitation.
func (m Membership) Answerable() bool { return m.Status == Invited }

// CommunityInput sets a membership. Operators set any status; a member answers
// their own invitation with joined or declined.
type CommunityInput struct {
	Status Status `json:"status" enum:"none,invited,joined,declined,left"`
	Group  string `json:"group,omitempty" maxLength:"100" doc:"Operators: the group; kept when empty."`
}

// Service keeps memberships.
type Service struct {
	DB *db.DB
}

// memberTx finds the member (locked inside a write) the scope may reach: a
// member reaches only themselves, operators need perm.
func memberTx(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sc program.Scope, ref, lock string, perm program.Permission) (int64, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(perm); err != nil {
			return 0, err
		}
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND public_id = $2`+lock, sc.Program.ID, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sc.Actor.Kind == program.ActorMember && sc.Actor.ID != id) {
		return 0, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": ref})
	}
	return id, err
}

func read(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, memberID int64, ref string) (Membership, error) {
	m := Membership{Member: ref, Status: None}
	var invited, answered, updated int64
	err := q.QueryRowContext(ctx, `SELECT status, group_name, invited_at, answered_at, updated_at FROM member_community WHERE member_id = $1`,
		memberID).Scan(&m.Status, &m.Group, &invited, &answered, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil
	}
	m.InvitedAt, m.AnsweredAt, m.UpdatedAt = at(invited), at(answered), at(updated)
	return m, err
}

func at(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// Get returns a member's membership; a member reads their own.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Membership, error) {
	id, err := memberTx(ctx, s.DB.R, sc, ref, "", program.PermMembersRead)
	if err != nil {
		return Membership{}, err
	}
	return read(ctx, s.DB.R, id, ref)
}

// Set changes a membership, audited. An invitation records when it was
// made and tells the member; joining or declining records when they
// answered. A member may only answer an open invitation of their own.
func (s *Service) Set(ctx context.Context, sc program.Scope, ref string, in CommunityInput) (Membership, error) {
	in.Group = strings.TrimSpace(in.Group)
	var f fault.Fields
	if !slices.Contains(Statuses, in.Status) {
		f.OneOf("status", fault.Names(Statuses))
	}
	if len([]rune(in.Group)) > MaxGroup {
		f.MaxLength("group", MaxGroup)
	}
	if err := f.Err(); err != nil {
		return Membership{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Membership, error) {
		id, err := memberTx(ctx, tx, sc, ref, tx.ForUpdate(), program.PermMembersWrite)
		if err != nil {
			return Membership{}, err
		}
		was, err := read(ctx, tx, id, ref)
		if err != nil {
			return Membership{}, err
		}
		if sc.Actor.Kind == program.ActorMember {
			if in.Status != Joined && in.Status != Declined {
				return Membership{}, fault.Field("status", "community.answer", "must be joined or declined")
			}
			if !was.Answerable() {
				return Membership{}, fault.New(fault.Conflict, "community.no_invitation", "there is no open invitation to answer")
			}
			in.Group = ""
		}
		now := Membership{Member: ref, Status: in.Status, Group: in.Group, UpdatedAt: tx.Now.UTC()}
		if now.Group == "" {
			now.Group = was.Group
		}
		if now.Status == Invited && now.Group == "" {
			return Membership{}, fault.Field("group", "community.group_required", "is required: say which group the member is invited to")
		}
		now.InvitedAt, now.AnsweredAt = was.InvitedAt, was.AnsweredAt
		switch in.Status {
		case None:
			now.InvitedAt, now.AnsweredAt = time.Time{}, time.Time{}
		case Invited:
			now.InvitedAt, now.AnsweredAt = tx.Now.UTC(), time.Time{}
		case Joined, Declined:
			now.AnsweredAt = tx.Now.UTC()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_community (member_id, program_id, status, group_name, invited_at, answered_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id) DO UPDATE SET status = excluded.status, group_name = excluded.group_name,
			invited_at = excluded.invited_at, answered_at = excluded.answered_at, updated_at = excluded.updated_at`,
			id, sc.Program.ID, string(now.Status), now.Group, us(now.InvitedAt), us(now.AnsweredAt), tx.Now.UnixMicro()); err != nil {
			return Membership{}, err
		}
		if in.Status == Invited && was.Status != Invited {
			if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.CommunityInvited, MemberID: id, Subject: ref,
				Params: map[string]any{"group": now.Group}}); err != nil {
				return Membership{}, err
			}
		}
		return now, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "member.community", ObjectKind: "member", ObjectID: ref,
			Before: map[string]any{"status": was.Status, "group": was.Group}, After: map[string]any{"status": now.Status, "group": now.Group}})
	})
}

func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}
