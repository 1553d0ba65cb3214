package web

import (
	"strings"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/kit"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/web/components"
)

// kitsPage is the program's welcome and promotion kits, each with how many
// were given and how many wait, and the members' kits below: given (with
// the redemption that ships it, and whether it still needs an address) or
// waiting and why. A role that may write rewards names a kit, stops one,
// and gives the due kits now.
func (s *Server) kitsPage(q *request, sc program.Scope) error {
	return s.renderKits(q, sc, kit.KitInput{Occasion: kit.Welcome}, nil)
}

func (s *Server) renderKits(q *request, sc program.Scope, in kit.KitInput, r *refused) error {
	ks, err := s.Kits.List(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	status := q.r.URL.Query().Get("status")
	is, next, err := s.Kits.Issues(q.ctx, sc, kit.IssuesFilter{Status: status, Before: before, Limit: 50})
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug
	write := program.Can(sc.Role, program.PermRewardsWrite)
	v := components.RecordView{Title: t("nav.kits"), Help: t("kits.help"), Flash: flash(q)}
	if write {
		v.Buttons = []components.Button{{Label: t("kits.issue_now"), Action: base + "/kits/issue", Test: "kits-issue"}}
	}
	table := components.Table{Head: []string{t("kits.occasion"), t("kits.tier"), t("kits.item"), t("kits.starts"), t("kits.given"), t("kits.waiting"),
		t("kits.state")}, Empty: t("kits.none")}
	for _, k := range ks {
		tier := "—"
		if k.Tier != "" {
			tier = ladder.Text{Zh: k.TierZh, En: k.TierEn}.In(lang)
		}
		state, flip, label := t("channels.on"), "0", t("channels.turn_off")
		if !k.Active {
			state, flip, label = t("channels.off"), "1", t("channels.turn_on")
		}
		table.Rows = append(table.Rows, []string{t("kit." + string(k.Occasion)), tier, k.ItemTitle, q.when(sc, k.StartsAt),
			i18n.Number(lang, int64(k.Given)), i18n.Number(lang, int64(k.Waiting)), state})
		table.Links = append(table.Links, base+"/catalog/"+k.Item)
		var acts []components.Button
		if write {
			acts = []components.Button{{Label: label, Action: base + "/kits/" + k.PublicID + "/active", Hidden: []components.Pair{{Name: "active", Value: flip}},
				Class: "btn-sm btn-outline-secondary", Test: "kit-toggle"}}
		}
		table.Actions = append(table.Actions, acts)
	}
	v.Sections = []components.Section{{Title: t("kits.title"), Table: table}}
	v.List = components.Table{Action: q.r.URL.Path, Empty: t("kits.no_issues"),
		Filters: []components.Filter{{Name: "status", Label: t("kits.status"), Value: status, Options: q.options("kit_issue", []string{"given", "waiting"})}},
		Head:    []string{t("kits.updated"), t("awards.member"), t("kits.item"), t("kits.occasion"), t("kits.status"), t("kits.shipment")},
		Next:    components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, x := range is {
		st, ship, link := kitIssueWords(q, sc, x)
		v.List.Rows = append(v.List.Rows, []string{q.when(sc, x.UpdatedAt), x.MemberName, x.ItemTitle, t("kit." + string(x.Occasion)), st, ship})
		v.List.Links = append(v.List.Links, link)
	}
	if write {
		opts, err := s.itemOptions(q, sc)
		if err != nil {
			return q.problem(err)
		}
		tiers, err := s.tierOptions(q, sc, "")
		if err != nil {
			return q.problem(err)
		}
		tiers = append([]components.Option{{Value: "", Label: "—"}}, tiers...)
		tier := ""
		if in.Tier != "" {
			tier = in.Ladder + "/" + in.Tier
		}
		v.Forms = []components.Form{{Title: t("kits.new"), Help: t("kits.new_help"), Action: base + "/kits", Test: "kit-form", Submit: t("kits.add"),
			Fields: []components.Field{
				{Name: "occasion", Label: t("kits.occasion"), Kind: "select", Value: string(in.Occasion), Options: q.options("kit", fault.Names(kit.Occasions))},
				{Name: "tier", Label: t("kits.tier"), Kind: "select", Value: tier, Options: tiers, Help: t("kits.tier_help")},
				{Name: "item", Label: t("kits.item"), Kind: "select", Value: in.Item, Options: opts, Help: t("kits.item_help")},
				{Name: "variant", Label: t("awards.variant"), Value: in.Variant},
				{Name: "starts_at", Label: t("kits.starts"), Kind: "datetime-local", Value: dayInput(in.StartsAt, sc.Program.Location()), Help: t("kits.starts_help")},
			}}}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

// kitIssueWords are a member's kit as a row says it: its status (and why
// it waits), its shipment (and whether it waits for an address), and the
// redemption's address.
func kitIssueWords(q *request, sc program.Scope, x kit.Issue) (status, shipment, link string) {
	t := func(k string) string { return components.T(q.ctx, k) }
	status = t("kit_issue." + x.Status)
	if x.Why != nil {
		status += " · " + i18n.Error(components.Lang(q.ctx), x.Why)
	}
	if x.Redemption != "" {
		shipment, link = t("redemption."+x.Shipment), "/p/"+sc.Program.Slug+"/redemptions/"+x.Redemption
		if x.NeedsAddr {
			shipment += " · " + t("kits.needs_address")
		}
	}
	return status, shipment, link
}

func (s *Server) addKit(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := kit.KitInput{Occasion: kit.Occasion(f.str("occasion")), Item: f.str("item"), Variant: f.str("variant"), StartsAt: f.when("starts_at")}
	if lt := f.str("tier"); lt != "" {
		in.Ladder, in.Tier, _ = strings.Cut(lt, "/")
	}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Kits.Add(q.ctx, sc, in)
	}
	return q.settle("kit-form", err, f.bad, "/p/"+sc.Program.Slug+"/kits?done=saved", func(r *refused) error {
		return s.renderKits(q, sc, in, r)
	})
}

func (s *Server) setKitActive(q *request, sc program.Scope) error {
	_, err := s.Kits.SetActive(q.ctx, sc, q.r.PathValue("kit"), q.r.PostFormValue("active") == "1")
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/kits?done=saved", func(r *refused) error {
		return s.renderKits(q, sc, kit.KitInput{Occasion: kit.Welcome}, r)
	})
}

func (s *Server) issueKits(q *request, sc program.Scope) error {
	_, err := s.Kits.IssueNow(q.ctx, sc)
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/kits?done=kits_issued", func(r *refused) error {
		return s.renderKits(q, sc, kit.KitInput{Occasion: kit.Welcome}, r)
	})
}
