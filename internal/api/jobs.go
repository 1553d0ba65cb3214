package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/job"
	"kox/internal/program"
)

type jobsOut struct {
	Body struct {
		Items []job.State `json:"items"`
	}
}

type jobRunsIn struct {
	ProgramRef
	Page
	Job string `query:"job" maxLength:"100"`
}

type jobRunsOut struct {
	Body struct {
		Items      []job.Run `json:"items"`
		NextCursor string    `json:"next_cursor,omitempty"`
	}
}

type jobRef struct {
	ProgramRef
	Job string `path:"job" maxLength:"100"`
}

type jobOut struct{ Body job.State }

func (s *Server) registerJobs() {
	tags := []string{"jobs"}
	path := Prefix + "/programs/{program}/jobs"
	add(s, huma.Operation{OperationID: "list-jobs", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The scheduled jobs (the installation's and the program's): schedule, next run, whether one runs now, the last outcome"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*jobsOut, error) {
			js, err := s.Jobs.List(ctx, sc)
			out := &jobsOut{}
			out.Body.Items = js
			return out, err
		})
	add(s, huma.Operation{OperationID: "list-job-runs", Method: http.MethodGet, Path: path + "/runs", Tags: tags,
		Summary: "Every run, newest first: when it was due, who ran it, its outcome and what it changed"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *jobRunsIn) (*jobRunsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			rs, next, err := s.Jobs.Runs(ctx, sc, in.Job, before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &jobRunsOut{}
			out.Body.Items = rs
			if out.Body.Items == nil {
				out.Body.Items = []job.Run{}
			}
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "run-job-now", Method: http.MethodPost, Path: path + "/{job}/run", Tags: tags,
		Summary: "Make a job due at once: whichever instance takes it next runs it (an installation's job: owners only)"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *jobRef) (*jobOut, error) {
			st, err := s.Jobs.RunNow(ctx, sc, in.Job)
			return &jobOut{Body: st}, err
		})
}
