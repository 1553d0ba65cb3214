package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/budget"
	"kox/internal/program"
	"kox/internal/sheet"
)

type PlanRef struct {
	ProgramRef
	Plan string `path:"plan" maxLength:"64" doc:"The plan's id (bpl_…)."`
}

type planOut struct{ Body budget.Plan }

type plansOut struct {
	Body struct {
		Items []budget.Plan `json:"items"`
	}
}

type createPlanIn struct {
	ProgramRef
	Body budget.PlanInput
}

type addLineIn struct {
	PlanRef
	Body budget.LineInput
}

type LineRef struct {
	ProgramRef
	Line string `path:"line" maxLength:"64" doc:"The line's id (bln_…)."`
}

type lineOut struct{ Body budget.BudgetLine }

type setLineIn struct {
	LineRef
	Body struct {
		Amount int64 `json:"amount" minimum:"0" doc:"The plan, in fen (a draft plan's lines only)."`
	}
}

type linesOut struct {
	Body struct {
		Items []budget.BudgetLine `json:"items"`
	}
}

type RequestRef struct {
	ProgramRef
	Request string `path:"request" maxLength:"64" doc:"The request's id (brq_…)."`
}

type requestOut struct{ Body budget.Request }

type askIn struct {
	ProgramRef
	Body budget.RequestInput
}

type decideIn struct {
	RequestRef
	Body struct {
		Approve bool   `json:"approve"`
		Note    string `json:"note,omitempty" maxLength:"1000"`
	}
}

type requestsIn struct {
	ProgramRef
	Page
	Status string `query:"status" enum:"requested,approved,declined,"`
}

type requestsOut struct {
	Body struct {
		Items      []budget.Request `json:"items"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}
}

type reportIn struct {
	PlanRef
	Format string `query:"format" enum:"json,csv,xlsx" default:"json" doc:"json, or a spreadsheet of the lines by month."`
}

func (s *Server) registerBudget() {
	tags := []string{"budget"}
	path := Prefix + "/programs/{program}/budget"
	add(s, huma.Operation{OperationID: "list-budget-plans", Method: http.MethodGet, Path: path + "/plans", Tags: tags,
		Summary: "Budget plans, newest first, each with its lines and their plan, committed, spent and available"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*plansOut, error) {
			ps, err := s.Budget.Plans(ctx, sc)
			if err != nil {
				return nil, err
			}
			out := &plansOut{}
			out.Body.Items = ps
			return out, nil
		})
	add(s, huma.Operation{OperationID: "create-budget-plan", Method: http.MethodPost, Path: path + "/plans", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Write a draft plan for a year or quarter with its lines in the layers broad, incentive, exclusive and reserve"},
		needs{perm: program.PermBudgetWrite}, func(ctx context.Context, sc program.Scope, in *createPlanIn) (*planOut, error) {
			p, err := s.Budget.CreatePlan(ctx, sc, in.Body)
			return &planOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "get-budget-plan", Method: http.MethodGet, Path: path + "/plans/{plan}", Tags: tags, Summary: "A plan with its lines"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *PlanRef) (*planOut, error) {
			p, err := s.Budget.Plan(ctx, sc, in.Plan)
			return &planOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "approve-budget-plan", Method: http.MethodPost, Path: path + "/plans/{plan}/approve", Tags: tags,
		Summary: "Finance approves a draft plan: each line is funded in the ledger and may be committed and spent"},
		needs{perm: program.PermBudgetApprove, outcome: true}, func(ctx context.Context, sc program.Scope, in *PlanRef) (*planOut, error) {
			p, err := s.Budget.ApprovePlan(ctx, sc, in.Plan)
			return &planOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "close-budget-plan", Method: http.MethodPost, Path: path + "/plans/{plan}/close", Tags: tags,
		Summary: "Finance closes an approved plan: nothing more is committed or spent on it"},
		needs{perm: program.PermBudgetApprove, outcome: true}, func(ctx context.Context, sc program.Scope, in *PlanRef) (*planOut, error) {
			p, err := s.Budget.ClosePlan(ctx, sc, in.Plan)
			return &planOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "add-budget-line", Method: http.MethodPost, Path: path + "/plans/{plan}/lines", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Add a line to a plan (to an approved plan at 0, funded by a move)"},
		needs{perm: program.PermBudgetWrite}, func(ctx context.Context, sc program.Scope, in *addLineIn) (*lineOut, error) {
			l, err := s.Budget.AddLine(ctx, sc, in.Plan, in.Body)
			return &lineOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "list-open-budget-lines", Method: http.MethodGet, Path: path + "/lines", Tags: tags,
		Summary: "The lines of approved plans: what tasks and catalog items may be charged to"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*linesOut, error) {
			ls, err := s.Budget.OpenLines(ctx, sc)
			out := &linesOut{}
			out.Body.Items = ls
			return out, err
		})
	add(s, huma.Operation{OperationID: "set-budget-line", Method: http.MethodPatch, Path: path + "/lines/{line}", Tags: tags,
		Summary: "Change a draft plan's line"},
		needs{perm: program.PermBudgetWrite}, func(ctx context.Context, sc program.Scope, in *setLineIn) (*lineOut, error) {
			l, err := s.Budget.SetLineAmount(ctx, sc, in.Line, in.Body.Amount)
			return &lineOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "list-budget-requests", Method: http.MethodGet, Path: path + "/requests", Tags: tags,
		Summary: "Moves between lines and requests on the reserve, newest first, with the time finance took to decide"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *requestsIn) (*requestsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			rs, next, err := s.Budget.Requests(ctx, sc, budget.RequestStatus(in.Status), before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &requestsOut{}
			out.Body.Items = rs
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "create-budget-request", Method: http.MethodPost, Path: path + "/requests", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Ask finance to move money between lines, or to use the strategic reserve (a post gone viral, members' own event); the amount is held until decided"},
		needs{perm: program.PermBudgetWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *askIn) (*requestOut, error) {
			r, err := s.Budget.Ask(ctx, sc, in.Body)
			return &requestOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "decide-budget-request", Method: http.MethodPost, Path: path + "/requests/{request}/decision", Tags: tags,
		Summary: "Finance approves (the money moves) or declines (it goes back)"},
		needs{perm: program.PermBudgetApprove, outcome: true}, func(ctx context.Context, sc program.Scope, in *decideIn) (*requestOut, error) {
			r, err := s.Budget.Decide(ctx, sc, in.Request, in.Body.Approve, in.Body.Note)
			return &requestOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "budget-report", Method: http.MethodGet, Path: path + "/plans/{plan}/report", Tags: tags,
		Summary: "Plan vs committed vs spent by layer, line and month, the burn curve, the period-end forecast and the cost per member of each layer; as JSON, CSV or XLSX"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *reportIn) (*huma.StreamResponse, error) {
			r, err := s.Budget.Report(ctx, sc, in.Plan)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				if in.Format == "" || in.Format == "json" {
					hc.SetHeader("Content-Type", "application/json")
					_ = json.NewEncoder(hc.BodyWriter()).Encode(r)
					return
				}
				format := sheet.Format(in.Format)
				hc.SetHeader("Content-Type", format.ContentType())
				hc.SetHeader("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-budget-`+r.Plan.Code+`.`+in.Format+`"`)
				if err := budget.WriteReport(hc.BodyWriter(), format, r); err != nil {
					s.Log.ErrorContext(ctx, "api: budget report", "err", err)
				}
			}}, nil
		})
}
