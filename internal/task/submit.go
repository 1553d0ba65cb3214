package task

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/notify"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/postref"
	"kox/internal/program"
	"kox/internal/pubid"
)

// MaxImages is how many images one hand-in may carry.
const MaxImages = 9

// SubmissionInput is what a member hands in.
type SubmissionInput struct {
	Posts  []Post
	Text   string
	Images []string
	// Reach is what the member reports the posts reached so far (views),
	// counted by promotion rules until metric snapshots exist.
	Reach int64
}

func (in *SubmissionInput) validate() error {
	var f fault.Fields
	in.Text = strings.TrimSpace(in.Text)
	if len(in.Posts) == 0 && in.Text == "" {
		f.Add("posts", "submission.empty", "hand in at least one post or some text")
	}
	if len(in.Posts) > 10 {
		f.MaxItems("posts", 10)
	}
	for i, p := range in.Posts {
		if !slices.Contains(member.Platforms, p.Platform) {
			f.OneOf(fmt.Sprintf("posts[%d].platform", i), member.Platforms)
		}
		if !httpURL(p.URL) {
			f.URL(fmt.Sprintf("posts[%d].url", i))
		}
	}
	if len([]rune(in.Text)) > 20000 {
		f.MaxLength("text", 20000)
	}
	if in.Reach < 0 || in.Reach > 10_000_000_000 {
		f.Range("reach", 0, 10_000_000_000)
	}
	if len(in.Images) > MaxImages {
		f.MaxItems("images", MaxImages)
	}
	for i, u := range in.Images {
		if !httpURL(u) && !media.IsRef(u) {
			f.URL(fmt.Sprintf("images[%d]", i))
		}
	}
	return f.Err()
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 500
}

const submissionCols = `s.id, s.public_id, s.version, s.text, s.images, s.check_result, s.status, s.created_at, s.reach,
	c.public_id, t.public_id, t.title, m.public_id, m.name, m.source, coalesce(o.seq, 0),
	coalesce(r.decision, ''), coalesce(r.score, 0), coalesce(r.feedback, ''), coalesce(r.reviewer, ''), coalesce(r.created_at, 0)`

const submissionFrom = ` FROM submissions s JOIN task_claims c ON c.id = s.claim_id JOIN tasks t ON t.id = c.task_id
	JOIN members m ON m.id = c.member_id LEFT JOIN task_occurrences o ON o.id = s.occurrence_id LEFT JOIN reviews r ON r.submission_id = s.id`

func scanSubmission(sc interface{ Scan(...any) error }) (Submission, error) {
	var s Submission
	var images, check string
	var created, reviewed int64
	var r Review
	var source member.Source
	err := sc.Scan(&s.ID, &s.PublicID, &s.Version, &s.Text, &images, &check, &s.Status, &created, &s.Reach,
		&s.ClaimID, &s.TaskID, &s.TaskTitle, &s.MemberID, &s.MemberName, &source, &s.Occurrence, &r.Decision, &r.Score, &r.Feedback, &r.Reviewer, &reviewed)
	if err != nil {
		return s, err
	}
	s.DisclosureRequired = source.Disclosed()
	s.Posts = []Post{}
	_ = json.Unmarshal([]byte(images), &s.Images)
	_ = json.Unmarshal([]byte(check), &s.Check)
	s.CreatedAt = fromMicros(created)
	if r.Decision != "" {
		r.CreatedAt = fromMicros(reviewed)
		s.Review = &r
	}
	return s, nil
}

func loadSubmission(ctx context.Context, q querier, engine db.Engine, programID int64, ref string) (Submission, error) {
	s, err := scanSubmission(q.QueryRowContext(ctx, `SELECT `+submissionCols+submissionFrom+` WHERE s.program_id = $1 AND s.public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, fault.New(fault.NotFound, "submission.not_found", "submission {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Submission{}, err
	}
	xs := []Submission{s}
	if err := attachPosts(ctx, q, engine, xs); err != nil {
		return Submission{}, err
	}
	return xs[0], nil
}

// attachPosts loads the posts of a page of submissions, in one query.
func attachPosts(ctx context.Context, q querier, engine db.Engine, xs []Submission) error {
	if len(xs) == 0 {
		return nil
	}
	byID := make(map[int64]*Submission, len(xs))
	ids := make([]int64, len(xs))
	for i := range xs {
		byID[xs[i].ID], ids[i] = &xs[i], xs[i].ID
	}
	in, args, _ := db.In(engine, "submission_id", 1, ids)
	rows, err := q.QueryContext(ctx, `SELECT submission_id, platform, url, platform_post_id, posted_at FROM submission_posts
		WHERE `+in+` ORDER BY submission_id, position`, args...)
	if err != nil {
		return fmt.Errorf("posts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		var p Post
		if err := rows.Scan(&id, &p.Platform, &p.URL, &p.PlatformPostID, &at); err != nil {
			return err
		}
		p.PostedAt = fromMicros(at)
		byID[id].Posts = append(byID[id].Posts, p)
	}
	return rows.Err()
}

func insertPosts(ctx context.Context, tx *db.Tx, programID, submissionID int64, posts []Post) error {
	if len(posts) == 0 {
		return nil
	}
	args := make([]any, 0, len(posts)*7)
	for i, p := range posts {
		args = append(args, programID, submissionID, i+1, p.Platform, p.URL, postref.ID(p.Platform, p.URL), micros(p.PostedAt))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO submission_posts (program_id, submission_id, position, platform, url, platform_post_id,
		posted_at) VALUES `+tx.Engine.Rows(1, len(posts), 7), args...)
	return err
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
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Submission, error) {
		t, c, err := lockClaim(ctx, tx, sc, claimRef)
		if err != nil {
			return Submission{}, err
		}
		if !c.Status.working() {
			return Submission{}, fault.New(fault.Conflict, "claim.no_submissions", "a {status} claim takes no submissions", fault.P{"status": string(c.Status)})
		}
		if err := attachOccurrences(ctx, tx, &c); err != nil {
			return Submission{}, err
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
				return Submission{}, fault.New(fault.Conflict, "claim.nothing_due", "nothing is due on this obligation")
			}
			occurrence = due.id
			if _, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = 'submitted' WHERE id = $1`, due.id); err != nil {
				return Submission{}, err
			}
		} else {
			if !c.SubmitBy.IsZero() && !tx.Now.Before(c.SubmitBy) {
				return Submission{}, fault.New(fault.Conflict, "claim.deadline_passed", "the submission deadline has passed")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = 'submitted', updated_at = $2 WHERE id = $1`, c.ID, tx.Now.UnixMicro()); err != nil {
				return Submission{}, err
			}
		}
		m, err := member.LookupTx(ctx, tx, sc.Program.ID, c.MemberID)
		if err != nil {
			return Submission{}, err
		}
		check := CheckBrief(t.Brief, m.DisclosureRequired(), in.Text, in.Posts)
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) + 1 FROM submissions WHERE claim_id = $1 AND coalesce(occurrence_id, 0) = coalesce($2, 0)`,
			c.ID, occurrence).Scan(&version); err != nil {
			return Submission{}, err
		}
		if err := ownImages(ctx, tx, sc.Program.ID, m.ID, in.Images); err != nil {
			return Submission{}, err
		}
		images := in.Images
		if images == nil {
			images = []string{}
		}
		imgs, _ := json.Marshal(images)
		chk, _ := json.Marshal(check)
		pub := pubid.New("sub")
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO submissions (program_id, public_id, claim_id, occurrence_id, version, text, images,
			check_result, created_at, reach) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, sc.Program.ID, pub, c.ID, occurrence, version,
			in.Text, string(imgs), string(chk), tx.Now.UnixMicro(), in.Reach).Scan(&id); err != nil {
			return Submission{}, err
		}
		if err := insertPosts(ctx, tx, sc.Program.ID, id, in.Posts); err != nil {
			return Submission{}, err
		}
		out, err := loadSubmission(ctx, tx, tx.Engine, sc.Program.ID, pub)
		if err != nil {
			return Submission{}, err
		}
		return out, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "submission.create", ObjectKind: "submission",
			ObjectID: pub, After: map[string]any{"claim": c.PublicID, "version": version, "check_passed": check.Passed}})
	})
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
			f.Add("score", "review.score", "must be 1 to 5 when approving")
		}
	case RequestChanges, Reject:
		if feedback == "" {
			f.Add("feedback", "review.feedback", "say what to change, or why it is rejected")
		}
		if score != 0 {
			f.Add("score", "review.score_only_approve", "is given only when approving")
		}
	default:
		f.OneOf("decision", []string{Approve, RequestChanges, Reject})
	}
	if len([]rune(feedback)) > 4000 {
		f.MaxLength("feedback", 4000)
	}
	if err := f.Err(); err != nil {
		return Submission{}, err
	}
	return db.Do(ctx, s.DB, func(tx *db.Tx) (Submission, error) {
		sub, err := loadSubmission(ctx, tx, tx.Engine, sc.Program.ID, submissionRef)
		if err != nil {
			return Submission{}, err
		}
		// Task, then claim, then the submission, read again under the lock.
		t, c, err := lockClaim(ctx, tx, sc, sub.ClaimID)
		if err != nil {
			return Submission{}, err
		}
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM submissions WHERE id = $1`+tx.ForUpdate(), sub.ID).Scan(&status); err != nil {
			return Submission{}, err
		}
		if status != "pending" {
			return Submission{}, fault.New(fault.Conflict, "review.done", "the submission was already reviewed ({status})", fault.P{"status": status})
		}
		now := tx.Now.UnixMicro()
		if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (program_id, submission_id, reviewer, decision, score, feedback, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.Program.ID, sub.ID, sc.Actor.Name, decision, score, feedback, now); err != nil {
			if k, _ := db.ConstraintOf(err); k == db.UniqueViolation {
				return Submission{}, fault.New(fault.Conflict, "review.done", "the submission was already reviewed ({status})", fault.P{"status": "reviewed"})
			}
			return Submission{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = $2 WHERE id = $1`, sub.ID, decision); err != nil {
			return Submission{}, err
		}
		if t.Recurrence != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE task_occurrences SET status = $3 WHERE claim_id = $1 AND seq = $2`, c.ID, sub.Occurrence, decision); err != nil {
				return Submission{}, err
			}
			if err := s.settleObligation(ctx, tx, t, c); err != nil {
				return Submission{}, err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET status = $2, updated_at = $3 WHERE id = $1`, c.ID, decision, now); err != nil {
			return Submission{}, err
		}
		if decision == Approve && t.Reward.Points > 0 {
			if _, err := points.EarnTx(ctx, tx, s.Ledger, t.ProgramID, points.Earning{Member: c.MemberID, Amount: t.Reward.Points,
				ClientID: "reward:" + sub.PublicID, Code: "task_reward", Ref: "submission:" + sub.PublicID}); err != nil {
				return Submission{}, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE task_claims SET points_paid = points_paid + $2 WHERE id = $1`, c.ID, t.Reward.Points); err != nil {
				return Submission{}, err
			}
		}
		if decision == Approve && t.Reward.Money > 0 {
			// The money leaves the task's commitment on its line and is owed
			// to the member until a payout batch pays it.
			if err := budget.PayTx(ctx, tx, s.Ledger, t.ProgramID, t.BudgetLine, "task:"+t.PublicID, "pay:"+sub.PublicID, t.Reward.Money); err != nil {
				return Submission{}, err
			}
			if err := payout.OweTx(ctx, tx, s.Ledger, t.ProgramID, c.MemberID, t.Reward.Money, "owe:"+sub.PublicID, "task_reward",
				"submission:"+sub.PublicID); err != nil {
				return Submission{}, err
			}
		}
		if decision == Approve || decision == string(ChangesRequested) {
			kind := notify.TaskApproved
			if decision == string(ChangesRequested) {
				kind = notify.ChangesRequested
			}
			if err := notify.EmitTx(ctx, tx, notify.Event{ProgramID: t.ProgramID, Kind: kind, MemberID: c.member, Subject: c.PublicID,
				Params: map[string]any{"task": t.Title, "points": t.Reward.Points, "feedback": feedback}}); err != nil {
				return Submission{}, err
			}
		}
		if decision == Approve && s.OnApproved != nil {
			if err := s.OnApproved(ctx, tx, t.ProgramID, c.member); err != nil {
				return Submission{}, err
			}
		}
		out, err := loadSubmission(ctx, tx, tx.Engine, sc.Program.ID, sub.PublicID)
		if err != nil {
			return Submission{}, err
		}
		return out, program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "submission." + decision, ObjectKind: "submission",
			ObjectID: sub.PublicID, Before: map[string]any{"status": "pending"},
			After: map[string]any{"status": decision, "score": score, "feedback": feedback, "claim": c.PublicID, "points": pointsIf(decision, t)}})
	})
}

func pointsIf(decision string, t Task) int64 {
	if decision == Approve {
		return t.Reward.Points
	}
	return 0
}

// SubmissionFilter narrows the review queue.
type SubmissionFilter struct {
	Member string // operators: one member's
	Task   string
	Claim  string
	Status string
	Before int64 // the cursor: with Oldest, the page starts after it
	Limit  int
	Oldest bool // oldest first, as a review queue is worked
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
	} else if f.Member != "" {
		w.Add("m.public_id = $?", f.Member)
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
	order := "s.id DESC"
	switch {
	case f.Oldest:
		order = "s.id ASC"
		if f.Before > 0 {
			w.Add("s.id > $?", f.Before)
		}
	case f.Before > 0:
		w.Add("s.id < $?", f.Before)
	}
	where, args := w.Page(order, f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+submissionCols+submissionFrom+where, args...)
	out, err := db.Collect(rows, err, scanSubmission)
	if err != nil {
		return nil, 0, err
	}
	out, next := db.TrimPage(out, f.Limit, func(x Submission) int64 { return x.ID })
	return out, next, attachPosts(ctx, s.DB.R, s.DB.Engine, out)
}

// Submission returns one submission with its check and review.
func (s *Service) Submission(ctx context.Context, sc program.Scope, ref string) (Submission, error) {
	x, err := loadSubmission(ctx, s.DB.R, s.DB.Engine, sc.Program.ID, ref)
	if err != nil {
		return Submission{}, err
	}
	if sc.Actor.Kind == program.ActorMember {
		if x.MemberID != sc.Actor.PublicID {
			return Submission{}, fault.New(fault.NotFound, "submission.not_found", "submission {ref} not found", fault.P{"ref": ref})
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
			return Claim{}, fault.New(fault.NotFound, "claim.not_found", "claim {ref} not found", fault.P{"ref": ref})
		}
		return c, nil
	}
	return c, sc.Require(program.PermTasksRead)
}

// ownImages: the images a submission names that kox keeps must be the
// member's own uploads in this program.
func ownImages(ctx context.Context, tx *db.Tx, programID, memberID int64, images []string) error {
	var refs []string
	for _, u := range images {
		if media.IsRef(u) {
			refs = append(refs, u)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	in, args, _ := db.In(tx.Engine, "public_id", 3, refs)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT public_id) FROM images WHERE program_id = $1 AND member_id = $2 AND `+in,
		append([]any{programID, memberID}, args...)...).Scan(&n); err != nil {
		return err
	}
	if n != len(slices.Compact(slices.Sorted(slices.Values(refs)))) {
		return fault.Field("images", "image.not_yours", "names an image the member did not upload")
	}
	return nil
}
