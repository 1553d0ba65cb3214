package web

import (
	"strconv"

	"kox/internal/i18n"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/web/components"
)

// channelsPage is where the program's news goes beyond kox: signed
// webhooks, WeCom group bots and email, each turned on or off, and the
// delivery log with each attempt's answer and "send again".
func (s *Server) channelsPage(q *request, sc program.Scope) error {
	return s.renderChannels(q, sc, notify.EndpointInput{Kind: notify.Webhook}, nil)
}

func (s *Server) renderChannels(q *request, sc program.Scope, in notify.EndpointInput, r *refused) error {
	eps, err := s.Notify.Endpoints(q.ctx, sc)
	if err != nil {
		return q.problem(err)
	}
	before, err := cursorOf(q)
	if err != nil {
		return q.problem(err)
	}
	status := q.r.URL.Query().Get("status")
	ds, next, err := s.Notify.Deliveries(q.ctx, sc, status, before, 50)
	if err != nil {
		return q.problem(err)
	}
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	base := "/p/" + sc.Program.Slug
	v := components.RecordView{Title: t("nav.channels"), Flash: flash(q), Help: t("channels.help")}
	chans := components.Table{Head: []string{t("channels.name"), t("channels.kind"), t("channels.where"), t("channels.events"), t("channels.state")},
		Empty: t("channels.none")}
	for _, ep := range eps {
		events := t("channels.all_events")
		if len(ep.Events) > 0 {
			events = ""
			for i, e := range ep.Events {
				if i > 0 {
					events += "、"
				}
				events += t("event." + e)
			}
		}
		state, flip, label := t("channels.on"), "0", t("channels.turn_off")
		if !ep.Active {
			state, flip, label = t("channels.off"), "1", t("channels.turn_on")
		}
		chans.Rows = append(chans.Rows, []string{ep.Name, t("channel." + ep.Kind), ep.Shown, events, state})
		chans.Actions = append(chans.Actions, []components.Button{{Label: label, Action: base + "/channels/" + ep.PublicID + "/active",
			Hidden: []components.Pair{{Name: "active", Value: flip}}, Class: "btn-sm btn-outline-secondary", Test: "channel-toggle"}})
	}
	v.Sections = []components.Section{{Title: t("channels.title"), Table: chans}}
	v.List = components.Table{Action: q.r.URL.Path, Empty: t("deliveries.none"),
		Filters: []components.Filter{{Name: "status", Label: t("deliveries.status"), Value: status,
			Options: q.options("delivery", []string{"pending", "sent", "dead"})}},
		Head: []string{t("deliveries.created"), t("deliveries.event"), t("channels.name"), t("deliveries.target"), t("deliveries.status"),
			t("deliveries.attempts"), t("deliveries.answer")},
		Next: components.NextPage(q.r.URL.Path, q.r.URL.Query(), cursor(next))}
	for _, d := range ds {
		answer := d.LastError
		if d.LastStatus != 0 {
			answer = strconv.Itoa(d.LastStatus) + " " + answer
		}
		st := t("delivery." + d.Status)
		if d.Status == "pending" && d.Attempts > 0 {
			st += " · " + q.when(sc, d.NextAt)
		}
		v.List.Rows = append(v.List.Rows, []string{q.when(sc, d.CreatedAt), t("event."+d.Kind) + " · " + d.Event, d.Endpoint, d.Target, st,
			i18n.Number(lang, int64(d.Attempts)), answer})
		v.List.Actions = append(v.List.Actions, []components.Button{{Label: t("deliveries.replay"), Action: base + "/deliveries/" + d.PublicID + "/replay",
			Class: "btn-sm btn-outline-primary", Test: "replay"}})
	}
	port := ""
	if in.Port > 0 {
		port = strconv.Itoa(in.Port)
	}
	v.Forms = []components.Form{{Title: t("channels.new"), Help: t("channels.new_help"), Action: base + "/channels", Test: "channel-form", Submit: t("channels.add"),
		Wide: true,
		Fields: []components.Field{
			{Name: "kind", Label: t("channels.kind"), Kind: "select", Value: in.Kind, Options: q.options("channel", notify.Channels)},
			{Name: "name", Label: t("channels.name"), Value: in.Name},
			{Name: "url", Label: t("channels.url"), Value: in.URL, Help: t("channels.url_help")},
			{Name: "secret", Label: t("channels.secret"), Kind: "password", Help: t("channels.secret_help")},
			{Name: "host", Label: t("channels.host"), Value: in.Host},
			{Name: "port", Label: t("channels.port"), Kind: "number", Value: port},
			{Name: "user", Label: t("channels.user"), Value: in.User},
			{Name: "password", Label: t("channels.password"), Kind: "password"},
			{Name: "from", Label: t("channels.from"), Value: in.From},
			{Name: "events", Label: t("channels.events"), Kind: "checks", Values: in.Events, Options: q.options("event", notify.Kinds),
				Help: t("channels.events_help")},
		}}}
	return q.render(r.apply(&v), components.RecordPage(q.nav(), v))
}

func (s *Server) addChannel(q *request, sc program.Scope) error {
	f := q.form(sc.Program.Location())
	in := notify.EndpointInput{Kind: f.str("kind"), Name: f.str("name"), URL: f.str("url"), Secret: f.v.Get("secret"), Host: f.str("host"),
		Port: int(f.int("port")), User: f.str("user"), Password: f.v.Get("password"), From: f.str("from"), Events: f.v["events"]}
	var err error
	if f.bad.Err() == nil {
		_, err = s.Notify.AddEndpoint(q.ctx, sc, in)
	}
	return q.settle("channel-form", err, f.bad, "/p/"+sc.Program.Slug+"/channels?done=saved", func(r *refused) error {
		return s.renderChannels(q, sc, in, r)
	})
}

func (s *Server) setChannelActive(q *request, sc program.Scope) error {
	_, err := s.Notify.SetEndpointActive(q.ctx, sc, q.r.PathValue("endpoint"), q.r.PostFormValue("active") == "1")
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/channels?done=saved", func(r *refused) error {
		return s.renderChannels(q, sc, notify.EndpointInput{Kind: notify.Webhook}, r)
	})
}

func (s *Server) replayDelivery(q *request, sc program.Scope) error {
	_, err := s.Notify.Replay(q.ctx, sc, q.r.PathValue("delivery"))
	return q.settle("", err, nil, "/p/"+sc.Program.Slug+"/channels?done=replayed", func(r *refused) error {
		return s.renderChannels(q, sc, notify.EndpointInput{Kind: notify.Webhook}, r)
	})
}
