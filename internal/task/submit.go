package task

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
)

// SubmissionInput is what a member hands in.
type SubmissionInput struct {
	Posts  []Post
	Text   string
	Images []string
}

func (in *SubmissionInput) validate() error {
	var f fault.Fields
	in.Text = strings.TrimSpace(in.Text)
	if len(in.Posts) == 0 && in.Text == "" {
		f.Add("posts", "hand in at least one post or some text")
	}
	if len(in.Posts) > 10 {
		f.Add("posts", "at most 10")
	}
	for i, p := range in.Posts {
		if !slicesContains(member.Platforms, p.Platform) {
			f.Addf(fmt.Sprintf("posts[%d].platform", i), "must be one of %s", strings.Join(member.Platforms, ", "))
		}
		if !httpURL(p.URL) {
			f.Add(fmt.Sprintf("posts[%d].url", i), "must be an http(s) address of at most 500 characters")
		}
	}
	if len([]rune(in.Text)) > 20000 {
		f.Add("text", "must be at most 20000 characters")
	}
	if len(in.Images) > 20 {
		f.Add("images", "at most 20")
	}
	for i, u := range in.Images {
		if !httpURL(u) {
			f.Add(fmt.Sprintf("images[%d]", i), "must be an http(s) address of at most 500 characters")
		}
	}
	return f.Err()
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 500
}

const submissionCols = `s.id, s.public_id, s.version, s.posts, s.text, s.images, s.check_result, s.status, s.created_at,
	c.public_id, t.public_id, m.public_id, m.source, coalesce(o.seq, 0),
	coalesce(r.decision, ''), coalesce(r.score, 0), coalesce(r.feedback, ''), coalesce(r.reviewer, ''), coalesce(r.created_at, 0)`

const submissionFrom = ` FROM submissions s JOIN task_claims c ON c.id = s.claim_id JOIN tasks t ON t.id = c.task_id
	JOIN members m ON m.id = c.member_id LEFT JOIN task_occurrences o ON o.id = s.occurrence_id LEFT JOIN reviews r ON r.submission_id = s.id`

func scanSubmission(sc interface{ Scan(...any) error }) (Submission, error) {
	var s Submission
	var posts, images, check string
	var created, reviewed int64
	var r Review
	var source member.Source
	err := sc.Scan(&s.ID, &s.PublicID, &s.Version, &posts, &s.Text, &images, &check, &s.Status, &created,
		&s.ClaimID, &s.TaskID, &s.MemberID, &source, &s.Occurrence, &r.Decision, &r.Score, &r.Feedback, &r.Reviewer, &reviewed)
	if err != nil {
		return s, err
	}
	s.DisclosureRequired = source.Disclosed()
	_ = json.Unmarshal([]byte(posts), &s.Posts)
	_ = json.Unmarshal([]byte(images), &s.Images)
	_ = json.Unmarshal([]byte(check), &s.Check)
	s.CreatedAt = fromMicros(created)
	if r.Decision != "" {
		r.CreatedAt = fromMicros(reviewed)
		s.Review = &r
	}
	return s, nil
}

func loadSubmission(ctx context.Context, q querier, programID int64, ref string) (Submission, error) {
	s, err := scanSubmission(q.QueryRowContext(ctx, `SELECT `+submissionCols+submissionFrom+` WHERE s.program_id = $1 AND s.public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, fault.New(fault.NotFound, "submission %q not found", ref)
	}
	return s, err
}

// Submit hands in work for a claim — or, for a recurring obligation, for
// its next due occurrence. The brief check runs on it and is kept with it.
func (s *Service) Submit(ctx context.Context, sc program.Scope, claimRef string, in SubmissionInput) (Submission, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksWrite); err != nil {
			return Submission{}, err
		}
	}
	if err := in.validate(); err != nil {
		return Submission{}, err
	}
	var out Submission
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return err
		}
		if !c.Status.working() {
			return fault.New(fault.Conflict, "a %s claim takes no submissions", c.Status)
		}
		if err := attachOccurrences(ctx, tx, &c); err != nil {
			return err
		}
		var occurrence any
		if t.Recurrence != nil {
			var due *Occurrence
			for i := range c.Occurrences {
				if st := c.Occurrences[i].Status; st == "open" || st == "changes_requested" {
					due = &c.Occurrences[i]
					break
				}
			}
			if due == nil {
				return fault.New(fault.Conflict, "nothing is due on this obligation")
			}
			occurrence = due.id
			if _, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = 'submitted' WHERE id = $1`, due.id); err != nil {
				return err
			}
		} else {
			if !c.SubmitBy.IsZero() && !tx.Now.Before(c.SubmitBy) {
				return fault.New(fault.Conflict, "the submission deadline has passed")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = 'submitted', updated_at = $2 WHERE id = $1`, c.ID, tx.Now.UnixMicro()); err != nil {
				return err
			}
		}
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, c.MemberID)
		if err != nil {
			return err
		}
		check := CheckBrief(t.Brief, m.DisclosureRequired(), in.Text, in.Posts)
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + 1 FROM submissions WHERE claim_id = $1 AND coalesce(occurrence_id, 0) = coalesce($2, 0)`,
			c.ID, occurrence).Scan(&version); err != nil {
			return err
		}
		posts, _ := json.Marshal(nonNilPosts(in.Posts))
		images := in.Images
		if images == nil {
			images = []string{}
		}
		imgs, _ := json.Marshal(images)
		chk, _ := json.Marshal(check)
		pub := pubid.New("sub")
		if _, err := tx.ExecContext(ctx, `INSERT INTO submissions (program_id, public_id, claim_id, occurrence_id, version, posts, text, images,
			check_result, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, sc.Program.ID, pub, c.ID, occurrence, version,
			string(posts), in.Text, string(imgs), string(chk), tx.Now.UnixMicro()); err != nil {
			return err
		}
		if out, err = loadSubmission(ctx, tx, sc.Program.ID, pub); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "submission.create", ObjectKind: "submission",
			ObjectID: pub, After: map[string]any{"claim": c.PublicID, "version": version, "check_passed": check.Passed}})
	})
	return out, err
}

func nonNilPosts(p []Post) []Post {
	if p == nil {
		return []Post{}
	}
	return p
}

// Decisions a reviewer can take.
const (
	Approve        = "approved"
	RequestChanges = "changes_requested"
	Reject         = "rejected"
)

// Review decides a pending submission: approve it (a score of 1 to 5; the
// task's points are paid through the ledger, once), ask for changes (the
// member resubmits), or reject it. A submission is reviewed once: of two
// reviewers deciding at the same moment, one wins and the other is told.
func (s *Service) Review(ctx context.Context, sc program.Scope, submissionRef, decision string, score int, feedback string) (Submission, error) {
	if err := sc.Require(program.PermSubmissionsReview); err != nil {
		return Submission{}, err
	}
	feedback = strings.TrimSpace(feedback)
	var f fault.Fields
	switch decision {
	case Approve:
		if score < 1 || score > 5 {
			f.Add("score", "must be 1 to 5 when approving")
		}
	case RequestChanges, Reject:
		if feedback == "" {
			f.Add("feedback", "say what to change, or why it is rejected")
		}
		if score != 0 {
			f.Add("score", "is given only when approving")
		}
	default:
		f.Add("decision", "must be approved, changes_requested or rejected")
	}
	if len([]rune(feedback)) > 4000 {
		f.Add("feedback", "must be at most 4000 characters")
	}
	if err := f.Err(); err != nil {
		return Submission{}, err
	}
	var out Submission
	var paid []ledger.Result
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		paid = nil
		sub, err := loadSubmission(ctx, tx, sc.Program.ID, submissionRef)
		if err != nil {
			return err
		}
		// Lock the claim, then re-read the submission under the lock.
		t, c, err := lockClaim(ctx, tx, sc, sub.ClaimID)
		if err != nil {
			return err
		}
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM submissions WHERE id = $1`+tx.ForUpdate(), sub.ID).Scan(&status); err != nil {
			return err
		}
		if status != "pending" {
			return fault.New(fault.Conflict, "the submission was already reviewed (%s)", status)
		}
		now := tx.Now.UnixMicro()
		if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (program_id, submission_id, reviewer, decision, score, feedback, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Program.ID, sub.ID, sc.Actor.Name, decision, score, feedback, now); err != nil {
			if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
				return fault.New(fault.Conflict, "the submission was already reviewed")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = $2 WHERE id = $1`, sub.ID, decision); err != nil {
			return err
		}
		if t.Recurrence != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = $3 WHERE claim_id = $1 AND seq = $2`, c.ID, sub.Occurrence, decision); err != nil {
				return err
			}
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM task_occurrences WHERE claim_id = $1 AND status IN ('open', 'submitted', 'changes_requested')`,
				c.ID).Scan(&open); err != nil {
				return err
			}
			if open == 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = 'approved', updated_at = $2 WHERE id = $1`, c.ID, now); err != nil {
					return err
				}
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, updated_at = $3 WHERE id = $1`, c.ID, decision, now); err != nil {
			return err
		}
		if decision == Approve && t.Reward.Points > 0 {
			rs, err := s.payPoints(ctx, tx, t, c, sub)
			if err != nil {
				return err
			}
			paid = rs
			if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET points_paid = points_paid + $2 WHERE id = $1`, c.ID, t.Reward.Points); err != nil {
				return err
			}
		}
		if out, err = loadSubmission(ctx, tx, sc.Program.ID, sub.PublicID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "submission." + decision, ObjectKind: "submission",
			ObjectID: sub.PublicID, Before: map[string]any{"status": "pending"},
			After: map[string]any{"status": decision, "score": score, "feedback": feedback, "claim": c.PublicID, "points": pointsIf(decision, t)}})
	})
	if err == nil {
		s.Ledger.Observe(paid)
	}
	return out, err
}

func pointsIf(decision string, t Task) int64 {
	if decision == Approve {
		return t.Reward.Points
	}
	return 0
}

// PointsAccount is the spec of a member's points account.
func PointsAccount(programID int64, memberRef string) ledger.AccountSpec {
	return ledger.AccountSpec{ProgramID: programID, Asset: "points", Code: "member_points", Ref: "member:" + memberRef, Limit: ledger.DebitsMustNotExceedCredits}
}

func (s *Service) payPoints(ctx context.Context, tx *db.Tx, t Task, c Claim, sub Submission) ([]ledger.Result, error) {
	issued, err := ledger.OpenAccountTx(ctx, tx, ledger.AccountSpec{ProgramID: t.ProgramID, Asset: "points", Code: "points_issued"})
	if err != nil {
		return nil, err
	}
	to, err := ledger.OpenAccountTx(ctx, tx, PointsAccount(t.ProgramID, c.MemberID))
	if err != nil {
		return nil, err
	}
	rs, err := s.Ledger.ApplyTx(ctx, tx, t.ProgramID, []ledger.Transfer{{ClientID: "reward:" + sub.PublicID, DebitAccountID: issued.ID,
		CreditAccountID: to.ID, Amount: t.Reward.Points, Code: "task_reward", Ref: "submission:" + sub.PublicID}})
	if err != nil {
		return nil, err
	}
	if rs[0].Code != ledger.OK {
		return nil, fmt.Errorf("pay points: %s", rs[0].Code)
	}
	return rs, nil
}

// SubmissionFilter narrows the review queue.
type SubmissionFilter struct {
	Task   string
	Claim  string
	Status string
	Before int64
	Limit  int
}

// Submissions lists submissions, newest first; status=pending is the review
// queue. A member sees their own.
func (s *Service) Submissions(ctx context.Context, sc program.Scope, f SubmissionFilter) ([]Submission, int64, error) {
	member := ""
	if sc.Actor.Kind == program.ActorMember {
		member = sc.Actor.PublicID
	} else if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	w := db.Where("s.program_id = $1", sc.Program.ID)
	if member != "" {
		w.Add("m.public_id = $?", member)
	}
	if f.Task != "" {
		w.Add("t.public_id = $?", f.Task)
	}
	if f.Claim != "" {
		w.Add("c.public_id = $?", f.Claim)
	}
	if f.Status != "" {
		w.Add("s.status = $?", f.Status)
	}
	if f.Before > 0 {
		w.Add("s.id < $?", f.Before)
	}
	where, args := w.Page("s.id DESC", f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+submissionCols+submissionFrom+where, args...)
	out, err := db.Collect(rows, err, scanSubmission)
	if err != nil {
		return nil, 0, err
	}
	out, next := db.TrimPage(out, f.Limit, func(x Submission) int64 { return x.ID })
	return out, next, nil
}

// Submission returns one submission with its check and review.
func (s *Service) Submission(ctx context.Context, sc program.Scope, ref string) (Submission, error) {
	x, err := loadSubmission(ctx, s.DB.R, sc.Program.ID, ref)
	if err != nil {
		return Submission{}, err
	}
	if sc.Actor.Kind == program.ActorMember {
		if x.MemberID != sc.Actor.PublicID {
			return Submission{}, fault.New(fault.NotFound, "submission %q not found", ref)
		}
		return x, nil
	}
	return x, sc.Require(program.PermTasksRead)
}

// ClaimByID returns one claim; a member only their own.
func (s *Service) ClaimByID(ctx context.Context, sc program.Scope, ref string) (Claim, error) {
	c, err := loadClaim(ctx, s.DB.R, sc.Program.ID, ref)
	if err != nil {
		return Claim{}, err
	}
	if sc.Actor.Kind == program.ActorMember {
		if c.MemberID != sc.Actor.PublicID {
			return Claim{}, fault.New(fault.NotFound, "claim %q not found", ref)
		}
		return c, nil
	}
	return c, sc.Require(program.PermTasksRead)
}
