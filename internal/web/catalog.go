package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"kox/internal/catalog"
	"kox/internal/event"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/web/components"
)

// The catalog in the console: items of every kind, their variants and
// stock, coupon pools, and the item form. Every rule is the catalog
// service's; these pages read forms into its inputs and show its answers.

// windowRows is how many tier-priority windows a form offers (an item's,
// an event's).
const windowRows = 3

// windowFields are a form's tier-priority windows: a tier and when it
// opens for each row.
func windowFields(t func(string) string, tiers []components.Option, ws []ladder.Window, loc *time.Location) []components.Field {
	var fs []components.Field
	for i := range windowRows {
		var w ladder.Window
		if i < len(ws) {
			w = ws[i]
		}
		lt := ""
		if w.Ladder != "" {
			lt = w.Ladder + "/" + w.Tier
		}
		name := "windows[" + strconv.Itoa(i) + "]"
		fs = append(fs,
			components.Field{Name: name + ".tier", Label: t("catalog.window_tier") + " " + strconv.Itoa(i+1), Kind: "select", Value: lt,
				Options: append([]components.Option{{Value: "", Label: "—"}}, tiers...)},
			components.Field{Name: name + ".opens_at", Label: t("catalog.window_opens"), Kind: "datetime-local", Value: dayInput(w.OpensAt, loc)})
	}
	return fs
}

// windows reads the windowFields rows that were filled in.
func (f *formReader) windows() []ladder.Window {
	var out []ladder.Window
	for i := range windowRows {
		name := "windows[" + strconv.Itoa(i) + "]"
		lt, at := f.str(name+".tier"), f.when(name+".opens_at")
		if lt == "" && at.IsZero() {
			continue
		}
		w := ladder.Window{OpensAt: at}
		w.Ladder, w.Tier, _ = strings.Cut(lt, "/")
		out = append(out, w)
	}
	return out
}

// tierOptions are the program's tiers as ladder/tier choices, each label
// ending in suffix ("+": this tier and above).
func (s *Server) tierOptions(q *request, sc program.Scope, suffix string) ([]components.Option, error) {
	ls, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return nil, err
	}
	lang := components.Lang(q.ctx)
	var out []components.Option
	for _, l := range ls {
		for _, tr := range l.Tiers {
			out = append(out, components.Option{Value: l.Key + "/" + tr.Key, Label: l.Name.In(lang) + " · " + tr.Name.In(lang) + suffix})
		}
	}
	return out, nil
}

// rewardEventOptions are the events whose seats are given as rewards, for
// an event_seat item to name, after none.
func (s *Server) rewardEventOptions(q *request, sc program.Scope) ([]components.Option, error) {
	es, err := s.Events.List(q.ctx, sc)
	if err != nil {
		return nil, err
	}
	out := []components.Option{{Value: "", Label: "—"}}
	for _, e := range es {
		if e.Allocation == event.Reward && e.Status != "cancelled" {
			out = append(out, components.Option{Value: e.PublicID, Label: e.Title + " · " + q.when(sc, e.StartsAt)})
		}
	}
	return out, nil
}

// itemOptions are the catalog's items on offer, after a choice of none
// (a prize, a kit).
func (s *Server) itemOptions(q *request, sc program.Scope) ([]components.Option, error) {
	items, _, err := s.Catalog.List(q.ctx, sc, catalog.Filter{Status: "active", Limit: 200})
	if err != nil {
		return nil, err
	}
	opts := []components.Option{{Value: "", Label: "—"}}
	for _, it := range items {
		opts = append(opts, components.Option{Value: it.PublicID, Label: it.Title})
	}
	return opts, nil
}

// lineOptions are the approved plans' budget lines, each with what it has
// left, after a choice of none.
func (s *Server) lineOptions(q *request, sc program.Scope) ([]components.Option, error) {
	lang := components.Lang(q.ctx)
	out := []components.Option{{Value: "", Label: components.T(q.ctx, "taskform.no_budget_line")}}
	open, err := s.Budget.OpenLines(q.ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, l := range open {
		out = append(out, components.Option{Value: l.PublicID, Label: l.PlanName + " · " + l.Name + " · " + i18n.Money(lang, sc.Program.Currency, l.Available)})
	}
	return out, nil
}

// catalogPage lists the items with filters by kind and status.
func (s *Server) catalogPage(q *request, sc program.Scope) error {
	v := q.r.URL.Query()
	f := catalog.Filter{Kind: catalog.Kind(v.Get("kind")), Status: v.Get("status"), Limit: 50}
	var err error
	if f.Before, err = cursorOf(q); err != nil {
		return q.problem(err)
	}
	items, next, err := s.Catalog.List(q.ctx, sc, f)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	base := "/p/" + sc.Program.Slug
	page := components.RecordView{Title: t("nav.catalog"), Flash: flash(q), Help: t("catalog.help")}
	page.List = components.Table{Action: q.r.URL.Path, Empty: t("catalog.none"),
		Filters: []components.Filter{
			{Name: "kind", Label: t("catalog.kind"), Value: string(f.Kind), Options: q.options("itemkind", fault.Names(catalog.Kinds))},
			{Name: "status", Label: t("tasks.status"), Value: f.Status, Options: q.options("itemstatus", []string{"active", "archived"})},
		},
		Head: []string{t("catalog.item"), t("catalog.kind"), t("catalog.points"), t("catalog.unit_cost"), t("catalog.stock"), t("catalog.redeemed")},
		Next: components.NextPage(q.r.URL.Path, v, cursor(next))}
	for _, it := range items {
		var redeemed int64
		for _, x := range it.Variants {
			redeemed += x.Redeemed
		}
		page.List.Links = append(page.List.Links, base+"/catalog/"+it.PublicID)
		page.List.Rows = append(page.List.Rows, []string{it.Title, t("itemkind." + string(it.Kind)), i18n.Number(lang, it.Points),
			i18n.Money(lang, sc.Program.Currency, it.UnitCost), i18n.Number(lang, it.Stock()), i18n.Number(lang, redeemed)})
	}
	page.Buttons = append(page.Buttons, components.Button{Label: t("nav.redemptions"), Href: base + "/redemptions", Class: "btn-outline-secondary"},
		components.Button{Label: t("nav.badges"), Href: base + "/badges", Class: "btn-outline-secondary"})
	if program.Can(sc.Role, program.PermRewardsWrite) {
		page.Buttons = append(page.Buttons, components.Button{Label: t("catalog.new"), Href: base + "/catalog/new", Test: "new-item"})
	}
	return q.render(http.StatusOK, components.RecordPage(q.nav(), page))
}

// itemInput reads the item form.
func itemInput(q *request, sc program.Scope) (catalog.ItemInput, fault.Fields) {
	f := q.form(sc.Program.Location())
	in := catalog.ItemInput{Kind: catalog.Kind(f.str("kind")), Title: f.str("title"), Description: f.str("description"),
		Points: f.int("points"), UnitCost: f.money("unit_cost"), BudgetLine: f.str("budget_line"),
		PerMemberLimit: int(f.int("per_member_limit")), OpensAt: f.when("opens_at")}
	if lt := f.str("eligibility.tier"); lt != "" {
		in.Eligibility.Ladder, in.Eligibility.MinTier, _ = strings.Cut(lt, "/")
	}
	in.Windows = f.windows()
	in.Event = f.str("event")
	// Merchandise lists its variants a line each, "label stock"; other
	// kinds have one variant and its stock.
	if in.Kind == catalog.Merchandise {
		for _, l := range lines(f.v.Get("variants")) {
			v := catalog.VariantInput{Label: l}
			if i := strings.LastIndexAny(l, " \t"); i > 0 {
				if n, err := strconv.ParseInt(l[i+1:], 10, 64); err == nil {
					v = catalog.VariantInput{Label: strings.TrimSpace(l[:i]), Stock: n}
				}
			}
			in.Variants = append(in.Variants, v)
		}
	} else if n := f.int("stock"); n != 0 {
		in.Variants = []catalog.VariantInput{{Stock: n}}
	}
	return in, f.bad
}

// itemFields is the item form for in; creating also takes the first stock.
func (s *Server) itemFields(q *request, sc program.Scope, in catalog.ItemInput, creating bool) ([]components.Field, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	loc := sc.Program.Location()
	tiers, err := s.tierOptions(q, sc, " +")
	if err != nil {
		return nil, err
	}
	lines, err := s.lineOptions(q, sc)
	if err != nil {
		return nil, err
	}
	tier := ""
	if in.Eligibility.Ladder != "" {
		tier = in.Eligibility.Ladder + "/" + in.Eligibility.MinTier
	}
	n := func(x int64) string {
		if x == 0 {
			return ""
		}
		return strconv.FormatInt(x, 10)
	}
	kinds := q.options("itemkind", fault.Names(catalog.Kinds))
	if !creating {
		kinds = q.options("itemkind", []string{string(in.Kind)})
	}
	fs := []components.Field{
		{Name: "kind", Label: t("catalog.kind"), Kind: "select", Value: string(in.Kind), Options: kinds, Help: t("catalog.kind_help")},
		{Name: "title", Label: t("catalog.item"), Value: in.Title},
		{Name: "description", Label: t("catalog.description"), Kind: "textarea", Rows: 3, Value: in.Description},
		{Name: "points", Label: t("catalog.points"), Kind: "number", Value: strconv.FormatInt(in.Points, 10)},
		{Name: "per_member_limit", Label: t("catalog.limit"), Kind: "number", Value: n(int64(in.PerMemberLimit)), Help: t("catalog.limit_help")},
		{Name: "unit_cost", Label: t("catalog.unit_cost"), Value: yuanInput(in.UnitCost), Help: t("taskform.money_help")},
		{Name: "budget_line", Label: t("taskform.budget_line"), Kind: "select", Value: in.BudgetLine, Options: lines, Help: t("catalog.line_help")},
		{Name: "eligibility.tier", Label: t("taskform.min_tier"), Kind: "select", Value: tier,
			Options: append([]components.Option{{Value: "", Label: t("taskform.anyone")}}, tiers...)},
		{Name: "opens_at", Label: t("catalog.opens_at"), Kind: "datetime-local", Value: dayInput(in.OpensAt, loc), Help: t("catalog.opens_help")},
	}
	fs = append(fs, windowFields(t, tiers, in.Windows, loc)...)
	events, err := s.rewardEventOptions(q, sc)
	if err != nil {
		return nil, err
	}
	fs = append(fs, components.Field{Name: "event", Label: t("catalog.event"), Kind: "select", Value: in.Event, Options: events, Help: t("catalog.event_help")})
	if creating {
		var stock int64
		var vs []string
		for _, v := range in.Variants {
			stock += v.Stock
			if v.Label != "" {
				vs = append(vs, v.Label+" "+strconv.FormatInt(v.Stock, 10))
			}
		}
		fs = append(fs, components.Field{Name: "stock", Label: t("catalog.first_stock"), Kind: "number", Value: n(stock), Help: t("catalog.stock_help")},
			components.Field{Name: "variants", Label: t("catalog.variants"), Kind: "textarea", Rows: 4, Value: strings.Join(vs, "\n"), Help: t("catalog.variants_help")})
	}
	return fs, nil
}

func (s *Server) renderItemForm(q *request, sc program.Scope, ref string, in catalog.ItemInput, r *refused) error {
	fs, err := s.itemFields(q, sc, in, ref == "")
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	f := components.Form{Action: "/p/" + sc.Program.Slug + "/catalog", Fields: fs, Submit: t("taskform.save"), Test: "item-form"}
	v := components.RecordView{Title: t("catalog.new")}
	if ref != "" {
		f.Action += "/" + ref
		v.Title = t("catalog.edit")
	}
	v.Forms = []components.Form{f}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) newItem(q *request, sc program.Scope) error {
	return s.renderItemForm(q, sc, "", catalog.ItemInput{Kind: catalog.Virtual}, nil)
}

func (s *Server) editItem(q *request, sc program.Scope) error {
	it, err := s.Catalog.Get(q.ctx, sc, q.r.PathValue("item"))
	if err != nil {
		return q.problem(err)
	}
	in := catalog.ItemInput{Kind: it.Kind, Title: it.Title, Description: it.Description, Points: it.Points, UnitCost: it.UnitCost,
		BudgetLine: it.BudgetLine, PerMemberLimit: it.PerMemberLimit, Eligibility: it.Eligibility, Windows: it.Windows, OpensAt: it.OpensAt, Event: it.Event}
	return s.renderItemForm(q, sc, it.PublicID, in, nil)
}

// saveItem creates an item (ref "") or rewrites one, and shows it.
func (s *Server) saveItem(q *request, sc program.Scope) error {
	ref := q.r.PathValue("item")
	in, bad := itemInput(q, sc)
	var it catalog.Item
	var err error
	if bad.Err() == nil {
		if ref == "" {
			it, err = s.Catalog.Create(q.ctx, sc, in)
		} else {
			it, err = s.Catalog.Update(q.ctx, sc, ref, in)
		}
	}
	return q.settle("item-form", err, bad, "/p/"+sc.Program.Slug+"/catalog/"+it.PublicID+"?done=saved", func(r *refused) error {
		return s.renderItemForm(q, sc, ref, in, r)
	})
}

// itemPage is one item: what it costs, who may redeem it from when, its
// variants and stock, the latest redemptions, and the forms that restock
// it, add a variant or fill its pool of codes.
func (s *Server) itemPage(q *request, sc program.Scope) error {
	return s.renderItem(q, sc, q.r.PathValue("item"), nil, nil)
}

func (s *Server) renderItem(q *request, sc program.Scope, ref string, r *refused, imp *catalog.CodeImport) error {
	it, err := s.Catalog.Get(q.ctx, sc, ref)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	money := func(fen int64) string { return i18n.Money(lang, sc.Program.Currency, fen) }
	base := "/p/" + sc.Program.Slug + "/catalog/" + it.PublicID
	v := components.RecordView{Pretitle: t("itemkind." + string(it.Kind)), Title: it.Title, Status: t("itemstatus." + it.Status), Flash: flash(q)}
	v.Facts = []components.Fact{
		{Label: t("catalog.points"), Value: i18n.Number(lang, it.Points)},
		{Label: t("catalog.stock"), Value: i18n.Number(lang, it.Stock())},
		{Label: t("catalog.unit_cost"), Value: money(it.UnitCost)},
		{Label: t("catalog.limit"), Value: limitText(q, it.PerMemberLimit)},
		{Label: t("taskform.min_tier"), Value: orDash(strings.Trim(it.Eligibility.Ladder+"/"+it.Eligibility.MinTier, "/"))},
	}
	if it.BudgetLine != "" {
		line := it.BudgetLine
		if l, err := s.Budget.Line(q.ctx, sc, it.BudgetLine); err == nil {
			line = l.PlanName + " · " + l.Name
		}
		v.Facts = append(v.Facts, components.Fact{Label: t("taskform.budget_line"), Value: line})
	}
	if !it.OpensAt.IsZero() {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.opens_at"), Value: q.when(sc, it.OpensAt)})
	}
	for _, w := range it.Windows {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.window_tier") + " " + w.Ladder + "/" + w.Tier, Value: q.when(sc, w.OpensAt)})
	}
	if it.Event != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.event"), Value: it.Event})
		v.Buttons = append(v.Buttons, components.Button{Label: t("catalog.event"), Href: "/p/" + sc.Program.Slug + "/events/" + it.Event, Class: "btn-outline-secondary"})
	}
	if it.Kind == catalog.Coupon {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.codes_free"), Value: i18n.Number(lang, it.CodesFree)})
	}
	if it.Description != "" {
		v.Facts = append(v.Facts, components.Fact{Label: t("catalog.description"), Value: it.Description})
	}
	vt := components.Table{Head: []string{t("catalog.variant"), t("catalog.stock"), t("catalog.redeemed")}}
	var variants []components.Option
	for _, x := range it.Variants {
		label := orDash(x.Label)
		vt.Rows = append(vt.Rows, []string{label, i18n.Number(lang, x.Stock), i18n.Number(lang, x.Redeemed)})
		variants = append(variants, components.Option{Value: x.PublicID, Label: label})
	}
	v.Sections = append(v.Sections, components.Section{Title: t("catalog.variants"), Table: vt})
	if imp != nil && len(imp.Errors) > 0 {
		et := components.Table{Head: []string{t("import.row"), t("import.reason")}}
		for _, e := range imp.Errors {
			et.Rows = append(et.Rows, []string{strconv.Itoa(e.Row), i18n.Field(lang, fault.FieldError{Code: e.Code, Reason: e.Reason})})
		}
		v.Sections = append([]components.Section{{Title: t("catalog.codes_rejected"), Table: et}}, v.Sections...)
	}
	rs, _, err := s.Catalog.Redemptions(q.ctx, sc, catalog.RedemptionFilter{Item: it.PublicID, Limit: 20})
	if err != nil {
		return q.problem(err)
	}
	v.Sections = append(v.Sections, components.Section{Title: t("catalog.latest"), Table: q.redemptionTable(sc, rs)})
	if program.Can(sc.Role, program.PermRewardsWrite) {
		v.Buttons = append(v.Buttons, components.Button{Label: t("tasks.edit"), Href: base + "/edit", Class: "btn-outline-primary", Test: "edit-item"})
		if it.Status == "active" {
			v.Buttons = append(v.Buttons, components.Button{Label: t("catalog.archive"), Action: base + "/status", Hidden: []components.Pair{{Name: "status", Value: "archived"}},
				Class: "btn-outline-danger", Test: "archive"})
		} else {
			v.Buttons = append(v.Buttons, components.Button{Label: t("catalog.restore"), Action: base + "/status", Hidden: []components.Pair{{Name: "status", Value: "active"}},
				Class: "btn-outline-primary", Test: "restore"})
		}
		if it.Kind == catalog.Coupon {
			v.Forms = append(v.Forms, components.Form{Title: t("catalog.import_codes"), Help: t("catalog.codes_help"), Action: base + "/codes", Multipart: true,
				Test: "codes-form", Submit: t("catalog.add_codes"),
				Fields: []components.Field{{Name: "file", Label: t("import.file"), Kind: "file", Value: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}})
		} else {
			v.Forms = append(v.Forms, components.Form{Title: t("catalog.restock"), Help: t("catalog.restock_help"), Action: base + "/stock", Test: "stock-form",
				Submit: t("catalog.restock"), Fields: []components.Field{
					{Name: "variant", Label: t("catalog.variant"), Kind: "select", Options: variants},
					{Name: "units", Label: t("catalog.units"), Kind: "number"},
					{Name: "reason", Label: t("member.reason")}}})
		}
		if it.Kind == catalog.Merchandise {
			v.Forms = append(v.Forms, components.Form{Title: t("catalog.add_variant"), Action: base + "/variants", Test: "variant-form", Submit: t("catalog.add_variant"),
				Fields: []components.Field{{Name: "label", Label: t("catalog.variant")}, {Name: "stock", Label: t("catalog.first_stock"), Kind: "number"}}})
		}
	}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func limitText(q *request, n int) string {
	if n == 0 {
		return components.T(q.ctx, "catalog.no_limit")
	}
	return strconv.Itoa(n)
}

// itemAction settles one of an item's actions: back to the item, or the
// refusal on the item's page.
func (s *Server) itemAction(q *request, sc program.Scope, form, done string, err error, bad fault.Fields) error {
	ref := q.r.PathValue("item")
	return q.settle(form, err, bad, "/p/"+sc.Program.Slug+"/catalog/"+ref+"?done="+done, func(r *refused) error {
		return s.renderItem(q, sc, ref, r, nil)
	})
}

func (s *Server) restockItem(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	units := f.int("units")
	var err error
	if f.bad.Err() == nil {
		_, err = s.Catalog.Restock(q.ctx, sc, q.r.PathValue("item"), f.str("variant"), units, f.str("reason"))
	}
	return s.itemAction(q, sc, "stock-form", "restocked", err, f.bad)
}

func (s *Server) addItemVariant(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := catalog.VariantInput{Label: f.str("label"), Stock: f.int("stock")}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Catalog.AddVariant(q.ctx, sc, q.r.PathValue("item"), in)
	}
	return s.itemAction(q, sc, "variant-form", "saved", err, f.bad)
}

func (s *Server) setItemStatus(q *request, sc program.Scope) error {
	_, err := s.Catalog.SetStatus(q.ctx, sc, q.r.PathValue("item"), q.r.PostFormValue("status"))
	return s.itemAction(q, sc, "", "saved", err, nil)
}

// importItemCodes adds an uploaded file's codes to a coupon's pool: all of
// them, or none, with each wrong row named on the page.
func (s *Server) importItemCodes(q *request, sc program.Scope) error {
	ref := q.r.PathValue("item")
	data, format, err := q.upload(catalog.MaxCodeBytes)
	var imp catalog.CodeImport
	if err == nil {
		imp, err = s.Catalog.ImportCodes(q.ctx, sc, ref, format, data)
	}
	if err == nil && len(imp.Errors) > 0 {
		return s.renderItem(q, sc, ref, &refused{form: "codes-form", general: components.T(q.ctx, "catalog.codes_none_added"),
			status: http.StatusUnprocessableEntity}, &imp)
	}
	return q.settle("codes-form", err, nil, "/p/"+sc.Program.Slug+"/catalog/"+ref+"?done=codes_added", func(r *refused) error {
		return s.renderItem(q, sc, ref, r, nil)
	})
}

// redemptionTable is a page of redemptions, each linked to its page.
func (q *request) redemptionTable(sc program.Scope, rs []catalog.Redemption) components.Table {
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	tbl := components.Table{Head: []string{t("member.when"), t("catalog.item"), t("catalog.variant"), t("members.name"), t("catalog.points"), t("tasks.status")},
		Empty: t("catalog.no_redemptions")}
	for _, r := range rs {
		tbl.Links = append(tbl.Links, "/p/"+sc.Program.Slug+"/redemptions/"+r.PublicID)
		tbl.Rows = append(tbl.Rows, []string{q.when(sc, r.CreatedAt), r.ItemTitle, orDash(r.VariantLabel), r.MemberName, i18n.Number(lang, r.Points),
			t("redemption." + string(r.Status))})
	}
	return tbl
}
