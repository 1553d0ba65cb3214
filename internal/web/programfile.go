package web

import (
	"net/http"

	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/programfile"
	"kox/internal/web/components"
)

// editProgramFile is the program file in an editor: change ladders and
// task templates as YAML, preview what would change, then apply.
func (s *Server) editProgramFile(q *request, sc program.Scope) error {
	f, err := programfile.Export(q.ctx, s.Programs.DB, sc.Program.Slug)
	if err != nil {
		return q.problem(err)
	}
	b, err := programfile.Marshal(f)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, components.ProgramFilePage(q.nav(), components.ProgramFileView{Action: q.r.URL.Path, Text: string(b)}))
}

// saveProgramFile previews (action=preview) or applies the edited file.
func (s *Server) saveProgramFile(q *request, sc program.Scope) error {
	v := components.ProgramFileView{Action: q.r.URL.Path, Text: q.r.PostFormValue("file")}
	preview := q.r.PostFormValue("action") != "apply"
	res, err := programfile.ApplyIn(q.ctx, s.Programs.DB, sc, []byte(v.Text), preview)
	if err != nil {
		fe, ok := fault.As(err)
		if !ok {
			return err
		}
		v.Error = q.refusal(err)
		return q.render(statusOf(fe), components.ProgramFilePage(q.nav(), v))
	}
	if !preview {
		return q.redirect("/p/" + sc.Program.Slug + "/ladders?done=saved")
	}
	v.Previewed, v.Changes = true, res.Changes
	return q.render(http.StatusOK, components.ProgramFilePage(q.nav(), v))
}
