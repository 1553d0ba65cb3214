package web

import (
	"net/http"
	"sort"

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
	// What each entry rule would make of today's members.
	if f, err := programfile.Parse([]byte(v.Text)); err == nil {
		counts, err := s.Promotion.Preview(q.ctx, sc, f.Ladders)
		if err != nil {
			return q.problem(err)
		}
		keys := make([]string, 0, len(counts))
		for k := range counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.Candidates = append(v.Candidates, fault.Render(components.T(q.ctx, "pf.candidates"), fault.P{"tier": k, "count": counts[k]}))
		}
	}
	return q.render(http.StatusOK, components.ProgramFilePage(q.nav(), v))
}
