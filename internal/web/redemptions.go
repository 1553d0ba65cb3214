package web

import (
	"net/http"

	"kox/internal/catalog"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/program"
	"kox/internal/web/components"
)

// redemptions lists the program's redemptions, newest first, filtered by
// status, item or member: the shipping desk's queue.
func (s *Server) redemptions(q *request, sc program.Scope) error {
	v := q.r.URL.Query()
	f := catalog.RedemptionFilter{Status: catalog.Status(v.Get("status")), Item: v.Get("item"), Member: v.Get("member"), Limit: 50}
	var err error
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	rs, next, err := s.Catalog.Redemptions(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	page := components.RecordView{Title: t("nav.redemptions"), Flash: flash(q)}
	page.List = q.redemptionTable(sc, rs)
	page.List.Action = q.r.URL.Path
	page.List.Filters = []components.Filter{
		{Name: "status", Label: t("tasks.status"), Value: string(f.Status), Options: q.options("redemption", fault.Names(catalog.Statuses))},
		{Name: "item", Label: t("catalog.item_id"), Value: f.Item},
		{Name: "member", Label: t("tasks.member_id"), Value: f.Member},
	}
	page.List.Next = components.NextPage(q.r.URL.Path, v, cursor(next))
	return q.render(http.StatusOK, components.RecordPage(q.nav(), page))
}

// redemptionPage is one redemption: what was redeemed by whom, the code or
// the address, and the next step (ship with carrier and tracking number,
// delivered, returned, fulfilled) or cancel.
func (s *Server) redemptionPage(q *request, sc program.Scope) error {
	return s.renderRedemption(q, sc, nil)
}

func (s *Server) renderRedemption(q *request, sc program.Scope, r *refused) error {
	x, err := s.Catalog.Redemption(q.ctx, sc, q.r.PathValue("redemption"))
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Pretitle: t("itemkind." + string(x.Kind)), Title: x.ItemTitle, Status: t("redemption." + string(x.Status)), Flash: flash(q)}
	v.Facts = []components.Fact{
		{Label: t("members.name"), Value: x.MemberName},
		{Label: t("member.when"), Value: q.when(sc, x.CreatedAt)},
		{Label: t("catalog.variant"), Value: orDash(x.VariantLabel)},
		{Label: t("catalog.points"), Value: i18n.Number(lang, x.Points)},
		{Label: t("catalog.unit_cost"), Value: i18n.Money(lang, sc.Program.Currency, x.UnitCost)},
		{Label: t("redemption.updated"), Value: q.when(sc, x.UpdatedAt)},
	}
	if x.Code != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("redemption.code"), Value: x.Code})
	}
	if a := x.Address; a != nil {
		v.Facts = append(v.Facts, components.Fact{Label: t("redemption.ship_to"), Value: a.Name + " · " + a.Phone + " · " + a.Address})
	}
	if x.Carrier != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("redemption.carrier"), Value: x.Carrier + " " + x.Tracking})
	}
	if x.Note != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("member.note"), Value: x.Note})
	}
	v.Buttons = []components.Button{{Label: t("members.title"), Href: base + "/members/" + x.Member, Class: "btn-outline-secondary"},
		{Label: t("nav.catalog"), Href: base + "/catalog/" + x.Item, Class: "btn-outline-secondary"}}
	if program.Can(sc.Role, program.PermRewardsWrite) {
		action := base + "/redemptions/" + x.PublicID
		note := components.Field{Name: "note", Label: t("member.note")}
		if x.AddressOpen() {
			v.Forms = append(v.Forms, addressForm(q, action+"/address", x))
		}
		switch steps := x.Steps(); {
		case x.NeedsAddress():
			v.Help = t("kits.needs_address")
		case len(steps) == 1 && steps[0] == catalog.Shipped:
			v.Forms = append(v.Forms, components.Form{Title: t("redemption.ship"), Action: action + "/shipment", Test: "ship-form", Submit: t("redemption.ship"),
				Fields: []components.Field{{Name: "status", Kind: "hidden", Value: string(catalog.Shipped)},
					{Name: "carrier", Label: t("redemption.carrier_name")}, {Name: "tracking", Label: t("redemption.tracking")}, note}})
		default:
			for _, st := range steps {
				v.Forms = append(v.Forms, components.Form{Title: t("redemption.to_" + string(st)), Action: action + "/shipment", Test: string(st) + "-form",
					Submit: t("redemption.to_" + string(st)), Danger: st == catalog.Returned,
					Fields: []components.Field{{Name: "status", Kind: "hidden", Value: string(st)}, note}})
			}
		}
		if x.Cancellable() {
			v.Forms = append(v.Forms, components.Form{Title: t("redemption.cancel"), Help: t("redemption.cancel_help"), Action: action + "/cancel",
				Test: "cancel-form", Submit: t("redemption.cancel"), Danger: true, Fields: []components.Field{{Name: "reason", Label: t("member.reason")}}})
		}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) advanceRedemption(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := catalog.Shipment{Status: catalog.Status(f.str("status")), Carrier: f.str("carrier"), Tracking: f.str("tracking"), Note: f.str("note")}
	_, err := s.Catalog.Advance(q.ctx, sc, q.r.PathValue("redemption"), in)
	return s.redemptionAction(q, sc, string(in.Status)+"-form", err)
}

// addressForm gives a shipped item not yet sent its address, or changes
// it: the console's and the portal's form.
func addressForm(q *request, action string, x catalog.Redemption) components.Form {
	t := func(k string) string { return components.T(q.ctx, k) }
	a := catalog.Address{}
	if x.Address != nil {
		a = *x.Address
	}
	return components.Form{Title: t("redemption.address"), Help: t("redemption.address_help"), Action: action, Test: "address-form",
		Submit: t("redemption.save_address"), Fields: []components.Field{
			{Name: "name", Label: t("rewards.ship_name"), Value: a.Name},
			{Name: "phone", Label: t("member.phone"), Value: a.Phone},
			{Name: "address", Label: t("rewards.ship_address"), Kind: "textarea", Value: a.Address}}}
}

// addressOf is the address a form posted.
func addressOf(f *formReader) catalog.Address {
	return catalog.Address{Name: f.str("name"), Phone: f.str("phone"), Address: f.str("address")}
}

func (s *Server) setRedemptionAddress(q *request, sc program.Scope) error {
	_, err := s.Catalog.SetAddress(q.ctx, sc, q.r.PathValue("redemption"), addressOf(q.form(sc.Program.Location())))
	return s.redemptionAction(q, sc, "address-form", err)
}

func (s *Server) cancelRedemption(q *request, sc program.Scope) error {
	_, err := s.Catalog.Cancel(q.ctx, sc, q.r.PathValue("redemption"), q.r.PostFormValue("reason"))
	return s.redemptionAction(q, sc, "cancel-form", err)
}

func (s *Server) redemptionAction(q *request, sc program.Scope, form string, err error) error {
	if form == "shipped-form" {
		form = "ship-form"
	}
	return q.settle(form, err, nil, "/p/"+sc.Program.Slug+"/redemptions/"+q.r.PathValue("redemption")+"?done=saved", func(r *refused) error {
		return s.renderRedemption(q, sc, r)
	})
}
