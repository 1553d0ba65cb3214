package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
	"kox/internal/programfile"
)

type applyFileIn struct {
	ProgramRef
	DryRun  bool   `query:"dry_run" doc:"Say what would change, and change nothing."`
	RawBody []byte `contentType:"application/yaml" doc:"The program file (YAML), as kox program export writes it."`
}

type applyFileOut struct {
	Body struct {
		Changes []string `json:"changes"`
		Applied bool     `json:"applied"`
	}
}

func (s *Server) registerProgramFile() {
	path := Prefix + "/programs/{program}/file"
	tags := []string{"programs"}
	add(s, huma.Operation{OperationID: "get-program-file", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program as its file (YAML): the program, its ladders and task templates"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, _ *ProgramRef) (*huma.StreamResponse, error) {
			f, err := programfile.Export(ctx, s.DB, sc.Program.Slug)
			if err != nil {
				return nil, err
			}
			b, err := programfile.Marshal(f)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", "application/yaml; charset=utf-8")
				_, _ = hc.BodyWriter().Write(b)
			}}, nil
		})
	add(s, huma.Operation{OperationID: "apply-program-file", Method: http.MethodPut, Path: path, Tags: tags,
		Summary: "Apply the program's file; with dry_run, only say what would change (the console's preview)"},
		needs{perm: program.PermLaddersWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *applyFileIn) (*applyFileOut, error) {
			res, err := programfile.ApplyIn(ctx, s.DB, sc, in.RawBody, in.DryRun)
			if err != nil {
				return nil, err
			}
			out := &applyFileOut{}
			out.Body.Changes, out.Body.Applied = res.Changes, !in.DryRun
			if out.Body.Changes == nil {
				out.Body.Changes = []string{}
			}
			return out, nil
		})
}
