package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
	"kox/internal/web/components"
)

// The task form: create and edit a task with its whole brief. The form is
// read into the task service's Input; every rule is the service's, and
// the fields it names come back on the form.

const dateInput = "2006-01-02T15:04"

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

var listSep = regexp.MustCompile(`[\s,，、]+`)

// words splits a list typed with spaces or commas.
func words(s string) []string {
	var out []string
	for _, w := range listSep.Split(s, -1) {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// taskInput reads the form into the service's input; what cannot be read
// (a number that is not one) is named on its field.
func taskInput(q *request, sc program.Scope) (task.Input, fault.Fields) {
	f := q.form(sc.Program.Location())
	v := f.v
	num := func(name string) int { return int(f.int(name)) }
	in := task.Input{Title: v.Get("title"), Kind: task.Kind(v.Get("kind")), Mode: task.Mode(v.Get("mode")),
		Capacity: num("capacity"), SubmitWithinHours: num("submit_within_hours"), EffortMinutes: num("effort_minutes"),
		ClaimDeadline: f.when("claim_deadline"), SubmitDeadline: f.when("submit_deadline"),
		Campaign: f.str("campaign"), BudgetLine: f.str("budget_line"),
		Brief: task.Brief{Description: f.str("brief.description"), KeyMessages: lines(v.Get("brief.key_messages")),
			Hashtags: words(v.Get("brief.hashtags")), Platforms: v["brief.platforms"], DisclosureRequired: v.Get("brief.disclosure_required") != "",
			References: lines(v.Get("brief.references")), TopicIdeas: lines(v.Get("brief.topic_ideas"))},
		Eligibility: task.Eligibility{Roles: v["eligibility.roles"], Sources: v["eligibility.sources"],
			Regions: words(v.Get("eligibility.regions")), Tags: words(v.Get("eligibility.tags"))},
	}
	in.Reward.Points = f.int("reward.points")
	in.Reward.Money = f.money("reward.money")
	if lt := v.Get("eligibility.tier"); lt != "" {
		in.Eligibility.Ladder, in.Eligibility.MinTier, _ = strings.Cut(lt, "/")
	}
	if every, count := num("recurrence.interval_days"), num("recurrence.count"); every > 0 || count > 0 {
		in.Recurrence = &task.Recurrence{IntervalDays: every, Count: count}
	}
	return in, f.bad
}

// taskFields is the form for in, with the errors by field.
func (s *Server) taskFields(q *request, sc program.Scope, in task.Input, errs map[string]string) ([]components.Field, error) {
	t := func(k string) string { return components.T(q.ctx, k) }
	lang := components.Lang(q.ctx)
	tiers := []components.Option{{Value: "", Label: t("taskform.anyone")}}
	ladders, err := s.Ladders.Ladders(q.ctx, sc, "")
	if err != nil {
		return nil, err
	}
	for _, l := range ladders {
		for _, tr := range l.Tiers {
			tiers = append(tiers, components.Option{Value: l.Key + "/" + tr.Key, Label: l.Name.In(lang) + " · " + tr.Name.In(lang) + " +"})
		}
	}
	lines := []components.Option{{Value: "", Label: t("taskform.no_budget_line")}}
	open, err := s.Budget.OpenLines(q.ctx, sc)
	if err != nil {
		return nil, err
	}
	for _, l := range open {
		lines = append(lines, components.Option{Value: l.PublicID, Label: l.PlanName + " · " + l.Name + " · " + i18n.Money(lang, sc.Program.Currency, l.Available)})
	}
	day := func(at time.Time) string { return dayInput(at, sc.Program.Location()) }
	n := func(i int) string {
		if i == 0 {
			return ""
		}
		return strconv.Itoa(i)
	}
	money := yuanInput(in.Reward.Money)
	disclosure := ""
	if in.Brief.DisclosureRequired {
		disclosure = "1"
	}
	tier := ""
	if in.Eligibility.Ladder != "" {
		tier = in.Eligibility.Ladder + "/" + in.Eligibility.MinTier
	}
	every, count := "", ""
	if in.Recurrence != nil {
		every, count = n(in.Recurrence.IntervalDays), n(in.Recurrence.Count)
	}
	fs := []components.Field{
		{Name: "title", Label: t("taskform.title"), Value: in.Title},
		{Name: "kind", Label: t("taskform.kind"), Kind: "select", Value: string(in.Kind), Options: q.options("kind", fault.Names(task.Kinds))},
		{Name: "mode", Label: t("taskform.mode"), Kind: "select", Value: string(in.Mode), Options: q.options("mode", fault.Names(task.Modes))},
		{Name: "capacity", Label: t("taskform.capacity"), Kind: "number", Value: n(in.Capacity)},
		{Name: "reward.points", Label: t("taskform.points"), Kind: "number", Value: strconv.FormatInt(in.Reward.Points, 10)},
		{Name: "reward.money", Label: t("taskform.money"), Value: money, Help: t("taskform.money_help")},
		{Name: "budget_line", Label: t("taskform.budget_line"), Kind: "select", Value: in.BudgetLine, Options: lines, Help: t("taskform.budget_line_help")},
		{Name: "brief.description", Label: t("taskform.description"), Kind: "textarea", Rows: 4, Value: in.Brief.Description},
		{Name: "brief.key_messages", Label: t("brief.key_messages"), Kind: "textarea", Rows: 3, Value: strings.Join(in.Brief.KeyMessages, "\n"), Help: t("taskform.one_per_line")},
		{Name: "brief.hashtags", Label: t("brief.hashtags"), Value: strings.Join(in.Brief.Hashtags, " "), Help: t("taskform.spaces")},
		{Name: "brief.platforms", Label: t("brief.platforms"), Kind: "checks", Values: in.Brief.Platforms, Options: q.options("platform", member.Platforms)},
		{Name: "brief.disclosure_required", Label: t("taskform.disclosure"), Kind: "check", Value: disclosure},
		{Name: "brief.references", Label: t("brief.references"), Kind: "textarea", Rows: 2, Value: strings.Join(in.Brief.References, "\n"), Help: t("taskform.one_per_line")},
		{Name: "brief.topic_ideas", Label: t("brief.topic_ideas"), Kind: "textarea", Rows: 2, Value: strings.Join(in.Brief.TopicIdeas, "\n"), Help: t("taskform.one_per_line")},
		{Name: "eligibility.tier", Label: t("taskform.min_tier"), Kind: "select", Value: tier, Options: tiers},
		{Name: "eligibility.roles", Label: t("taskform.roles"), Kind: "checks", Values: in.Eligibility.Roles, Options: q.options("role", fault.Names(member.Roles))},
		{Name: "eligibility.sources", Label: t("taskform.sources"), Kind: "checks", Values: in.Eligibility.Sources, Options: q.options("source", fault.Names(member.Sources))},
		{Name: "eligibility.regions", Label: t("taskform.regions"), Value: strings.Join(in.Eligibility.Regions, " "), Help: t("taskform.spaces")},
		{Name: "eligibility.tags", Label: t("taskform.tags"), Value: strings.Join(in.Eligibility.Tags, " "), Help: t("taskform.spaces")},
		{Name: "claim_deadline", Label: t("taskform.claim_deadline"), Kind: "datetime-local", Value: day(in.ClaimDeadline)},
		{Name: "submit_deadline", Label: t("taskform.submit_deadline"), Kind: "datetime-local", Value: day(in.SubmitDeadline)},
		{Name: "submit_within_hours", Label: t("taskform.within_hours"), Kind: "number", Value: n(in.SubmitWithinHours)},
		{Name: "effort_minutes", Label: t("taskform.effort"), Kind: "number", Value: n(in.EffortMinutes)},
		{Name: "recurrence.interval_days", Label: t("taskform.every_days"), Kind: "number", Value: every},
		{Name: "recurrence.count", Label: t("taskform.count"), Kind: "number", Value: count},
		{Name: "campaign", Label: t("taskform.campaign"), Value: in.Campaign},
	}
	for i := range fs {
		fs[i].Error = errs[fs[i].Name]
	}
	return fs, nil
}

var index = regexp.MustCompile(`\[\d+\]$`)

// fieldErrors files a refusal's field errors under the form's fields
// (brief.hashtags[2] under brief.hashtags; the ladder under its tier) and
// says what else went wrong.
func fieldErrors(lang string, err error, extra fault.Fields) (map[string]string, string) {
	out := map[string]string{}
	general := ""
	fe, ok := fault.As(err)
	var fields []fault.FieldError
	if ok {
		fields = fe.Fields
	}
	if e := extra.Err(); e != nil {
		xe, _ := fault.As(e)
		fields = append(fields, xe.Fields...)
	}
	for _, f := range fields {
		name := index.ReplaceAllString(f.Field, "")
		if name == "eligibility.ladder" || name == "eligibility.min_tier" {
			name = "eligibility.tier"
		}
		if out[name] == "" {
			out[name] = i18n.Field(lang, fault.FieldError{Field: "", Code: f.Code, Params: f.Params, Reason: f.Reason})
		}
	}
	if ok && len(fe.Fields) == 0 {
		general = i18n.Error(lang, err)
	}
	return out, general
}

// newTask is the empty form.
func (s *Server) newTask(q *request, sc program.Scope) error {
	return s.renderTaskForm(q, sc, "", task.Input{Kind: task.Content, Mode: task.Open, Capacity: 10}, nil, "", http.StatusOK)
}

func (s *Server) renderTaskForm(q *request, sc program.Scope, ref string, in task.Input, errs map[string]string, general string, status int) error {
	fs, err := s.taskFields(q, sc, in, errs)
	if err != nil {
		return q.problem(err)
	}
	action := "/p/" + sc.Program.Slug + "/tasks"
	title := components.T(q.ctx, "taskform.new")
	if ref != "" {
		action += "/" + ref
		title = components.T(q.ctx, "taskform.edit")
	}
	return q.render(status, components.TaskForm(q.nav(), title, action, fs, general))
}

// saveTask creates a draft (ref "") or rewrites a task, and shows it.
func (s *Server) saveTask(q *request, sc program.Scope, ref string) error {
	var err error
	in, bad := taskInput(q, sc)
	var t task.Task
	if bad.Err() == nil {
		if ref == "" {
			t, err = s.Tasks.Create(q.ctx, sc, in)
		} else {
			t, err = s.Tasks.Update(q.ctx, sc, ref, in)
		}
	}
	if bad.Err() != nil || err != nil {
		if _, ok := fault.As(err); err != nil && !ok {
			return err
		}
		errs, general := fieldErrors(components.Lang(q.ctx), err, bad)
		status := http.StatusUnprocessableEntity
		if fe, ok := fault.As(err); ok && len(fe.Fields) == 0 {
			status = statusOf(fe)
		}
		return s.renderTaskForm(q, sc, ref, in, errs, general, status)
	}
	return q.redirect("/p/" + sc.Program.Slug + "/tasks/" + t.PublicID)
}

func (s *Server) createTask(q *request, sc program.Scope) error { return s.saveTask(q, sc, "") }

func (s *Server) updateTask(q *request, sc program.Scope) error {
	return s.saveTask(q, sc, q.r.PathValue("task"))
}

// editTask is the form filled with the task as it stands.
func (s *Server) editTask(q *request, sc program.Scope) error {
	t, err := s.Tasks.Get(q.ctx, sc, q.r.PathValue("task"))
	if err != nil {
		return q.problem(err)
	}
	return s.renderTaskForm(q, sc, t.PublicID, t.Input(), nil, "", http.StatusOK)
}
