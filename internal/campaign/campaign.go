// Package campaign holds campaigns (SPEC C1): a launch, an OTA, a season,
// grouping the tasks, briefings and events that carry the same label and
// the budget lines that pay for them, around one go-live time. At go-live,
// once however many instances run, and at the second (the scheduler is
// woken for it), its briefings' embargo lifts, its draft tasks are
// published and its members are told.
package campaign

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"kox/internal/briefing"
	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Kind is what moment a campaign is for.
type Kind string

const (
	Launch Kind = "launch"
	OTA    Kind = "ota"
	Season Kind = "season"
	Other  Kind = "other"
)

// Kinds in the order forms list them.
var Kinds = []Kind{Launch, OTA, Season, Other}

// Statuses.
const (
	Draft     = "draft"
	Scheduled = "scheduled" // goes live at its time
	Live      = "live"
)

// MaxLines is the most budget lines a campaign names.
const MaxLines = 20

// Campaign is a campaign as stored.
type Campaign struct {
	ID          int64     `json:"-"`
	PublicID    string    `json:"id"`
	Label       string    `json:"label" doc:"The label its tasks, briefings and events carry (a task's campaign)."`
	Kind        Kind      `json:"kind"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	GoLiveAt    time.Time `json:"golive_at"`
	BudgetLines []string  `json:"budget_lines"`
	Status      string    `json:"status" enum:"draft,scheduled,live"`
	LiveAt      time.Time `json:"live_at,omitzero" doc:"When go-live ran."`
	GoLiveNote  string    `json:"golive_note,omitempty" doc:"What go-live could not do (a task its budget line could not pay for)."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Editable says the campaign may still be rewritten: it has not gone live.
func (c Campaign) Editable() bool { return c.Status != Live }

// Input is a campaign as written.
type CampaignInput struct {
	Label       string    `json:"label,omitempty" maxLength:"100" doc:"Required; fixed once created."`
	Kind        Kind      `json:"kind" enum:"launch,ota,season,other"`
	Title       string    `json:"title" maxLength:"200"`
	Description string    `json:"description,omitempty" maxLength:"4000"`
	GoLiveAt    time.Time `json:"golive_at"`
	BudgetLines []string  `json:"budget_lines,omitempty" maxItems:"20" doc:"Budget line ids whose burn the campaign shows."`
}

// Input is the campaign as written, to be rewritten.
func (c Campaign) Input() CampaignInput {
	return CampaignInput{Label: c.Label, Kind: c.Kind, Title: c.Title, Description: c.Description, GoLiveAt: c.GoLiveAt, BudgetLines: c.BudgetLines}
}

// Service keeps campaigns and runs their go-lives.
type Service struct {
	DB        *db.DB
	Briefings *briefing.Service
	Budget    *budget.Service
	// PublishTask publishes a task (the task service's Publish).
	PublishTask func(ctx context.Context, sc program.Scope, ref string) error
	// Wake has the go-live job run at t (job.WakeTx).
	Wake func(ctx context.Context, tx *db.Tx, t time.Time) error
}

func notFound(ref string) error {
	return fault.New(fault.NotFound, "campaign.not_found", "no campaign {campaign}", fault.P{"campaign": ref})
}

func (in *CampaignInput) check(ctx context.Context, tx *db.Tx, programID int64) error {
	var f fault.Fields
	in.Label, in.Title, in.Description = strings.TrimSpace(in.Label), strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if in.Label == "" || len([]rune(in.Label)) > 100 {
		f.Length("label", 1, 100)
	}
	if !slices.Contains(Kinds, in.Kind) {
		f.OneOf("kind", fault.Names(Kinds))
	}
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		f.Length("title", 1, 200)
	}
	if len([]rune(in.Description)) > 4000 {
		f.MaxLength("description", 4000)
	}
	if in.GoLiveAt.IsZero() {
		f.Required("golive_at")
	}
	lines := in.BudgetLines[:0:0]
	for _, l := range in.BudgetLines {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	in.BudgetLines = lines
	if len(lines) > MaxLines {
		f.MaxItems("budget_lines", MaxLines)
	}
	for i, l := range lines {
		if _, err := budget.CheckLineTx(ctx, tx, programID, l, fmt.Sprintf("budget_lines[%d]", i)); err != nil {
			fe, ok := fault.As(err)
			if !ok || len(fe.Fields) == 0 {
				return err
			}
			f = append(f, fe.Fields...)
		}
	}
	return f.Err()
}

const cols = `id, public_id, label, kind, title, description, golive_at, budget_lines, status, live_at, golive_note, created_at, updated_at`

func at(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func scan(s interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var golive, live, created, updated int64
	var lines string
	err := s.Scan(&c.ID, &c.PublicID, &c.Label, &c.Kind, &c.Title, &c.Description, &golive, &lines, &c.Status, &live, &c.GoLiveNote, &created, &updated)
	c.GoLiveAt, c.LiveAt, c.CreatedAt, c.UpdatedAt = at(golive), at(live), at(created), at(updated)
	_ = json.Unmarshal([]byte(lines), &c.BudgetLines)
	if c.BudgetLines == nil {
		c.BudgetLines = []string{}
	}
	return c, err
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func get(ctx context.Context, q querier, programID int64, ref, lock string) (Campaign, error) {
	c, err := scan(q.QueryRowContext(ctx, `SELECT `+cols+` FROM campaigns WHERE program_id = $1 AND public_id = $2`+lock, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, notFound(ref)
	}
	return c, err
}

// Get returns a campaign (operators).
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Campaign, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return Campaign{}, err
	}
	return get(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// List is the program's campaigns, the latest go-live first (operators).
func (s *Service) List(ctx context.Context, sc program.Scope) ([]Campaign, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+cols+` FROM campaigns WHERE program_id = $1 ORDER BY golive_at DESC, id DESC LIMIT 500`, sc.Program.ID)
	return db.Collect(rows, err, scan)
}

// Create writes a draft campaign.
func (s *Service) Create(ctx context.Context, sc program.Scope, in CampaignInput) (Campaign, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Campaign{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		if err := in.check(ctx, tx, sc.Program.ID); err != nil {
			return "", err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaigns WHERE program_id = $1 AND label = $2`, sc.Program.ID, in.Label).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			return "", fault.Field("label", "campaign.label_taken", "another campaign has this label")
		}
		lines, _ := json.Marshal(in.BudgetLines)
		ref := pubid.New("cmp")
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (program_id, public_id, label, kind, title, description, golive_at, budget_lines, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, sc.Program.ID, ref, in.Label, string(in.Kind), in.Title, in.Description, in.GoLiveAt.UnixMicro(),
			string(lines), tx.Now.UnixMicro()); err != nil {
			return "", db.MapError(err)
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "campaign.create", ObjectKind: "campaign", ObjectID: ref, After: in})
	})
	if err != nil {
		return Campaign{}, err
	}
	return get(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// Update rewrites a campaign that has not gone live; its label stays. A
// new go-live time moves its briefings' embargo with it.
func (s *Service) Update(ctx context.Context, sc program.Scope, ref string, in CampaignInput) (Campaign, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Campaign{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !c.Editable() {
			return fault.New(fault.Conflict, "campaign.live", "the campaign has gone live")
		}
		if strings.TrimSpace(in.Label) == "" {
			in.Label = c.Label
		}
		if err := in.check(ctx, tx, sc.Program.ID); err != nil {
			return err
		}
		if in.Label != c.Label {
			return fault.Field("label", "campaign.label_fixed", "cannot change: tasks, briefings and events carry it")
		}
		lines, _ := json.Marshal(in.BudgetLines)
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET kind = $2, title = $3, description = $4, golive_at = $5, budget_lines = $6, updated_at = $7
			WHERE id = $1`, c.ID, string(in.Kind), in.Title, in.Description, in.GoLiveAt.UnixMicro(), string(lines), tx.Now.UnixMicro()); err != nil {
			return err
		}
		if err := s.moveEmbargo(ctx, tx, sc.Program.ID, c.Label, in.GoLiveAt); err != nil {
			return err
		}
		if c.Status == Scheduled {
			if err := s.wake(ctx, tx, in.GoLiveAt); err != nil {
				return err
			}
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "campaign.update", ObjectKind: "campaign", ObjectID: ref,
			Before: c.Input(), After: in})
	})
	if err != nil {
		return Campaign{}, err
	}
	return get(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// moveEmbargo makes the campaign's go-live the embargo of its briefings
// that are not yet public.
func (s *Service) moveEmbargo(ctx context.Context, tx *db.Tx, programID int64, label string, golive time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE briefings SET public_at = CASE WHEN $3 < release_at THEN release_at ELSE $3 END, updated_at = $4
		WHERE program_id = $1 AND campaign = $2 AND public_told_at = 0`, programID, label, golive.UnixMicro(), tx.Now.UnixMicro())
	return err
}

func (s *Service) wake(ctx context.Context, tx *db.Tx, t time.Time) error {
	if s.Wake == nil {
		return nil
	}
	return s.Wake(ctx, tx, t)
}

// Schedule has a draft campaign go live at its time; Unschedule takes it
// back to a draft before then.
func (s *Service) Schedule(ctx context.Context, sc program.Scope, ref string, on bool) (Campaign, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Campaign{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, sc.Program.ID, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		from, to := Draft, Scheduled
		if !on {
			from, to = Scheduled, Draft
		}
		if c.Status != from {
			return fault.New(fault.Conflict, "campaign.not_"+from, "the campaign is {status}", fault.P{"status": c.Status})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = $2, updated_at = $3 WHERE id = $1`, c.ID, to, tx.Now.UnixMicro()); err != nil {
			return err
		}
		if on {
			if err := s.wake(ctx, tx, c.GoLiveAt); err != nil {
				return err
			}
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "campaign." + to, ObjectKind: "campaign", ObjectID: ref,
			Before: map[string]any{"status": c.Status}, After: map[string]any{"status": to, "golive_at": c.GoLiveAt}})
	})
	if err != nil {
		return Campaign{}, err
	}
	return get(ctx, s.DB.R, sc.Program.ID, ref, "")
}

// Run is what a run of go-live did.
type Run struct {
	Campaigns int
	Tasks     int
	Told      briefing.Told
	Next      time.Time
	Failed    []string
}

// GoLive runs what is due: each scheduled campaign whose time has come goes
// live once (the conditional status change and its notices are one
// transaction), its draft tasks are published, and the briefings' notices
// go out. Next is the next moment with work, for the scheduler's wake.
func (s *Service) GoLive(ctx context.Context) (Run, error) {
	var run Run
	now := s.DB.Now().UnixMicro()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.id FROM campaigns c WHERE c.status = 'scheduled' AND c.golive_at <= $1 ORDER BY c.golive_at, c.id`, now)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return run, err
	}
	for _, id := range ids {
		went, err := s.goLive(ctx, id)
		if err != nil {
			return run, fmt.Errorf("campaign %d: %w", id, err)
		}
		if went {
			run.Campaigns++
		}
	}
	if err := s.publishTasks(ctx, &run); err != nil {
		return run, err
	}
	if run.Told, err = s.Briefings.Tell(ctx); err != nil {
		return run, err
	}
	run.Failed = append(run.Failed, run.Told.Failed...)
	var next int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE(MIN(golive_at), 0) FROM campaigns WHERE status = 'scheduled' AND golive_at > $1`, now).Scan(&next); err != nil {
		return run, err
	}
	run.Next = at(next)
	if t := run.Told.Next; !t.IsZero() && (run.Next.IsZero() || t.Before(run.Next)) {
		run.Next = t
	}
	return run, nil
}

// goLive makes one campaign live and tells its members and operators, in
// one transaction: a second run, here or on another instance, finds it
// live already and does nothing.
func (s *Service) goLive(ctx context.Context, id int64) (bool, error) {
	return db.Do(ctx, s.DB, func(tx *db.Tx) (bool, error) {
		var c Campaign
		var programID int64
		err := tx.QueryRowContext(ctx, `UPDATE campaigns SET status = 'live', live_at = $2, updated_at = $2 WHERE id = $1 AND status = 'scheduled' AND golive_at <= $2
			RETURNING program_id, public_id, title`, id, tx.Now.UnixMicro()).Scan(&programID, &c.PublicID, &c.Title)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND status = 'active' ORDER BY id`, programID)
		members, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
			var m int64
			return m, r.Scan(&m)
		})
		if err != nil {
			return false, err
		}
		e := notify.Event{ProgramID: programID, Kind: notify.CampaignLive, Subject: c.PublicID, Params: map[string]any{"campaign": c.Title}}
		if err := notify.EmitEachTx(ctx, tx, e, members); err != nil {
			return false, err
		}
		if err := notify.EmitTx(ctx, tx, e); err != nil {
			return false, err
		}
		return true, program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "campaign.golive", ObjectKind: "campaign", ObjectID: c.PublicID,
			After: map[string]any{"members_told": len(members)}})
	})
}

// publishTasks publishes the draft tasks of live campaigns whose go-live has
// not finished with them; a task that cannot be published (its budget line
// is short) is named in the campaign's note, and go-live is done with it.
func (s *Service) publishTasks(ctx context.Context, run *Run) error {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT c.id, p.id, p.slug, p.time_zone, c.label FROM campaigns c JOIN programs p ON p.id = c.program_id
		WHERE c.status = 'live' AND c.tasks_done = 0 ORDER BY c.id`)
	type due struct {
		id    int64
		p     program.Program
		label string
	}
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.p.ID, &d.p.Slug, &d.p.TimeZone, &d.label)
	})
	if err != nil {
		return err
	}
	actor := program.Actor{Kind: program.ActorJob, PublicID: "job:campaigns", Name: "campaigns"}
	ctx = program.WithActor(ctx, actor)
	for _, d := range ds {
		rows, err := s.DB.R.QueryContext(ctx, `SELECT public_id FROM tasks WHERE program_id = $1 AND campaign = $2 AND status = 'draft'
			AND NOT EXISTS (SELECT 1 FROM briefings b WHERE b.program_id = tasks.program_id AND b.task = tasks.public_id AND b.status = 'published') ORDER BY id`,
			d.p.ID, d.label)
		refs, err := db.Collect(rows, err, func(r *sql.Rows) (string, error) {
			var ref string
			return ref, r.Scan(&ref)
		})
		if err != nil {
			return err
		}
		var failed []string
		sc := program.Scope{Program: d.p, Actor: actor, Role: program.RoleAdmin}
		for _, ref := range refs {
			if s.PublishTask == nil {
				break
			}
			if err := s.PublishTask(ctx, sc, ref); err != nil {
				failed = append(failed, ref+": "+err.Error())
				continue
			}
			run.Tasks++
		}
		run.Failed = append(run.Failed, failed...)
		note := strings.Join(failed, "; ")
		if len(note) > 1000 {
			note = note[:1000]
		}
		if err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE campaigns SET tasks_done = 1, golive_note = $2 WHERE id = $1`, d.id, note)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
