package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/dashboard"
	"kox/internal/program"
)

type overviewOut struct {
	Body dashboard.Overview
}

func (s *Server) registerOverview() {
	add(s, huma.Operation{OperationID: "program-overview", Method: http.MethodGet, Path: Prefix + "/programs/{program}/overview",
		Tags: []string{"programs"}, Summary: "A program at a glance: members per tier, by source and domain, the task funnel, the review queue, the last changes"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, _ *ProgramRef) (*overviewOut, error) {
			o, err := s.Dashboard.Overview(ctx, sc)
			if err != nil {
				return nil, err
			}
			return &overviewOut{Body: o}, nil
		})
}
