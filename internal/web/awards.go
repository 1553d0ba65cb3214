package web

import (
	"net/http"
	"strconv"

	"kox/internal/award"
	"kox/internal/catalog"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// awards lists the program's awards, newest period first, with who won;
// a role that may write rewards opens a new one.
func (s *Server) awards(q *request, sc program.Scope) error {
	return s.renderAwards(q, sc, award.RoundInput{Kind: award.MonthlyBest}, nil)
}

func (s *Server) renderAwards(q *request, sc program.Scope, in award.RoundInput, r *refused) error {
	as, err := s.Awards.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/awards"
	v := components.RecordView{Title: t("nav.awards"), Help: t("awards.help"), Flash: flash(q),
		Buttons: []components.Button{{Label: t("wall.open"), Href: "/w/" + sc.Program.Slug, Class: "btn-outline-secondary", Test: "wall-link"}}}
	v.List = components.Table{Head: []string{t("awards.title"), t("awards.kind"), t("awards.period"), t("awards.winners")}, Empty: t("awards.none")}
	for _, a := range as {
		names := ""
		for i, w := range a.Winners {
			if i > 0 {
				names += "、"
			}
			names += w.MemberName
		}
		v.List.Rows = append(v.List.Rows, []string{a.Title(lang), t("award." + string(a.Kind)), a.Period, names})
		v.List.Links = append(v.List.Links, base+"/"+a.PublicID)
	}
	if program.Can(sc.Role, program.PermRewardsWrite) {
		v.Forms = []components.Form{{Title: t("awards.new"), Help: t("awards.new_help"), Action: base, Test: "award-form", Submit: t("awards.create"),
			Fields: []components.Field{
				{Name: "kind", Label: t("awards.kind"), Kind: "select", Value: string(in.Kind), Options: q.options("award", fault.Names(award.Kinds))},
				{Name: "period", Label: t("awards.period"), Value: in.Period, Help: t("awards.period_help")},
				{Name: "title_zh", Label: t("awards.title_zh"), Value: in.TitleZh, Help: t("awards.title_help")},
				{Name: "title_en", Label: t("awards.title_en"), Value: in.TitleEn}}}}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) createAward(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := award.RoundInput{Kind: award.Kind(f.str("kind")), Period: f.str("period"), TitleZh: f.str("title_zh"), TitleEn: f.str("title_en")}
	a, err := s.Awards.Create(q.ctx, sc, in)
	return q.settle("award-form", err, f.bad, "/p/"+sc.Program.Slug+"/awards/"+a.PublicID+"?done=saved", func(r *refused) error {
		return s.renderAwards(q, sc, in, r)
	})
}

// awardPage is one award: its winners, the period's candidates ranked from
// approved work (each with "choose"), and the form that makes a winner
// with their prize.
func (s *Server) awardPage(q *request, sc program.Scope) error {
	in := award.WinInput{Member: q.r.URL.Query().Get("member"), Submission: q.r.URL.Query().Get("submission"), PrizeKind: award.PointsPrize}
	return s.renderAward(q, sc, in, nil)
}

func (s *Server) renderAward(q *request, sc program.Scope, in award.WinInput, r *refused) error {
	a, err := s.Awards.Get(q.ctx, sc, q.r.PathValue("award"))
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug + "/awards/" + a.PublicID
	v := components.RecordView{Pretitle: t("award." + string(a.Kind)), Title: a.Title(lang), Flash: flash(q),
		Facts: []components.Fact{{Label: t("awards.period"), Value: a.Period},
			{Label: t("awards.window"), Value: q.when(sc, a.StartsAt) + " — " + q.when(sc, a.EndsAt)}}}
	winners := components.Table{Head: []string{t("awards.member"), t("awards.work"), t("awards.citation"), t("awards.prize")}, Empty: t("awards.no_winners")}
	for _, w := range a.Winners {
		winners.Rows = append(winners.Rows, []string{w.MemberName, w.TaskTitle, w.Citation, prizeText(q, w)})
	}
	v.Sections = []components.Section{{Title: t("awards.winners"), Table: winners}}
	if program.Can(sc.Role, program.PermMembersRead) {
		cs, err := s.Awards.Candidates(q.ctx, sc, a.PublicID, 20)
		if err != nil {
			return q.problem(err)
		}
		cands := components.Table{Head: []string{t("awards.rank"), t("awards.member"), t("awards.work"), t("awards.approved"), t("awards.score"), t("awards.reach")},
			Empty: t("awards.no_candidates")}
		for _, c := range cs {
			score := strconv.FormatInt(c.Score, 10)
			if a.Kind != award.MonthlyBest {
				score = strconv.FormatInt(c.Score/100, 10) + "." + strconv.FormatInt(c.Score%100+100, 10)[1:]
			}
			name := c.MemberName
			if c.Won {
				name += " · " + t("awards.won")
			}
			cands.Rows = append(cands.Rows, []string{strconv.Itoa(c.Rank), name, c.TaskTitle, i18n.Number(lang, c.Approved), score, i18n.Number(lang, c.Reach)})
			var acts []components.Button
			if !c.Won && program.Can(sc.Role, program.PermRewardsWrite) {
				acts = []components.Button{{Label: t("awards.choose"), Href: base + "?member=" + c.Member + "&submission=" + c.Submission + "#win",
					Class: "btn-sm btn-outline-primary", Test: "choose"}}
			}
			cands.Actions = append(cands.Actions, acts)
		}
		v.Sections = append(v.Sections, components.Section{Title: t("awards.candidates"), Table: cands})
	}
	if program.Can(sc.Role, program.PermRewardsWrite) {
		opts, err := s.itemOptions(q, sc)
		if err != nil {
			return q.problem(err)
		}
		points := ""
		if in.Points > 0 {
			points = strconv.FormatInt(in.Points, 10)
		}
		addr := catalog.Address{}
		if in.Address != nil {
			addr = *in.Address
		}
		v.Forms = []components.Form{{Title: t("awards.win"), Help: t("awards.win_help"), Action: base + "/winners", Test: "win-form", Submit: t("awards.make_winner"),
			Wide: true,
			Fields: []components.Field{
				{Name: "member", Label: t("awards.member_ref"), Value: in.Member},
				{Name: "submission", Label: t("awards.submission_ref"), Value: in.Submission},
				{Name: "citation", Label: t("awards.citation"), Kind: "textarea", Value: in.Citation, Help: t("awards.citation_help")},
				{Name: "prize_kind", Label: t("awards.prize"), Kind: "select", Value: in.PrizeKind, Options: q.options("prize", award.PrizeKinds)},
				{Name: "points", Label: t("awards.points"), Kind: "number", Value: points},
				{Name: "item", Label: t("awards.item"), Kind: "select", Value: in.Item, Options: opts},
				{Name: "variant", Label: t("awards.variant"), Value: in.Variant},
				{Name: "prize_text", Label: t("awards.prize_text"), Value: in.PrizeText, Help: t("awards.prize_text_help")},
				{Name: "address.name", Label: t("rewards.ship_name"), Value: addr.Name},
				{Name: "address.phone", Label: t("member.phone"), Value: addr.Phone},
				{Name: "address.address", Label: t("rewards.ship_address"), Value: addr.Address},
			}}}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// prizeText is what a winner got, in words.
func prizeText(q *request, w award.Winner) string {
	switch w.PrizeKind {
	case award.PointsPrize:
		return i18n.Number(components.Lang(q.ctx), w.PrizePoints) + " " + components.T(q.ctx, "awards.points_unit")
	case award.ItemPrize:
		return components.T(q.ctx, "prize.item") + " · " + w.Redemption
	case award.OtherPrize:
		return w.PrizeText
	}
	return "—"
}

func (s *Server) addWinner(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := award.WinInput{Member: f.str("member"), Submission: f.str("submission"), Citation: f.str("citation"), PrizeKind: f.str("prize_kind"),
		Points: f.int("points"), Item: f.str("item"), Variant: f.str("variant"), PrizeText: f.str("prize_text")}
	if in.PrizeKind == award.ItemPrize && (f.str("address.name") != "" || f.str("address.address") != "") {
		in.Address = &catalog.Address{Name: f.str("address.name"), Phone: f.str("address.phone"), Address: f.str("address.address")}
	}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Awards.Win(q.ctx, sc, q.r.PathValue("award"), in)
	}
	return q.settle("win-form", err, f.bad, "/p/"+sc.Program.Slug+"/awards/"+q.r.PathValue("award")+"?done=winner", func(r *refused) error {
		return s.renderAward(q, sc, in, r)
	})
}

// honourWall is a program's public honour wall, for anyone, in either
// language: each winner's award, name, work and citation, nothing private.
func (s *Server) honourWall(q *request) error {
	p, hs, err := s.Awards.Wall(q.ctx, q.r.PathValue("program"))
	if err != nil {
		return q.problem(err)
	}
	return q.render(http.StatusOK, components.HonourWall(components.WallView{Here: q.here(), Program: p.Name, Lines: honourLines(components.Lang(q.ctx), hs)}))
}

func honourLines(lang string, hs []award.Honour) []components.HonourLine {
	out := make([]components.HonourLine, len(hs))
	for i, h := range hs {
		title := h.AwardZh
		if lang == "en" {
			title = h.AwardEn
		}
		out[i] = components.HonourLine{Award: title, Period: h.Period, Name: h.Name, Work: h.TaskTitle, Citation: h.Citation, Kind: string(h.Kind)}
	}
	return out
}
