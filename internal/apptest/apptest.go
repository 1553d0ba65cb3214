// Package apptest builds a kox app over a test database, with one program,
// a movable clock and quick ways to make members, for domain tests that
// cross packages (a redemption spends points, stock and budget).
package apptest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/task"
)

// Key is the data key tests seal payee details with.
var Key = []byte("0123456789abcdef0123456789abcdef")

// World is an app with one program and a clock the test moves.
type World struct {
	T   testing.TB
	A   *app.App
	Ctx context.Context
	SC  program.Scope // the owner's scope in the program

	mu  sync.Mutex
	now time.Time
}

var seq atomic.Int64

// New assembles an app over d with its clock at start.
func New(t testing.TB, d *db.DB, start time.Time) *World {
	w := &World{T: t, now: start}
	d.SetClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now })
	w.A = app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DataKey: Key}, d)
	t.Cleanup(w.A.Ledger.Close)
	w.Ctx = program.WithActor(context.Background(), program.System("test"))
	p, err := w.A.Programs.Create(w.Ctx, program.Program{Slug: fmt.Sprintf("p%d", seq.Add(1)), Name: "启程"})
	if err != nil {
		t.Fatal(err)
	}
	if w.SC, err = w.A.Programs.Scope(w.Ctx, p.Slug); err != nil {
		t.Fatal(err)
	}
	return w
}

// Now is the world's time.
func (w *World) Now() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

// Advance moves the clock.
func (w *World) Advance(d time.Duration) { w.mu.Lock(); w.now = w.now.Add(d); w.mu.Unlock() }

// Set puts the clock at t.
func (w *World) Set(t time.Time) { w.mu.Lock(); w.now = t; w.mu.Unlock() }

// Member makes an active member.
func (w *World) Member() member.Member {
	w.T.Helper()
	m, err := w.A.Members.Create(w.Ctx, w.SC, member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("会员%d", seq.Add(1)),
		Role: member.KOC, Status: member.Active}})
	if err != nil {
		w.T.Fatal(err)
	}
	return m
}

// Members makes n active members at once and returns them.
func (w *World) Members(n int) []member.Member {
	w.T.Helper()
	ns := make([]member.NewMember, n)
	tag := fmt.Sprintf("batch%d", seq.Add(1))
	for i := range ns {
		ns[i] = member.NewMember{Fields: member.Fields{Name: fmt.Sprintf("会员%d", seq.Add(1)), Role: member.KOC, Status: member.Active, City: tag}}
	}
	if err := w.A.DB.InTx(w.Ctx, func(tx *db.Tx) error { return member.CreateManyTx(w.Ctx, tx, w.SC.Program.ID, ns) }); err != nil {
		w.T.Fatal(err)
	}
	var out []member.Member
	f := member.Filter{City: tag, Limit: 500}
	for {
		ms, next, err := w.A.Members.List(w.Ctx, w.SC, f)
		if err != nil {
			w.T.Fatal(err)
		}
		out = append(out, ms...)
		if next == 0 {
			break
		}
		f.Before = next
	}
	if len(out) != n {
		w.T.Fatalf("made %d members, found %d", n, len(out))
	}
	return out
}

// Give grants points to members.
func (w *World) Give(amount int64, ms ...member.Member) {
	w.T.Helper()
	refs := make([]string, len(ms))
	for i, m := range ms {
		refs[i] = m.PublicID
	}
	for lo := 0; lo < len(refs); lo += 1000 {
		if _, err := w.A.Points.Adjust(w.Ctx, w.SC, points.Adjustment{Members: refs[lo:min(lo+1000, len(refs))], Amount: amount, Reason: "test"}); err != nil {
			w.T.Fatal(err)
		}
	}
}

// As is a member's own scope.
func (w *World) As(m member.Member) program.Scope {
	return program.Scope{Program: w.SC.Program, Role: program.RoleMember,
		Actor: program.Actor{Kind: program.ActorMember, ID: m.ID, PublicID: m.PublicID, ProgramID: w.SC.Program.ID, Role: program.RoleMember}}
}

// Role is an operator's scope with role.
func (w *World) Role(r program.Role) program.Scope {
	sc := w.SC
	sc.Role = r
	sc.Actor.Role = r
	return sc
}

// Approve publishes a task (in, open to all when its mode is unset), has m
// take it and hand in (with the reach given) and approves it with score:
// an approved piece of work on m's record.
func (w *World) Approve(m member.Member, in task.Input, score int, reach int64) task.Submission {
	w.T.Helper()
	if in.Mode == "" {
		in.Mode = task.Open
	}
	if in.Kind == "" {
		in.Kind = task.Content
	}
	if in.Capacity == 0 {
		in.Capacity = 5
	}
	tk, err := w.A.Tasks.Create(w.Ctx, w.SC, in)
	if err == nil {
		tk, err = w.A.Tasks.Publish(w.Ctx, w.SC, tk.PublicID)
	}
	if err != nil {
		w.T.Fatal(err)
	}
	c, err := w.A.Tasks.Take(w.Ctx, w.SC, tk.PublicID, m.PublicID)
	if err != nil {
		w.T.Fatal(err)
	}
	sub, err := w.A.Tasks.Submit(w.Ctx, w.As(m), c.PublicID, task.SubmissionInput{Text: "作品", Reach: reach})
	if err == nil {
		sub, err = w.A.Tasks.Review(w.Ctx, w.SC, sub.PublicID, task.Approve, score, "好")
	}
	if err != nil {
		w.T.Fatal(err)
	}
	return sub
}

// Code is what a test compares an error by: "field:code" for its first
// invalid field, else its code; "" for none.
func Code(err error) string {
	if fe, ok := fault.As(err); ok {
		if len(fe.Fields) > 0 {
			return fe.Fields[0].Field + ":" + fe.Fields[0].Code
		}
		return fe.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
