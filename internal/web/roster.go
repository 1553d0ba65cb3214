package web

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/roster"
	"kox/internal/web/components"
)

// Members in and out as spreadsheets: the table as filtered, exported; a
// file staged with its errors; applied on the operator's word.

// memberFilter is the member table's filter from the page's query.
func memberFilter(q *request) (member.Filter, error) {
	v := q.r.URL.Query()
	f := member.Filter{Query: v.Get("q"), Role: member.Role(v.Get("role")), Status: member.Status(v.Get("status")),
		Source: member.Source(v.Get("source")), Domain: member.Domain(v.Get("domain")), City: v.Get("city"), Tag: v.Get("tag"),
		Region: v.Get("region"), Sort: member.Sort(v.Get("sort")), Limit: 50}
	if t := strings.TrimSpace(v.Get("tier")); t != "" {
		c, err := ladder.OnTier(t)
		if err != nil {
			return f, err
		}
		f.Where = append(f.Where, c)
	}
	return f, nil
}

// exportMembers sends the filtered table as CSV or XLSX.
func (s *Server) exportMembers(q *request, sc program.Scope) error {
	f, err := memberFilter(q)
	if err != nil {
		return q.problem(err)
	}
	format := roster.Format(q.r.URL.Query().Get("format"))
	types := map[roster.Format]string{roster.CSV: "text/csv; charset=utf-8",
		roster.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	ct, ok := types[format]
	if !ok {
		format, ct = roster.CSV, types[roster.CSV]
	}
	h := q.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-members.`+string(format)+`"`)
	return s.Roster.Export(q.ctx, sc, f, format, q.w)
}

// importForm is the upload form.
func (s *Server) importForm(q *request, sc program.Scope) error {
	return q.render(http.StatusOK, components.ImportPage(q.nav(), components.ImportView{Action: "/p/" + sc.Program.Slug + "/members/import"}))
}

// stageImport reads the uploaded file and shows what it holds and what is
// wrong with it.
func (s *Server) stageImport(q *request, sc program.Scope) error {
	view := components.ImportView{Action: "/p/" + sc.Program.Slug + "/members/import"}
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, roster.MaxBytes+1<<20)
	file, hdr, err := q.r.FormFile("file")
	if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
		view.Error = q.refusal(roster.TooBig())
		return q.render(http.StatusRequestEntityTooLarge, components.ImportPage(q.nav(), view))
	}
	if err != nil {
		view.Error = components.T(q.ctx, "import.choose_file")
		return q.render(http.StatusUnprocessableEntity, components.ImportPage(q.nav(), view))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, roster.MaxBytes+1))
	if err != nil {
		return err
	}
	format := roster.CSV
	if strings.EqualFold(filepath.Ext(hdr.Filename), ".xlsx") {
		format = roster.XLSX
	}
	imp, err := s.Roster.Stage(q.ctx, sc, hdr.Filename, format, data)
	if err != nil {
		if _, ok := fault.As(err); !ok {
			return err
		}
		view.Error = q.refusal(err)
		return q.render(http.StatusUnprocessableEntity, components.ImportPage(q.nav(), view))
	}
	return q.redirect("/p/" + sc.Program.Slug + "/member-imports/" + imp.ID)
}

// importPage is a staged import: its errors, row by row, or its members
// and the button that writes them.
func (s *Server) importPage(q *request, sc program.Scope) error {
	imp, err := s.Roster.Get(q.ctx, sc, q.r.PathValue("import"))
	if err != nil {
		return q.problem(err)
	}
	return s.renderImport(q, sc, imp, "", http.StatusOK)
}

func (s *Server) renderImport(q *request, sc program.Scope, imp roster.Import, errText string, status int) error {
	lang := components.Lang(q.ctx)
	t := func(k string) string { return components.T(q.ctx, k) }
	v := components.ImportView{Action: "/p/" + sc.Program.Slug + "/members/import", Staged: true, Filename: imp.Filename,
		Rows: i18n.Number(lang, int64(imp.Rows)), ErrorCount: i18n.Number(lang, int64(len(imp.Errors))), Ready: imp.Ready(),
		Applied: imp.Status == "applied", Apply: "/p/" + sc.Program.Slug + "/member-imports/" + imp.ID + "/apply", Error: errText}
	v.Errors = components.Table{Head: []string{t("import.row"), t("import.column"), t("import.reason")}}
	for _, e := range imp.Errors[:min(len(imp.Errors), 500)] {
		v.Errors.Rows = append(v.Errors.Rows, []string{i18n.Number(lang, int64(e.Row)), e.Column,
			i18n.Field(lang, fault.FieldError{Code: e.Code, Reason: e.Reason, Params: e.Params})})
	}
	v.Sample = components.Table{Head: []string{t("members.name"), t("member.phone"), t("members.role"), t("members.city")}}
	for _, m := range imp.Sample {
		v.Sample.Rows = append(v.Sample.Rows, []string{m.Name, m.Phone, t("role." + string(m.Role)), m.City})
	}
	return q.render(status, components.ImportPage(q.nav(), v))
}

// applyImport writes a staged import's members, all or none.
func (s *Server) applyImport(q *request, sc program.Scope) error {
	imp, err := s.Roster.Apply(q.ctx, sc, q.r.PathValue("import"))
	if err != nil {
		fe, ok := fault.As(err)
		if !ok || fe.Kind == fault.NotFound {
			return q.problem(err)
		}
		cur, gerr := s.Roster.Get(q.ctx, sc, q.r.PathValue("import"))
		if gerr != nil {
			return q.problem(gerr)
		}
		return s.renderImport(q, sc, cur, q.refusal(err), statusOf(fe))
	}
	_ = imp
	return q.redirect("/p/" + sc.Program.Slug + "/members?done=imported")
}
