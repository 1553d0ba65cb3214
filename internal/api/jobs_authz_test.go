package api_test

import (
	"context"

	"kox/internal/job"
)

func init() {
	for id, fx := range map[string]fixture{
		"list-jobs":     func(*env, string) (map[string]string, any) { return nil, nil },
		"list-job-runs": func(*env, string) (map[string]string, any) { return nil, nil },
		"run-job-now": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"job": e.programJob(slug)}, nil
		},
	} {
		fixtures[id] = fx
	}
}

// programJob is a job of the program's own (a program's admins may run it
// now; the installation's jobs are for owners).
func (e *env) programJob(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	name := "test." + slug
	s := &job.Scheduler{DB: e.a.DB}
	if err := s.Register(ctx, job.Job{Name: name, Program: sc.Program.ID, Schedule: "@daily",
		Run: func(context.Context) (job.Result, error) { return job.Result{}, nil }}); err != nil {
		e.t.Fatal(err)
	}
	return name
}
