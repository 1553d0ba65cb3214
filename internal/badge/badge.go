// Package badge holds badges (SPEC R9): achievements defined by a criterion
// over the member's record (first approved task, N approved tasks, N points
// earned, a review score of 5), each awarded to a member once. Later
// criteria (reach, events) join the list in Criteria and in metric.
package badge

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Criterion is what a badge counts.
type Criterion string

const (
	FirstApprovedTask Criterion = "first_approved_task" // one approved submission
	ApprovedTasks     Criterion = "approved_tasks"      // at least threshold approved submissions
	PointsEarned      Criterion = "points_earned"       // at least threshold points earned in all
	TopScore          Criterion = "top_score"           // a submission approved with a score of 5
)

// Criteria kox knows.
var Criteria = []Criterion{FirstApprovedTask, ApprovedTasks, PointsEarned, TopScore}

// Badge is a badge definition.
type Badge struct {
	ID        int64     `json:"-"`
	PublicID  string    `json:"id"`
	Code      string    `json:"code"`
	NameZh    string    `json:"name_zh"`
	NameEn    string    `json:"name_en"`
	Criterion Criterion `json:"criterion"`
	Threshold int64     `json:"threshold"`
	Holders   int64     `json:"holders"`
	CreatedAt time.Time `json:"created_at"`
}

// Name is the badge's name in lang.
func (b Badge) Name(lang string) string {
	if lang == "en" && b.NameEn != "" {
		return b.NameEn
	}
	return b.NameZh
}

// Award is a badge a member holds.
type Award struct {
	Badge
	AwardedAt time.Time `json:"awarded_at"`
}

// BadgeInput is a badge as written.
type BadgeInput struct {
	Code      string    `json:"code" maxLength:"60"`
	NameZh    string    `json:"name_zh" maxLength:"60"`
	NameEn    string    `json:"name_en" maxLength:"60"`
	Criterion Criterion `json:"criterion" enum:"first_approved_task,approved_tasks,points_earned,top_score"`
	Threshold int64     `json:"threshold,omitempty" minimum:"0" doc:"For approved_tasks and points_earned; 1 otherwise."`
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,59}$`)

// Service keeps badges.
type Service struct{ DB *db.DB }

// Create defines a badge and awards it at once to every member who already
// meets it.
func (s *Service) Create(ctx context.Context, sc program.Scope, in BadgeInput) (Badge, error) {
	if err := sc.Require(program.PermRewardsWrite); err != nil {
		return Badge{}, err
	}
	in.Code, in.NameZh, in.NameEn = strings.TrimSpace(in.Code), strings.TrimSpace(in.NameZh), strings.TrimSpace(in.NameEn)
	var f fault.Fields
	if !codeRE.MatchString(in.Code) {
		f.Add("code", "badge.code", "use lower-case letters, digits, - and _ (at most 60)")
	}
	if in.NameZh == "" || len([]rune(in.NameZh)) > 60 {
		f.Length("name_zh", 1, 60)
	}
	if in.NameEn == "" || len([]rune(in.NameEn)) > 60 {
		f.Length("name_en", 1, 60)
	}
	if !slices.Contains(Criteria, in.Criterion) {
		f.OneOf("criterion", fault.Names(Criteria))
	}
	if in.Criterion == FirstApprovedTask || in.Criterion == TopScore {
		in.Threshold = 1
	}
	if in.Threshold < 1 || in.Threshold > 100_000_000 {
		f.Range("threshold", 1, 100_000_000)
	}
	if err := f.Err(); err != nil {
		return Badge{}, err
	}
	ref, err := db.Do(ctx, s.DB, func(tx *db.Tx) (string, error) {
		ref := pubid.New("bdg")
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO badges (program_id, public_id, code, name_zh, name_en, criterion, threshold, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, sc.Program.ID, ref, in.Code, in.NameZh, in.NameEn, string(in.Criterion),
			in.Threshold, tx.Now.UnixMicro()).Scan(&id)
		if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
			return "", fault.Field("code", "badge.taken", "another badge has this code")
		}
		if err != nil {
			return "", err
		}
		// Everyone who already meets it gets it now.
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_badges (program_id, badge_id, member_id, awarded_at)
			SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), m.id, CAST($3 AS BIGINT) FROM members m WHERE m.program_id = $1 AND `+meets(in.Criterion, "$4", "m.id"),
			sc.Program.ID, id, tx.Now.UnixMicro(), in.Threshold); err != nil {
			return "", err
		}
		return ref, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "badge.create", ObjectKind: "badge", ObjectID: ref, After: in})
	})
	if err != nil {
		return Badge{}, err
	}
	return s.Get(ctx, sc, ref)
}

// meets is the SQL condition that member (a column) meets criterion c with
// threshold param: the one definition of each criterion, used to award in
// the approving transaction and to award on creation.
func meets(c Criterion, param, member string) string {
	approved := `(SELECT COUNT(*) FROM submissions s JOIN task_claims c ON c.id = s.claim_id WHERE c.member_id = ` + member + ` AND s.status = 'approved')`
	switch c {
	case FirstApprovedTask, ApprovedTasks:
		return approved + ` >= ` + param
	case PointsEarned:
		return `(SELECT COALESCE(SUM(a.credits_posted), 0) FROM ledger_accounts a JOIN members mm ON a.ref = 'member:' || mm.public_id
			WHERE mm.id = ` + member + ` AND a.program_id = mm.program_id AND a.asset = 'points' AND a.code = 'member_points') >= ` + param
	case TopScore:
		return `EXISTS (SELECT 1 FROM reviews r JOIN submissions s ON s.id = r.submission_id JOIN task_claims c ON c.id = s.claim_id
			WHERE c.member_id = ` + member + ` AND r.decision = 'approved' AND r.score = 5) AND ` + param + ` >= 1`
	}
	return "1 = 0"
}

// AwardTx gives a member, in tx, every badge of the program they now meet
// and do not hold (the task service calls it when it approves their work).
func AwardTx(ctx context.Context, tx *db.Tx, programID, memberID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT b.id, b.criterion, b.threshold FROM badges b WHERE b.program_id = $1
		AND NOT EXISTS (SELECT 1 FROM member_badges mb WHERE mb.badge_id = b.id AND mb.member_id = $2)`, programID, memberID)
	type want struct {
		id int64
		c  Criterion
		n  int64
	}
	ws, err := db.Collect(rows, err, func(r *sql.Rows) (want, error) {
		var w want
		return w, r.Scan(&w.id, &w.c, &w.n)
	})
	if err != nil {
		return err
	}
	for _, w := range ws {
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_badges (program_id, badge_id, member_id, awarded_at)
			SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($4 AS BIGINT) WHERE `+meets(w.c, "$5", "$3")+` ON CONFLICT (badge_id, member_id) DO NOTHING`,
			programID, w.id, memberID, tx.Now.UnixMicro(), w.n); err != nil {
			return err
		}
	}
	return nil
}

const badgeCols = `b.id, b.public_id, b.code, b.name_zh, b.name_en, b.criterion, b.threshold, b.created_at,
	(SELECT COUNT(*) FROM member_badges mb WHERE mb.badge_id = b.id)`

func scanBadge(s interface{ Scan(...any) error }) (Badge, error) {
	var b Badge
	var created int64
	err := s.Scan(&b.ID, &b.PublicID, &b.Code, &b.NameZh, &b.NameEn, &b.Criterion, &b.Threshold, &created, &b.Holders)
	b.CreatedAt = time.UnixMicro(created).UTC()
	return b, err
}

// Get returns a badge.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Badge, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return Badge{}, err
	}
	b, err := scanBadge(s.DB.R.QueryRowContext(ctx, `SELECT `+badgeCols+` FROM badges b WHERE b.program_id = $1 AND b.public_id = $2`, sc.Program.ID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Badge{}, fault.New(fault.NotFound, "badge.not_found", "no badge {badge}", fault.P{"badge": ref})
	}
	return b, err
}

// List lists the program's badges.
func (s *Service) List(ctx context.Context, sc program.Scope) ([]Badge, error) {
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+badgeCols+` FROM badges b WHERE b.program_id = $1 ORDER BY b.id LIMIT 500`, sc.Program.ID)
	bs, err := db.Collect(rows, err, scanBadge)
	if bs == nil {
		bs = []Badge{}
	}
	return bs, err
}

// Of lists the badges a member holds, newest first; a member reads their own.
func (s *Service) Of(ctx context.Context, sc program.Scope, memberRef string) ([]Award, error) {
	if sc.Actor.Kind == program.ActorMember && sc.Actor.PublicID != memberRef {
		return nil, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": memberRef})
	}
	if err := sc.Require(program.PermProgramRead); err != nil {
		return nil, err
	}
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermMembersRead); err != nil {
			return nil, err
		}
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+badgeCols+`, mb.awarded_at FROM member_badges mb JOIN badges b ON b.id = mb.badge_id
		JOIN members m ON m.id = mb.member_id WHERE m.program_id = $1 AND m.public_id = $2 ORDER BY mb.id DESC`, sc.Program.ID, memberRef)
	as, err := db.Collect(rows, err, func(r *sql.Rows) (Award, error) {
		var a Award
		var created, at int64
		err := r.Scan(&a.ID, &a.PublicID, &a.Code, &a.NameZh, &a.NameEn, &a.Criterion, &a.Threshold, &created, &a.Holders, &at)
		a.CreatedAt, a.AwardedAt = time.UnixMicro(created).UTC(), time.UnixMicro(at).UTC()
		return a, err
	})
	if as == nil {
		as = []Award{}
	}
	return as, err
}
