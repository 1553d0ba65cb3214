package web

import (
	"net/http"

	"kox/internal/program"
	"kox/internal/web/components"
)

// home is the console's first page: the programs the operator works on.
func (s *Server) home(q *request) error {
	if !q.signedIn || q.actor.Kind != program.ActorOperator {
		return q.redirect("/signin")
	}
	ps, err := s.Programs.List(q.ctx)
	if err != nil {
		return err
	}
	links := make([]components.ProgramLink, len(ps))
	for i, p := range ps {
		links[i] = components.ProgramLink{Slug: p.Slug, Name: p.Name}
	}
	return q.render(http.StatusOK, components.Home(q.nav(), links))
}
