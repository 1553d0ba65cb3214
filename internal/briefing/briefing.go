// Package briefing holds the information rung's briefings (SPEC A1, seed
// 001's 信息授权): an OTA update's release notes, a launch's key messages,
// with their attachments, shown to chosen tiers from a release time and to
// everyone after an embargo; who read each and when; and an optional task
// ("share your first impressions") that opens to readers at the embargo.
//
// Who may see a briefing is one rule, visibleSQL, that every list, search,
// read, attachment and notice asks, so nothing embargoed reaches a member
// outside the chosen tiers early, whichever surface they look at. The rule
// is a condition on the clock, not a flag a job flips: a briefing is public
// at its embargo's second even before the go-live job has run.
package briefing

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Statuses.
const (
	Draft     = "draft"
	Published = "published"
	Withdrawn = "withdrawn"
)

// Job is the name of the job that tells members of briefings and runs
// campaigns' go-lives: publishing a briefing wakes it for its moments.
const Job = "campaigns.golive"

// Briefing is a briefing as stored, with what the reader asking may know.
type Briefing struct {
	ID          int64        `json:"-"`
	PublicID    string       `json:"id"`
	Campaign    string       `json:"campaign,omitempty" doc:"The label of the campaign it belongs to; it goes public at the campaign's go-live."`
	Title       string       `json:"title"`
	Summary     string       `json:"summary,omitempty" doc:"The highlights, in a few lines."`
	Body        string       `json:"body,omitempty" doc:"The release notes or key messages in full."`
	Ladder      string       `json:"ladder,omitempty"`
	MinTier     string       `json:"min_tier,omitempty" doc:"Members at this tier or above see it from release_at; empty: everyone does."`
	ReleaseAt   time.Time    `json:"release_at"`
	PublicAt    time.Time    `json:"public_at,omitzero" doc:"The embargo: everyone sees it from then; empty: only the chosen tiers ever do."`
	Task        string       `json:"task,omitempty" doc:"A task that opens to the briefing's readers at the embargo."`
	Status      string       `json:"status" enum:"draft,published,withdrawn"`
	Attachments []Attachment `json:"attachments"`
	Reads       int64        `json:"reads" doc:"Operators: how many members opened it."`
	ReadAt      time.Time    `json:"read_at,omitzero" doc:"Members: when they first opened it."`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Opens is when the briefing's task opens and the briefing is as public as
// it will be: the embargo, or the release for a briefing for chosen tiers
// only or for everyone.
func (b Briefing) Opens() time.Time {
	if !b.PublicAt.IsZero() {
		return b.PublicAt
	}
	return b.ReleaseAt
}

// Embargoed says that at now only the chosen tiers may see it.
func (b Briefing) Embargoed(now time.Time) bool {
	return b.Ladder != "" && (b.PublicAt.IsZero() || now.Before(b.PublicAt))
}

// Editable says operators may still rewrite it.
func (b Briefing) Editable() bool { return b.Status != Withdrawn }

// Input is a briefing as written.
type BriefingInput struct {
	Campaign  string    `json:"campaign,omitempty" maxLength:"100"`
	Title     string    `json:"title" maxLength:"200"`
	Summary   string    `json:"summary,omitempty" maxLength:"1000"`
	Body      string    `json:"body,omitempty" maxLength:"20000"`
	Ladder    string    `json:"ladder,omitempty"`
	MinTier   string    `json:"min_tier,omitempty"`
	ReleaseAt time.Time `json:"release_at"`
	PublicAt  time.Time `json:"public_at,omitzero" doc:"In a campaign, its go-live is the embargo and this is ignored."`
	Task      string    `json:"task,omitempty" doc:"A draft task of the program, published at the embargo."`
}

// Input is the briefing as written, to be rewritten.
func (b Briefing) Input() BriefingInput {
	return BriefingInput{Campaign: b.Campaign, Title: b.Title, Summary: b.Summary, Body: b.Body, Ladder: b.Ladder, MinTier: b.MinTier,
		ReleaseAt: b.ReleaseAt, PublicAt: b.PublicAt, Task: b.Task}
}

// Limits.
const (
	MaxTitle   = 200
	MaxSummary = 1000
	MaxBody    = 20000
)

func notFound(ref string) error {
	return fault.New(fault.NotFound, "briefing.not_found", "no briefing {briefing}", fault.P{"briefing": ref})
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// check tidies and checks in; a campaign's go-live becomes its embargo.
// self is the briefing rewritten ("" for a new one) and linked its task:
// that one may stay linked once published.
func (in *BriefingInput) check(ctx context.Context, tx *db.Tx, programID int64, self, linked string) error {
	var f fault.Fields
	in.Campaign, in.Title, in.Summary, in.Body, in.Task = strings.TrimSpace(in.Campaign), strings.TrimSpace(in.Title),
		strings.TrimSpace(in.Summary), strings.TrimSpace(in.Body), strings.TrimSpace(in.Task)
	if in.Title == "" || len([]rune(in.Title)) > MaxTitle {
		f.Length("title", 1, MaxTitle)
	}
	if len([]rune(in.Summary)) > MaxSummary {
		f.MaxLength("summary", MaxSummary)
	}
	if len([]rune(in.Body)) > MaxBody {
		f.MaxLength("body", MaxBody)
	}
	if in.ReleaseAt.IsZero() {
		f.Required("release_at")
	}
	if in.Ladder != "" || in.MinTier != "" {
		ls, err := ladder.LoadTx(ctx, tx, programID)
		if err != nil {
			return err
		}
		if !ladder.HasTier(ls, in.Ladder, in.MinTier) {
			f.Add("min_tier", "catalog.tier_unknown", "names no tier of the program's ladders")
		}
	}
	if in.Campaign != "" {
		var golive int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT golive_at, status FROM campaigns WHERE program_id = $1 AND label = $2`, programID, in.Campaign).Scan(&golive, &status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Add("campaign", "briefing.campaign_unknown", "names no campaign of the program")
		case err != nil:
			return err
		default:
			in.PublicAt = time.UnixMicro(golive).UTC()
		}
	}
	if !in.PublicAt.IsZero() && !in.ReleaseAt.IsZero() && in.PublicAt.Before(in.ReleaseAt) {
		f.Add("public_at", "briefing.public_before_release", "must not be before the release")
	}
	if in.Ladder == "" && in.Campaign == "" {
		// For everyone, and in no campaign: its release is its publication.
		in.PublicAt = time.Time{}
	}
	if in.Task != "" {
		var status string
		var other string
		err := tx.QueryRowContext(ctx, `SELECT t.status, COALESCE((SELECT b.public_id FROM briefings b WHERE b.program_id = t.program_id AND b.task = t.public_id
			AND b.public_id <> $3 AND b.status <> 'withdrawn' LIMIT 1), '') FROM tasks t WHERE t.program_id = $1 AND t.public_id = $2`,
			programID, in.Task, self).Scan(&status, &other)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			f.Add("task", "briefing.task_unknown", "names no task of the program")
		case err != nil:
			return err
		case other != "":
			f.Add("task", "briefing.task_linked", "is already the task of briefing {briefing}", fault.P{"briefing": other})
		case status != "draft" && in.Task != linked:
			// A published task would show its title before the embargo.
			f.Add("task", "briefing.task_not_draft", "must be a draft: it is published at the embargo")
		}
	}
	return f.Err()
}

const cols = `b.id, b.public_id, b.campaign, b.title, b.summary, b.body, b.ladder, b.min_tier, b.release_at, b.public_at, b.task, b.status,
	b.created_at, b.updated_at, (SELECT COUNT(*) FROM briefing_reads r WHERE r.briefing_id = b.id)`

func at(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func scan(s interface{ Scan(...any) error }) (Briefing, error) {
	var b Briefing
	var release, public, created, updated int64
	err := s.Scan(&b.ID, &b.PublicID, &b.Campaign, &b.Title, &b.Summary, &b.Body, &b.Ladder, &b.MinTier, &release, &public, &b.Task, &b.Status,
		&created, &updated, &b.Reads)
	b.ReleaseAt, b.PublicAt, b.CreatedAt, b.UpdatedAt = at(release), at(public), at(created), at(updated)
	b.Attachments = []Attachment{}
	return b, err
}

// visibleSQL is the rule of who sees a briefing: a member (an SQL
// expression of their id) at now (microseconds) sees a published briefing
// from its release when it is for everyone (and in no campaign) or they
// stand at its tier, and from its embargo whoever they are. A campaign's
// briefing for everyone waits for the campaign's go-live.
func visibleSQL(member string, now int64) string {
	n := strconv.FormatInt(now, 10)
	return `(b.status = 'published' AND b.release_at <= ` + n + ` AND ((b.ladder = '' AND b.public_at = 0) OR ` + liftedSQL(n) + ` OR ` +
		ladder.AtLeastSQL("b.program_id", member, "b.ladder", "b.min_tier") + `))`
}

// liftedSQL says the embargo is over at n: its time has come and, for a
// campaign's briefing, the campaign is set to go live (scheduled, and so
// live at its second even before the go-live job has run) or live. A
// campaign left a draft keeps its briefings under embargo.
func liftedSQL(n string) string {
	return `(b.public_at > 0 AND b.public_at <= ` + n + ` AND (b.campaign = '' OR EXISTS (SELECT 1 FROM campaigns c
		WHERE c.program_id = b.program_id AND c.label = b.campaign AND c.status IN ('scheduled', 'live'))))`
}

// openedSQL says at n the briefing is as public as it will be: its
// embargo lifted, or, with none, released.
func openedSQL(n string) string {
	return `(CASE WHEN b.public_at > 0 THEN ` + liftedSQL(n) + ` ELSE b.release_at <= ` + n + ` END)`
}

// reader is the member the scope is, or 0 for an operator (who must be
// allowed to read tasks' content).
func reader(sc program.Scope) (int64, error) {
	if sc.Actor.Kind == program.ActorMember {
		return sc.Actor.ID, nil
	}
	return 0, sc.Require(program.PermTasksRead)
}

// Service keeps briefings.
type Service struct {
	DB *db.DB
	// Wake has the go-live job run at t (job.WakeTx), in the transaction
	// that made something due then; nil in tests that run it by hand.
	Wake func(ctx context.Context, tx *db.Tx, t time.Time) error
	// PublishTask publishes a linked task when its briefing opens (the
	// task service's Publish).
	PublishTask func(ctx context.Context, sc program.Scope, ref string) error
}

func (s *Service) wake(ctx context.Context, tx *db.Tx, ts ...time.Time) error {
	if s.Wake == nil {
		return nil
	}
	for _, t := range ts {
		if !t.IsZero() {
			if err := s.Wake(ctx, tx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// get reads a briefing the scope may see (another's, or an embargoed one,
// is not found), with its attachments and the member's own read.
func (s *Service) get(ctx context.Context, q querier, sc program.Scope, ref, lock string) (Briefing, error) {
	memberID, err := reader(sc)
	if err != nil {
		return Briefing{}, err
	}
	query := `SELECT ` + cols + ` FROM briefings b WHERE b.program_id = $1 AND b.public_id = $2`
	if memberID != 0 {
		query += ` AND ` + visibleSQL(strconv.FormatInt(memberID, 10), s.DB.Now().UnixMicro())
	}
	b, err := scan(q.QueryRowContext(ctx, query+lock, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Briefing{}, notFound(ref)
	}
	if err != nil {
		return Briefing{}, err
	}
	if b.Attachments, err = attachments(ctx, s.DB, b.ID); err != nil {
		return Briefing{}, err
	}
	if memberID != 0 {
		var read int64
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(read_at), 0) FROM briefing_reads WHERE briefing_id = $1 AND member_id = $2`,
			b.ID, memberID).Scan(&read); err != nil {
			return Briefing{}, err
		}
		b.ReadAt, b.Reads = at(read), 0
	}
	return b, nil
}

// Get returns a briefing: any of the program's to operators; to a member
// only one they may see now (any other answers not found).
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Briefing, error) {
	return s.get(ctx, s.DB.R, sc, ref, "")
}

// Open is a member reading a briefing: it is returned as Get does, and the
// first time they open it is their read receipt.
func (s *Service) Open(ctx context.Context, sc program.Scope, ref string) (Briefing, error) {
	b, err := s.Get(ctx, sc, ref)
	if err != nil || sc.Actor.Kind != program.ActorMember || !b.ReadAt.IsZero() {
		return b, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO briefing_reads (briefing_id, member_id, read_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			b.ID, sc.Actor.ID, tx.Now.UnixMicro())
		return err
	})
	if err != nil {
		return Briefing{}, err
	}
	return s.Get(ctx, sc, ref)
}

// Filter narrows a list of briefings.
type Filter struct {
	Q        string // words in the title, summary or text
	Campaign string
	Status   string // operators
	Unread   bool   // members: only those they have not opened
	Before   int64
	Limit    int
}

// List is the briefings the scope may see, newest release first: all of
// the program's to operators, to a member those they may see now.
func (s *Service) List(ctx context.Context, sc program.Scope, f Filter) ([]Briefing, int64, error) {
	memberID, err := reader(sc)
	if err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	w := db.Where("b.program_id = $1", sc.Program.ID)
	if memberID != 0 {
		w.AddFixed(visibleSQL(strconv.FormatInt(memberID, 10), s.DB.Now().UnixMicro()))
		if f.Unread {
			w.Add("NOT EXISTS (SELECT 1 FROM briefing_reads r WHERE r.briefing_id = b.id AND r.member_id = $?)", memberID)
		}
	} else if f.Status != "" {
		w.Add("b.status = $?", f.Status)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := db.Contains(q)
		w.Add(`(LOWER(b.title) LIKE $? ESCAPE '\' OR LOWER(b.summary) LIKE $? ESCAPE '\' OR LOWER(b.body) LIKE $? ESCAPE '\')`, like)
	}
	if f.Campaign != "" {
		w.Add("b.campaign = $?", f.Campaign)
	}
	if f.Before > 0 {
		w.Add("b.id < $?", f.Before)
	}
	where, args := w.Page("b.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+cols+` FROM briefings b`+where, args...)
	bs, err := db.Collect(rows, err, scan)
	if err != nil {
		return nil, 0, err
	}
	bs, next := db.TrimPage(bs, f.Limit, func(b Briefing) int64 { return b.ID })
	if memberID != 0 && len(bs) > 0 {
		ids := make([]int64, len(bs))
		for i, b := range bs {
			ids[i] = b.ID
		}
		in, inArgs, _ := db.In(s.DB.Engine, "briefing_id", 2, ids)
		rows, err := s.DB.R.QueryContext(ctx, `SELECT briefing_id, read_at FROM briefing_reads WHERE member_id = $1 AND `+in, append([]any{memberID}, inArgs...)...)
		reads, err := db.Collect(rows, err, func(r *sql.Rows) ([2]int64, error) {
			var x [2]int64
			return x, r.Scan(&x[0], &x[1])
		})
		if err != nil {
			return nil, 0, err
		}
		byID := map[int64]int64{}
		for _, r := range reads {
			byID[r[0]] = r[1]
		}
		for i := range bs {
			bs[i].ReadAt, bs[i].Reads = at(byID[bs[i].ID]), 0
		}
	}
	return bs, next, nil
}

// Create writes a draft.
func (s *Service) Create(ctx context.Context, sc program.Scope, in BriefingInput) (Briefing, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Briefing{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		if err := in.check(ctx, tx, sc.Program.ID, "", ""); err != nil {
			return "", err
		}
		ref := pubid.New("brf")
		if _, err := tx.ExecContext(ctx, `INSERT INTO briefings (program_id, public_id, campaign, title, summary, body, ladder, min_tier, release_at, public_at,
			task, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`, sc.Program.ID, ref, in.Campaign, in.Title,
			in.Summary, in.Body, in.Ladder, in.MinTier, in.ReleaseAt.UnixMicro(), micros(in.PublicAt), in.Task, tx.Now.UnixMicro()); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "briefing.create", ObjectKind: "briefing", ObjectID: ref, After: in})
	})
	if err != nil {
		return Briefing{}, err
	}
	return s.Get(ctx, sc, ref)
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Update rewrites a briefing that is not withdrawn. Moving a release or an
// embargo that has not come yet moves its notices too.
func (s *Service) Update(ctx context.Context, sc program.Scope, ref string, in BriefingInput) (Briefing, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Briefing{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.get(ctx, tx, sc, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !b.Editable() {
			return fault.New(fault.Conflict, "briefing.withdrawn", "the briefing is withdrawn")
		}
		if err := in.check(ctx, tx, sc.Program.ID, ref, b.Task); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE briefings SET campaign = $2, title = $3, summary = $4, body = $5, ladder = $6, min_tier = $7,
			release_at = $8, public_at = $9, task = $10, updated_at = $11 WHERE id = $1`, b.ID, in.Campaign, in.Title, in.Summary, in.Body, in.Ladder,
			in.MinTier, in.ReleaseAt.UnixMicro(), micros(in.PublicAt), in.Task, tx.Now.UnixMicro()); err != nil {
			return err
		}
		if b.Status == Published {
			if err := s.wake(ctx, tx, in.ReleaseAt, in.PublicAt); err != nil {
				return err
			}
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "briefing.update", ObjectKind: "briefing", ObjectID: ref,
			Before: b.Input(), After: in})
	})
	if err != nil {
		return Briefing{}, err
	}
	return s.Get(ctx, sc, ref)
}

// Publish schedules a draft: from its release the chosen tiers see it
// (and are told), from its embargo everyone does.
func (s *Service) Publish(ctx context.Context, sc program.Scope, ref string) (Briefing, error) {
	return s.setStatus(ctx, sc, ref, Draft, Published, "briefing.not_draft", "only a draft can be published; the briefing is {status}")
}

// Withdraw takes a briefing back: no member sees it again.
func (s *Service) Withdraw(ctx context.Context, sc program.Scope, ref string) (Briefing, error) {
	return s.setStatus(ctx, sc, ref, "", Withdrawn, "briefing.withdrawn", "the briefing is already {status}")
}

func (s *Service) setStatus(ctx context.Context, sc program.Scope, ref, from, to, code, msg string) (Briefing, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Briefing{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.get(ctx, tx, sc, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if (from != "" && b.Status != from) || b.Status == to {
			return fault.New(fault.Conflict, code, msg, fault.P{"status": b.Status})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE briefings SET status = $2, updated_at = $3 WHERE id = $1`, b.ID, to, tx.Now.UnixMicro()); err != nil {
			return err
		}
		if to == Published {
			if err := s.wake(ctx, tx, b.ReleaseAt, b.PublicAt); err != nil {
				return err
			}
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "briefing." + to, ObjectKind: "briefing", ObjectID: ref,
			Before: map[string]any{"status": b.Status}, After: map[string]any{"status": to}})
	})
	if err != nil {
		return Briefing{}, err
	}
	return s.Get(ctx, sc, ref)
}
