package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/middleware"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// offerCard is a task as the member's list shows it: the reason they may
// not take it comes from the task service's refusal, in their language.
func (q *request) offerCard(sc program.Scope, o task.Offer) components.OfferCard {
	lang := components.Lang(q.ctx)
	t := o.Task
	c := components.OfferCard{Ref: t.PublicID, Title: t.Title, Kind: components.T(q.ctx, "kind."+string(t.Kind)),
		Mode: components.T(q.ctx, "mode."+string(t.Mode)), CanTake: o.CanTake,
		Points: i18n.Number(lang, t.Reward.Points), Left: i18n.Number(lang, t.SlotsFree)}
	if t.Reward.Money > 0 {
		c.Money = i18n.Money(lang, sc.Program.Currency, t.Reward.Money)
	}
	if !t.ClaimDeadline.IsZero() {
		c.Deadline = q.when(sc, t.ClaimDeadline)
	}
	if o.Why != nil {
		c.Why = i18n.Error(lang, &fault.Error{Code: o.Why.Code, Params: o.Why.Params, Message: o.Why.Message})
	}
	if o.Claim != nil {
		c.Claim = o.Claim.PublicID
		c.ClaimStatus = components.T(q.ctx, "claim."+string(o.Claim.Status))
	}
	return c
}

// memberTasks lists the published tasks, each saying whether I may take
// it and, when not, why.
func (s *Server) memberTasks(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	offers, next, err := s.Tasks.Offers(q.ctx, sc, "", before, 30)
	if err != nil {
		return q.problem(err)
	}
	cards := make([]components.OfferCard, len(offers))
	for i, o := range offers {
		cards[i] = q.offerCard(sc, o)
	}
	return q.render(http.StatusOK, components.PortalTasks(q.portalNav(sc, "tasks"), cards,
		components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))))
}

// memberTask is one task's brief with what I may do about it.
func (s *Server) memberTask(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	o, err := s.Tasks.Offer(q.ctx, sc, "", q.r.PathValue("task"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.render(http.StatusOK, components.PortalTask(q.portalNav(sc, "tasks"), q.offerCard(sc, o), q.brief(o.Task), ""))
}

// brief is a task's brief in words.
func (q *request) brief(t task.Task) components.BriefView {
	b := components.BriefView{Description: t.Brief.Description, KeyMessages: t.Brief.KeyMessages, Hashtags: t.Brief.Hashtags,
		References: t.Brief.References, TopicIdeas: t.Brief.TopicIdeas, Disclosure: t.Brief.DisclosureRequired}
	for _, p := range t.Brief.Platforms {
		b.Platforms = append(b.Platforms, components.T(q.ctx, "platform."+p))
	}
	return b
}

// memberTake claims the task (or applies for it), then shows my claim.
func (s *Server) memberTake(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("task")
	c, err := s.Tasks.Take(q.ctx, sc, ref, "")
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		o, oerr := s.Tasks.Offer(q.ctx, sc, "", ref)
		if oerr != nil {
			return q.portalProblem(sc, oerr)
		}
		return q.render(middleware.StatusOf[fe.Kind], components.PortalTask(q.portalNav(sc, "tasks"), q.offerCard(sc, o), q.brief(o.Task),
			i18n.Error(components.Lang(q.ctx), err)))
	}
	return q.redirect("/m/claims/" + c.PublicID)
}

// memberClaim is my claim: where it stands, its deadline, the diary's
// occurrences, each round I handed in with the reviewer's feedback, and
// the form to hand in (again) while I may.
func (s *Server) memberClaim(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderClaim(q, sc, components.SubmitForm{}, http.StatusOK)
}

func (s *Server) renderClaim(q *request, sc program.Scope, form components.SubmitForm, status int) error {
	c, err := s.Tasks.ClaimByID(q.ctx, sc, q.r.PathValue("claim"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t, err := s.Tasks.Get(q.ctx, sc, c.TaskID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	subs, _, err := s.Tasks.Submissions(q.ctx, sc, task.SubmissionFilter{Claim: c.PublicID, Limit: 50})
	if err != nil {
		return q.problem(err)
	}
	v := components.ClaimView{Flash: flash(q), Line: q.claimLine(sc, c), Task: t.PublicID, Brief: q.brief(t), CanSubmit: c.Status.Working()}
	for _, o := range c.Occurrences {
		v.Occurrences = append(v.Occurrences, components.OccurrenceDay{Seq: o.Seq, Due: o.DueAt.In(sc.Program.Location()).Format("01-02"),
			Status: o.Status, Label: components.T(q.ctx, "occurrence."+o.Status)})
	}
	for _, x := range subs {
		r := components.Round{Version: x.Version, When: q.when(sc, x.CreatedAt), Text: x.Text, Status: components.T(q.ctx, "submission."+x.Status)}
		for _, p := range x.Posts {
			r.Posts = append(r.Posts, components.PostLink{Platform: components.T(q.ctx, "platform."+p.Platform), URL: p.URL})
		}
		if x.Review != nil {
			r.Feedback = x.Review.Feedback
		}
		r.Images = imageLinks(x.Images, "/m/images/")
		v.Rounds = append(v.Rounds, r)
	}
	for _, p := range member.Platforms {
		form.Platforms = append(form.Platforms, components.Option{Value: p, Label: components.T(q.ctx, "platform."+p)})
	}
	for len(form.Posts) < 3 {
		form.Posts = append(form.Posts, components.PostInput{})
	}
	return q.render(status, components.PortalClaim(q.portalNav(sc, "home"), v, form))
}

// memberSubmit hands in posts and text for my claim; what the task service
// refuses comes back on the form with what I typed.
func (s *Server) memberSubmit(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, task.MaxImages*media.MaxBytes+1<<20)
	if err := q.r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return q.portalProblem(sc, fault.New(fault.Invalid, "form.unreadable", "the form could not be read"))
	}
	form := components.SubmitForm{Text: q.r.PostForm.Get("text"), Reach: strings.TrimSpace(q.r.PostForm.Get("reach"))}
	in := task.SubmissionInput{Text: form.Text}
	if form.Reach != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(form.Reach, ",", ""), 10, 64)
		if err != nil {
			form.Error = q.refusal(fault.Field("reach", "number", "must be a whole number"))
			return s.renderClaim(q, sc, form, http.StatusUnprocessableEntity)
		}
		in.Reach = n
	}
	if q.r.MultipartForm != nil {
		files := q.r.MultipartForm.File["images"]
		if len(files) > task.MaxImages {
			form.Error = q.refusal(fault.Field("images", "max_items", "at most {max} entries", fault.P{"max": task.MaxImages}))
			return s.renderClaim(q, sc, form, http.StatusUnprocessableEntity)
		}
		// Every file is checked before any is kept.
		var uploads [][]byte
		for _, fh := range files {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			data, err := io.ReadAll(io.LimitReader(f, media.MaxBytes+1))
			f.Close()
			if err != nil {
				return err
			}
			if _, err := media.Check(data); err != nil {
				form.Error = q.refusal(err)
				return s.renderClaim(q, sc, form, http.StatusUnprocessableEntity)
			}
			uploads = append(uploads, data)
		}
		for _, data := range uploads {
			img, err := s.Media.Put(q.ctx, sc, data)
			if err != nil {
				return err
			}
			in.Images = append(in.Images, img.Ref)
		}
	}
	platforms, urls := q.r.PostForm["post_platform"], q.r.PostForm["post_url"]
	for i, u := range urls {
		p := ""
		if i < len(platforms) {
			p = platforms[i]
		}
		form.Posts = append(form.Posts, components.PostInput{Platform: p, URL: u})
		if u = strings.TrimSpace(u); u != "" {
			in.Posts = append(in.Posts, task.Post{Platform: p, URL: u})
		}
	}
	if _, err := s.Tasks.Submit(q.ctx, sc, q.r.PathValue("claim"), in); err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		form.Error = q.refusal(err)
		return s.renderClaim(q, sc, form, middleware.StatusOf[fe.Kind])
	}
	return q.redirect("/m/claims/" + q.r.PathValue("claim") + "?done=sent")
}

// portalProblem shows a refusal inside the portal's frame; what is not
// the member's answers as not found.
func (q *request) portalProblem(sc program.Scope, err error) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	if fe.Kind == fault.NotFound || fe.Kind == fault.Forbidden {
		return q.render(http.StatusNotFound, components.PortalMessage(q.portalNav(sc, ""), components.T(q.ctx, "notfound.text")))
	}
	return q.render(middleware.StatusOf[fe.Kind], components.PortalMessage(q.portalNav(sc, ""), q.refusal(err)))
}

// imageLinks are a submission's images as addresses: kox's own under base,
// links as they are.
func imageLinks(images []string, base string) []components.ImageLink {
	out := make([]components.ImageLink, len(images))
	for i, x := range images {
		if media.IsRef(x) {
			out[i] = components.ImageLink{URL: base + x, Kept: true}
		} else {
			out[i] = components.ImageLink{URL: x}
		}
	}
	return out
}

// memberImage is one of my images.
func (s *Server) memberImage(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	img, err := s.Media.Get(q.ctx, sc, q.r.PathValue("image"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.picture(img.ContentType, img.Data)
}

// consoleImage is an image of the program's submissions, for reviewers.
func (s *Server) consoleImage(q *request, sc program.Scope) error {
	img, err := s.Media.Get(q.ctx, sc, q.r.PathValue("image"))
	if err != nil {
		return q.problem(err)
	}
	return q.picture(img.ContentType, img.Data)
}

func (q *request) picture(contentType string, data []byte) error {
	h := q.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "private, max-age=86400")
	_, err := q.w.Write(data)
	return err
}
