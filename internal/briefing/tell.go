package briefing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"kox/internal/db"
	"kox/internal/ladder"
	"kox/internal/notify"
	"kox/internal/program"
)

// Told is what a run of Tell did.
type Told struct {
	Briefings int       // briefings whose notices went out
	Members   int       // notices written
	Tasks     int       // linked tasks published
	Failed    []string  // linked tasks that could not be published, and why
	Next      time.Time // the next release or embargo to come; zero: none
}

// Tell sends the notices that are due, once each however many instances
// run it: at a briefing's release its chosen tiers are told (everyone, for
// a briefing for everyone), at its embargo everyone else (a campaign's
// briefing leaves that to the campaign's own notice); and a linked task
// still a draft is published when the briefing opens.
func (s *Service) Tell(ctx context.Context) (Told, error) {
	var out Told
	now := s.DB.Now().UnixMicro()
	n := strconv.FormatInt(now, 10)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT b.id FROM briefings b WHERE b.status = 'published'
		AND ((b.early_told_at = 0 AND b.release_at <= $1) OR (b.public_told_at = 0 AND `+liftedSQL(n)+`)) ORDER BY b.id`, now)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		n, err := s.tell(ctx, id)
		if err != nil {
			return out, fmt.Errorf("briefing %d: %w", id, err)
		}
		if n >= 0 {
			out.Briefings++
			out.Members += n
		}
	}
	if err := s.publishTasks(ctx, &out); err != nil {
		return out, err
	}
	var next int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MIN(CASE WHEN early_told_at = 0 THEN release_at ELSE public_at END), 0) FROM briefings
		WHERE status = 'published' AND ((early_told_at = 0 AND release_at > $1) OR (public_told_at = 0 AND public_at > $1))`, now).Scan(&next)
	out.Next = at(next)
	return out, err
}

// tell sends one briefing's due notices in one transaction, the notices
// with the mark that they went: -1 when another run had sent them.
func (s *Service) tell(ctx context.Context, id int64) (int, error) {
	return db.Do(ctx, s.DB, func(tx *db.Tx) (int, error) {
		var b Briefing
		var programID, early, public int64
		var release, publicAt int64
		var lifted bool
		err := tx.QueryRowContext(ctx, `SELECT b.program_id, b.public_id, b.title, b.campaign, b.ladder, b.release_at, b.public_at, b.early_told_at, b.public_told_at,
			`+liftedSQL(strconv.FormatInt(tx.Now.UnixMicro(), 10))+` FROM briefings b WHERE b.id = $1`+tx.ForUpdateOf("b"), id).Scan(&programID, &b.PublicID, &b.Title,
			&b.Campaign, &b.Ladder, &release, &publicAt, &early, &public, &lifted)
		if errors.Is(err, sql.ErrNoRows) {
			return -1, nil
		}
		if err != nil {
			return 0, err
		}
		now := tx.Now.UnixMicro()
		b.ReleaseAt, b.PublicAt = at(release), at(publicAt)
		var kind, who string
		switch {
		case early == 0 && release <= now && b.Ladder == "" && publicAt == 0:
			// The release of a briefing for everyone.
			kind, who, early, public = notify.BriefingOut, `AND `+visibleSQL("m.id", now), now, now
		case early == 0 && release <= now && b.Ladder != "" && !lifted:
			// The release: the chosen tiers.
			kind, who, early = notify.BriefingEarly, `AND `+visibleSQL("m.id", now), now
		case public == 0 && lifted:
			// The embargo: whoever was not told at the release (everyone,
			// when the release's notice never went).
			kind, public = notify.BriefingOut, now
			if early > 0 && early < publicAt {
				who = `AND NOT ` + visibleSQL("m.id", early)
			}
			if early == 0 {
				early = now
			}
			if b.Campaign != "" {
				kind = "" // the campaign's go-live tells its members
			}
		case early == 0 && release <= now && !lifted:
			// A campaign's briefing for everyone: no one is told before
			// its go-live.
			early = now
		default:
			return -1, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE briefings SET early_told_at = $2, public_told_at = $3 WHERE id = $1`, id, early, public); err != nil {
			return 0, err
		}
		if kind == "" {
			return 0, nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.id FROM members m JOIN briefings b ON b.id = $1 WHERE m.program_id = b.program_id AND m.status = 'active' `+
			who+` ORDER BY m.id`, id)
		members, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
			var m int64
			return m, r.Scan(&m)
		})
		if err != nil {
			return 0, err
		}
		return len(members), notify.EmitEachTx(ctx, tx, notify.Event{ProgramID: programID, Kind: kind, Subject: b.PublicID,
			Params: map[string]any{"briefing": b.Title}}, members)
	})
}

// publishTasks publishes the linked tasks, still drafts, of briefings that
// have opened. One that cannot be (its budget line is short) is tried again
// on the next run and named in the run's note meanwhile.
func (s *Service) publishTasks(ctx context.Context, out *Told) error {
	if s.PublishTask == nil {
		return nil
	}
	now := s.DB.Now().UnixMicro()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT p.id, p.slug, p.time_zone, t.public_id FROM briefings b
		JOIN tasks t ON t.program_id = b.program_id AND t.public_id = b.task JOIN programs p ON p.id = b.program_id
		WHERE b.status = 'published' AND t.status = 'draft' AND `+openedSQL(strconv.FormatInt(now, 10))+` ORDER BY b.id`)
	type due struct {
		p    program.Program
		task string
	}
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.p.ID, &d.p.Slug, &d.p.TimeZone, &d.task)
	})
	if err != nil {
		return err
	}
	actor := program.Actor{Kind: program.ActorJob, PublicID: "job:briefings", Name: "briefings"}
	for _, d := range ds {
		sc := program.Scope{Program: d.p, Actor: actor, Role: program.RoleAdmin}
		if err := s.PublishTask(program.WithActor(ctx, actor), sc, d.task); err != nil {
			out.Failed = append(out.Failed, d.task+": "+err.Error())
			continue
		}
		out.Tasks++
	}
	return nil
}

func init() { ladder.OnMove(tellPromoted) }

// tellPromoted tells a member who has just reached a briefing's tiers
// while it is still under embargo, its release notice already gone: they
// hear of it as its tiers did at the release, once (SPEC A1; the notice
// itself was never a leak, since they may read it now).
func tellPromoted(ctx context.Context, tx *db.Tx, programID, memberID int64) error {
	now := tx.Now.UnixMicro()
	n := strconv.FormatInt(now, 10)
	rows, err := tx.QueryContext(ctx, `SELECT b.public_id, b.title FROM briefings b JOIN members m ON m.id = $2
		WHERE b.program_id = $1 AND b.ladder <> '' AND b.early_told_at > 0 AND m.status = 'active' AND NOT `+liftedSQL(n)+` AND `+visibleSQL("m.id", now)+`
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = b.program_id AND o.kind = 'briefing_early' AND o.subject = b.public_id AND o.member_id = m.id)
		ORDER BY b.id`, programID, memberID)
	type due struct{ ref, title string }
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.ref, &d.title)
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: programID, Kind: notify.BriefingEarly, MemberID: memberID, Subject: d.ref,
			Params: map[string]any{"briefing": d.title}}); err != nil {
			return err
		}
	}
	return nil
}
