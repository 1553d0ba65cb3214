package event

import (
	"context"
	"database/sql"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/task"
)

// StoriesJob is the job that gives attendees their story task.
const StoriesJob = "events.stories"

// StoriesRun is what a run of the stories job did.
type StoriesRun struct {
	Events   int      // events whose attendees were given their story
	Assigned int      // attendees assigned the story task
	Refused  []string // attendees the task refused, with why
}

// AssignStories gives each event that is over its story (SPEC A2: "a
// story task assigned to attendees after the event"): its task, published
// if still a draft, is assigned to every attendee checked in. Each
// attendee is one transaction, marked on their seat, so a retry (or
// another instance) never assigns anyone twice; an attendee the task
// refuses (its capacity spent, their tier below it) is named in the note
// and skipped. The event is then marked done.
func (s *Service) AssignStories(ctx context.Context) (StoriesRun, error) {
	var run StoriesRun
	type due struct {
		id        int64
		p         program.Program
		ref, task string
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT e.id, p.id, p.slug, p.time_zone, e.public_id, e.story_task FROM events e JOIN programs p ON p.id = e.program_id
		WHERE e.status = 'published' AND e.story_task <> '' AND e.stories_at = 0 AND e.ends_at <= $1 ORDER BY e.ends_at, e.id LIMIT 100`, s.DB.Now().UnixMicro())
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.p.ID, &d.p.Slug, &d.p.TimeZone, &d.ref, &d.task)
	})
	if err != nil {
		return run, err
	}
	actor := program.Actor{Kind: program.ActorJob, PublicID: "job:" + StoriesJob, Name: "event stories"}
	ctx = program.WithActor(ctx, actor)
	for _, d := range ds {
		sc := program.Scope{Program: d.p, Actor: actor, Role: program.RoleAdmin}
		if t, err := s.Tasks.Get(ctx, sc, d.task); err == nil && t.Status == task.Draft {
			if _, err := s.Tasks.Publish(ctx, sc, d.task); err != nil {
				// Its budget line short, say: tried again next run, no one
				// marked meanwhile.
				run.Refused = append(run.Refused, d.ref+": "+err.Error())
				continue
			}
		}
		rows, err := s.DB.R.QueryContext(ctx, `SELECT s.id, m.public_id FROM event_seats s JOIN members m ON m.id = s.member_id
			WHERE s.event_id = $1 AND s.status = 'going' AND s.checked_in_at > 0 AND s.story_claim = '' ORDER BY s.checked_in_at, s.id`, d.id)
		type attendee struct {
			seat   int64
			member string
		}
		as, err := db.Collect(rows, err, func(r *sql.Rows) (attendee, error) {
			var a attendee
			return a, r.Scan(&a.seat, &a.member)
		})
		if err != nil {
			return run, err
		}
		for _, a := range as {
			err := s.DB.InTx(ctx, func(tx *db.Tx) error {
				res, err := tx.ExecContext(ctx, `UPDATE event_seats SET story_claim = '-' WHERE id = $1 AND story_claim = ''`, a.seat)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return nil // another run had them
				}
				c, err := s.Tasks.TakeTx(ctx, tx, sc, d.task, a.member)
				if err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, `UPDATE event_seats SET story_claim = $2 WHERE id = $1`, a.seat, c.PublicID)
				return err
			})
			if fe, ok := fault.As(err); ok {
				run.Refused = append(run.Refused, a.member+": "+err.Error())
				code := "!" + fe.Code
				// Marked, so that the refusal is not asked again each run.
				if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE event_seats SET story_claim = $2 WHERE id = $1 AND story_claim = ''`, a.seat, code)
					return err
				}); err != nil {
					return run, err
				}
				continue
			}
			if err != nil {
				return run, err
			}
			run.Assigned++
		}
		if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE events SET stories_at = $2 WHERE id = $1 AND stories_at = 0`, d.id, tx.Now.UnixMicro())
			return err
		}); err != nil {
			return run, err
		}
		run.Events++
	}
	return run, nil
}

// Note is the run's note for the job log.
func (r StoriesRun) Note() string {
	note := strings.Join(r.Refused, "; ")
	if len(note) > 1000 {
		note = note[:1000]
	}
	return note
}
