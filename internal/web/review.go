package web

import (
	"net/http"
	"strconv"

	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// queueSize is how much of the queue a reviewer sees at once.
const queueSize = 100

// review is the review queue, oldest first: the submission in hand (?s=,
// else the oldest) in full — posts per platform, text, images, the brief
// check, the disclosure flag and the earlier rounds — and the decision
// form, worked from the keyboard (review.js).
func (s *Server) review(q *request, sc program.Scope) error {
	return s.renderReview(q, sc, components.ReviewForm{Score: "4"}, http.StatusOK)
}

func (s *Server) renderReview(q *request, sc program.Scope, form components.ReviewForm, status int) error {
	queue, _, err := s.Tasks.Submissions(q.ctx, sc, task.SubmissionFilter{Status: "pending", Oldest: true, Limit: queueSize})
	if err != nil {
		return q.problem(err)
	}
	v := components.ReviewView{Base: "/p/" + sc.Program.Slug + "/review", Flash: flash(q), Form: form}
	at := -1
	want := q.r.URL.Query().Get("s")
	if want == "" {
		want = q.r.PathValue("submission")
	}
	for i, x := range queue {
		v.Queue = append(v.Queue, components.QueueItem{Ref: x.PublicID, Task: x.TaskTitle, Member: x.MemberName, Active: x.PublicID == want})
		if x.PublicID == want {
			at = i
		}
	}
	if at < 0 && want == "" && len(queue) > 0 {
		at = 0
		v.Queue[0].Active = true
	}
	var x task.Submission
	switch {
	case at >= 0:
		x = queue[at]
		if at > 0 {
			v.Prev = v.Base + "?s=" + queue[at-1].PublicID
		}
		if at+1 < len(queue) {
			v.Next = v.Base + "?s=" + queue[at+1].PublicID
		}
	case want != "":
		// Not pending (any more): shown as it stands, with its review.
		if x, err = s.Tasks.Submission(q.ctx, sc, want); err != nil {
			return q.problem(err)
		}
	default:
		return q.render(status, components.ReviewPage(q.nav(), v))
	}
	v.Current = q.submissionView(sc, x)
	v.Pending = x.Status == "pending"
	rounds, _, err := s.Tasks.Submissions(q.ctx, sc, task.SubmissionFilter{Claim: x.ClaimID, Limit: 20})
	if err != nil {
		return q.problem(err)
	}
	for _, r := range rounds {
		if r.PublicID != x.PublicID {
			v.Earlier = append(v.Earlier, q.submissionView(sc, r))
		}
	}
	return q.render(status, components.ReviewPage(q.nav(), v))
}

func (q *request) submissionView(sc program.Scope, x task.Submission) components.SubmissionView {
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.SubmissionView{Ref: x.PublicID, Task: x.TaskTitle, TaskRef: x.TaskID, Member: x.MemberName, MemberRef: x.MemberID,
		Version: x.Version, When: q.when(sc, x.CreatedAt), Text: x.Text, Images: imageLinks(x.Images, "/p/"+sc.Program.Slug+"/images/"), Disclosure: x.DisclosureRequired,
		Status: t("submission." + x.Status), Passed: x.Check.Passed}
	for _, p := range x.Posts {
		v.Posts = append(v.Posts, components.PostLink{Platform: t("platform." + p.Platform), URL: p.URL})
	}
	for _, f := range x.Check.Findings {
		v.Findings = append(v.Findings, components.FindingView{Rule: t("check." + f.Rule), Expected: f.Expected, Found: f.Found})
	}
	if x.Review != nil {
		v.Decision = t("submission." + x.Review.Decision)
		v.Feedback = x.Review.Feedback
		v.Reviewer = x.Review.Reviewer
		if x.Review.Score > 0 {
			v.Score = strconv.Itoa(x.Review.Score)
		}
	}
	return v
}

// decide records the reviewer's decision and moves on to the next in the
// queue; a refusal (no feedback for changes, say) comes back on the form.
func (s *Server) decide(q *request, sc program.Scope) error {
	ref := q.r.PathValue("submission")
	form := components.ReviewForm{Decision: q.r.PostFormValue("decision"), Score: q.r.PostFormValue("score"), Feedback: q.r.PostFormValue("feedback")}
	score := 0
	if form.Decision == task.Approve {
		score, _ = strconv.Atoi(form.Score)
	}
	if _, err := s.Tasks.Review(q.ctx, sc, ref, form.Decision, score, form.Feedback); err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		form.Error = q.refusal(err)
		return s.renderReview(q, sc, form, statusOf(fe))
	}
	return q.redirect("/p/" + sc.Program.Slug + "/review?done=reviewed")
}
