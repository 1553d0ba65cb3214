package web

import (
	"net/http"

	"kox/internal/catalog"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The portal's rewards: the catalog as my tier and my points see it,
// redeeming, my redemptions with their codes and shipments, my badges, and
// what I am owed and was paid, with my payee details.

// rewardCard is an item as my shelf shows it: the refusal is the one
// redeeming would give, in my language; a window not yet open says when.
func (q *request) rewardCard(sc program.Scope, o catalog.ShelfItem) components.RewardCard {
	lang := components.Lang(q.ctx)
	c := components.RewardCard{Ref: o.PublicID, Title: o.Title, Kind: components.T(q.ctx, "itemkind."+string(o.Kind)), Points: i18n.Number(lang, o.Points),
		Left: i18n.Number(lang, o.Stock()), CanTake: o.CanRedeem, Desc: o.Description}
	if o.Used > 0 {
		c.Used = i18n.Number(lang, int64(o.Used))
	}
	if o.Refusal != nil {
		if o.Refusal.Code == "catalog.not_open" {
			c.Opens = q.when(sc, o.OpensAt)
		} else {
			c.Why = i18n.Error(lang, o.Refusal)
		}
	}
	return c
}

func (s *Server) memberShelf(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	sh, err := s.Catalog.Shelf(q.ctx, sc, "", catalog.Kind(q.r.URL.Query().Get("kind")))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	cards := make([]components.RewardCard, len(sh.Offers))
	for i, o := range sh.Offers {
		cards[i] = q.rewardCard(sc, o)
	}
	return q.render(http.StatusOK, components.PortalShelf(q.portalNav(sc, "rewards"), i18n.Number(components.Lang(q.ctx), sh.Balance), cards))
}

// shelfItem is one item of my shelf.
func (s *Server) shelfItem(q *request, sc program.Scope, ref string) (catalog.ShelfItem, error) {
	sh, err := s.Catalog.Shelf(q.ctx, sc, "", "")
	if err != nil {
		return catalog.ShelfItem{}, err
	}
	for _, o := range sh.Offers {
		if o.PublicID == ref {
			return o, nil
		}
	}
	return catalog.ShelfItem{}, fault.New(fault.NotFound, "catalog.not_found", "no catalog item {item}", fault.P{"item": ref})
}

func (s *Server) memberReward(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderReward(q, sc, components.RedeemForm{}, http.StatusOK)
}

func (s *Server) renderReward(q *request, sc program.Scope, f components.RedeemForm, status int) error {
	o, err := s.shelfItem(q, sc, q.r.PathValue("item"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	f.Shipped = o.Kind.Shipped()
	f.Variants = nil
	for _, v := range o.Variants {
		label := v.Label
		if v.Stock == 0 {
			label += " · " + components.T(q.ctx, "rewards.sold_out")
		}
		f.Variants = append(f.Variants, components.Option{Value: v.PublicID, Label: label})
	}
	return q.render(status, components.PortalReward(q.portalNav(sc, "rewards"), q.rewardCard(sc, o), f))
}

// memberRedeem redeems the item for me; a refusal shows on the item's page
// with what I typed.
func (s *Server) memberRedeem(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	f := q.form(sc.Program.Location())
	in := catalog.RedeemInput{Item: q.r.PathValue("item"), Variant: f.str("variant")}
	form := components.RedeemForm{Variant: in.Variant, Name: f.str("address.name"), Phone: f.str("address.phone"), Address: f.str("address.address")}
	if form.Name != "" || form.Phone != "" || form.Address != "" {
		in.Address = &catalog.Address{Name: form.Name, Phone: form.Phone, Address: form.Address}
	}
	r, err := s.Catalog.Redeem(q.ctx, sc, in)
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound && len(fe.Fields) == 0 {
			return q.portalProblem(sc, err)
		}
		form.Errors, form.Error = fieldErrors(components.Lang(q.ctx), err, nil)
		status := http.StatusUnprocessableEntity
		if len(fe.Fields) == 0 {
			status = statusOf(fe)
		}
		return s.renderReward(q, sc, form, status)
	}
	return q.redirect("/m/redemptions/" + r.PublicID + "?done=redeemed")
}

func (s *Server) memberRedemptions(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	before, err := cursorOf(q)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	rs, next, err := s.Catalog.Redemptions(q.ctx, sc, catalog.RedemptionFilter{Before: before, Limit: 30})
	if err != nil {
		return q.portalProblem(sc, err)
	}
	lines := make([]components.RedemptionLine, len(rs))
	for i, r := range rs {
		lines[i] = q.redemptionLine(sc, r)
	}
	return q.render(http.StatusOK, components.PortalRedemptions(q.portalNav(sc, "rewards"), lines,
		components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))))
}

func (q *request) redemptionLine(sc program.Scope, r catalog.Redemption) components.RedemptionLine {
	title := r.ItemTitle
	if r.VariantLabel != "" {
		title += " · " + r.VariantLabel
	}
	return components.RedemptionLine{Ref: r.PublicID, Title: title, When: q.when(sc, r.CreatedAt), Points: i18n.Number(components.Lang(q.ctx), r.Points),
		Status: components.T(q.ctx, "redemption."+string(r.Status))}
}

func (s *Server) memberRedemption(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMemberRedemption(q, sc, "", http.StatusOK)
}

func (s *Server) renderMemberRedemption(q *request, sc program.Scope, errText string, status int) error {
	r, err := s.Catalog.Redemption(q.ctx, sc, q.r.PathValue("redemption"))
	if err != nil {
		return q.portalProblem(sc, err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.RedemptionView{Flash: flash(q), Error: errText, Line: q.redemptionLine(sc, r), Code: r.Code, CanCancel: r.Cancellable()}
	v.Facts = []components.Fact{{Label: t("member.when"), Value: v.Line.When}, {Label: t("catalog.points"), Value: v.Line.Points},
		{Label: t("redemption.updated"), Value: q.when(sc, r.UpdatedAt)}}
	if a := r.Address; a != nil {
		v.Facts = append(v.Facts, components.Fact{Label: t("redemption.ship_to"), Value: a.Name + " · " + a.Phone + " · " + a.Address})
	}
	if r.Carrier != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("redemption.carrier"), Value: r.Carrier + " " + r.Tracking})
	}
	if r.Note != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("member.note"), Value: r.Note})
	}
	if r.AddressOpen() {
		f := addressForm(q, "/m/redemptions/"+r.PublicID+"/address", r)
		v.Address = &f
	}
	return q.render(status, components.PortalRedemption(q.portalNav(sc, "rewards"), v))
}

// memberRedemptionAddress gives my redemption (a kit, a prize) where to
// send it, before it ships.
func (s *Server) memberRedemptionAddress(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("redemption")
	if _, err := s.Catalog.SetAddress(q.ctx, sc, ref, addressOf(q.form(sc.Program.Location()))); err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.portalProblem(sc, err)
		}
		return s.renderMemberRedemption(q, sc, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/m/redemptions/" + ref + "?done=saved")
}

// memberCancelRedemption cancels my redemption before it is shipped: my
// points come back.
func (s *Server) memberCancelRedemption(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	ref := q.r.PathValue("redemption")
	if _, err := s.Catalog.Cancel(q.ctx, sc, ref, ""); err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		if fe.Kind == fault.NotFound {
			return q.portalProblem(sc, err)
		}
		return s.renderMemberRedemption(q, sc, q.refusal(err), statusOf(fe))
	}
	return q.redirect("/m/redemptions/" + ref + "?done=redemption_cancelled")
}

func (s *Server) memberBadges(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	as, err := s.Badges.Of(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	lang := components.Lang(q.ctx)
	out := make([]components.BadgeLine, len(as))
	for i, a := range as {
		out[i] = components.BadgeLine{Name: a.Name(lang), When: q.when(sc, a.AwardedAt), What: criterionText(q, a.Criterion, a.Threshold)}
	}
	hs, err := s.Awards.Of(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	return q.render(http.StatusOK, components.PortalBadges(q.portalNav(sc, "rewards"), out, honourLines(lang, hs), "/w/"+sc.Program.Slug))
}

// memberMoney is what I am owed and was paid, and my payee details.
func (s *Server) memberMoney(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	return s.renderMoney(q, sc, nil)
}

func (s *Server) renderMoney(q *request, sc program.Scope, r *refused) error {
	st, err := s.Payouts.MemberStatement(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	p, has, err := s.Payouts.Payee(q.ctx, sc, sc.Actor.PublicID)
	if err != nil {
		return q.portalProblem(sc, err)
	}
	v := components.MoneyView{Flash: flash(q), Owed: q.money(sc, st.Owed), InBatch: q.money(sc, st.InBatch), Payments: q.paymentTable(sc, st.Payments),
		Payee: q.payeeForm("/m/money/payee", p, has)}
	rv := components.RecordView{Forms: []components.Form{v.Payee}}
	status := r.apply(&rv)
	v.Payee = rv.Forms[0]
	return q.render(status, components.PortalMoney(q.portalNav(sc, "rewards"), v))
}

func (s *Server) memberSetPayee(q *request) error {
	sc, ok, err := s.own(q)
	if !ok {
		return err
	}
	_, err = s.Payouts.SetPayee(q.ctx, sc, sc.Actor.PublicID, payeeInput(q, sc))
	return q.settle("payee-form", err, nil, "/m/money?done=saved", func(r *refused) error { return s.renderMoney(q, sc, r) })
}
