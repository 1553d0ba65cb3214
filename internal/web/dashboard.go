package web

import (
	"encoding/json"
	"net/http"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/web/components"
)

// dashboard is a program at a glance: the figures come from the dashboard
// service; this page only draws them, each chart with its table.
func (s *Server) dashboard(q *request, sc program.Scope) error {
	o, err := s.Dashboard.Overview(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	n := func(v int64) string { return i18n.Number(lang, v) }
	base := "/p/" + sc.Program.Slug
	v := components.DashboardView{Stats: []components.Stat{
		{Key: "members", Label: t("dash.members"), Value: n(o.Members), Link: base + "/members"},
		{Key: "review", Label: t("dash.review_queue"), Value: n(o.ReviewQueue)},
		{Key: "places", Label: t("dash.places"), Value: n(o.Funnel.Places)},
		{Key: "approved", Label: t("dash.approved"), Value: n(o.Funnel.Approved)},
	}}
	if program.Can(sc.Role, program.PermSubmissionsReview) {
		v.Stats[1].Link = base + "/review"
	}
	for _, l := range o.Ladders {
		var names []string
		var counts []int64
		tbl := components.Table{Head: []string{t("member.tier"), t("dash.members")}}
		for _, tc := range l.Tiers {
			names = append(names, tc.Name.In(lang))
			counts = append(counts, tc.Members)
			tbl.Rows = append(tbl.Rows, []string{tc.Name.In(lang), n(tc.Members)})
		}
		v.Charts = append(v.Charts, components.Chart{Title: t("dash.pyramid") + " · " + l.Name.In(lang), Height: "chart-sm", Table: tbl,
			Option: option(map[string]any{
				"grid":    map[string]any{"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": true},
				"tooltip": map[string]any{},
				"xAxis":   map[string]any{"type": "value", "minInterval": 1},
				"yAxis":   map[string]any{"type": "category", "data": names},
				"series":  []any{map[string]any{"type": "bar", "data": counts, "label": map[string]any{"show": true, "position": "right"}}},
			})})
	}
	bySource := map[string][2]int64{}
	for _, c := range o.Sources {
		x := bySource[c.Source]
		if c.Domain == string(member.Private) {
			x[1] += c.Members
		} else {
			x[0] += c.Members
		}
		bySource[c.Source] = x
	}
	src := components.Table{Head: []string{t("members.source"), t("domain.public"), t("domain.private")}}
	var pie []any
	sources := append(fault.Names(member.Sources), "") // "": not recorded
	for _, so := range sources {
		x, ok := bySource[so]
		if so == "" && !ok {
			continue
		}
		label := t("dash.no_source")
		if so != "" {
			label = t("source." + so)
		}
		src.Rows = append(src.Rows, []string{label, n(x[0]), n(x[1])})
		pie = append(pie, map[string]any{"name": label, "value": x[0] + x[1]})
	}
	v.Charts = append(v.Charts, components.Chart{Title: t("dash.sources"), Height: "chart-sm", Table: src, Option: option(map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"series":  []any{map[string]any{"type": "pie", "radius": []string{"40%", "70%"}, "data": pie}},
	})})
	stages := []struct {
		key string
		v   int64
	}{{"places", o.Funnel.Places}, {"claimed", o.Funnel.Claimed}, {"submitted", o.Funnel.Submitted}, {"approved", o.Funnel.Approved}}
	fun := components.Table{Head: []string{t("dash.stage"), t("dash.count")}}
	var fdata []any
	for _, st := range stages {
		fun.Rows = append(fun.Rows, []string{t("dash." + st.key), n(st.v)})
		fdata = append(fdata, map[string]any{"name": t("dash." + st.key), "value": st.v})
	}
	v.Charts = append(v.Charts, components.Chart{Title: t("dash.funnel"), Height: "chart-md", Table: fun, Option: option(map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"series": []any{map[string]any{"type": "funnel", "sort": "none", "left": "5%", "width": "90%", "gap": 2, "data": fdata,
			"label": map[string]any{"position": "inside"}}},
	})})
	if o.Changes != nil {
		v.Changes = components.Table{Head: []string{t("member.when"), t("dash.who"), t("dash.action"), t("dash.object")}, Empty: t("dash.no_changes")}
		for _, c := range o.Changes {
			v.Changes.Rows = append(v.Changes.Rows, []string{q.when(sc, c.At), c.ActorName, c.Action, c.ObjectKind + " " + c.ObjectID})
		}
	}
	return q.render(http.StatusOK, components.Dashboard(q.nav(), v))
}

// option is an ECharts option as the JSON its chart's element carries.
func option(o map[string]any) string {
	b, _ := json.Marshal(o)
	return string(b)
}
