package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/loan"
	"kox/internal/media"
	"kox/internal/program"
)

// UnitRef names a unit of a program's fleet.
type UnitRef struct {
	ProgramRef
	Unit string `path:"unit" maxLength:"64"`
}

// LoanRef names a loan of a program.
type LoanRef struct {
	ProgramRef
	Loan string `path:"loan" maxLength:"64"`
}

type unitsIn struct {
	ProgramRef
	Status string `query:"status" enum:"available,reserved,on_loan,in_service,retired,overdue," doc:"overdue: units still out after their day."`
	Q      string `query:"q" maxLength:"100" doc:"VIN, plate, model or the member's name."`
}

type unitListOut struct {
	Body struct {
		Items []loan.Unit `json:"items"`
	}
}

type unitIn struct {
	ProgramRef
	Body loan.UnitInput
}

type unitUpdateIn struct {
	UnitRef
	Body loan.UnitInput
}

type unitOut struct{ Body loan.Unit }

type unitStatusIn struct {
	UnitRef
	Body struct {
		Status string `json:"status" enum:"available,in_service,retired"`
	}
}

type unitCostIn struct {
	UnitRef
	Body loan.UnitCostInput
}

type unitCostOut struct{ Body loan.UnitCost }

type unitCostsOut struct {
	Body struct {
		Items []loan.UnitCost `json:"items"`
	}
}

type costReportOut struct{ Body loan.CostReport }

type loansIn struct {
	ProgramRef
	Status string `query:"status" enum:"open,overdue,reserved,on_loan,returned,cancelled,"`
	Unit   string `query:"unit" maxLength:"64"`
	Member string `query:"member" maxLength:"64" doc:"Operators: one member's loans; a member reads their own."`
	From   string `query:"from" maxLength:"10" doc:"Loans due back on or after this day (YYYY-MM-DD)."`
	To     string `query:"to" maxLength:"10" doc:"Loans starting on or before this day."`
}

type loanListOut struct {
	Body struct {
		Items []loan.Loan `json:"items"`
	}
}

type loanIn struct {
	ProgramRef
	Body loan.LoanInput
}

type loanOut struct{ Body loan.Loan }

type signIn struct {
	LoanRef
	Body struct {
		Name string `json:"name" maxLength:"100" doc:"The member's name, typed as they sign."`
	}
}

type loanCheckIn struct {
	LoanRef
	Body loan.LoanCheckInput
}

type loanPhotoIn struct {
	LoanRef
	Stage   string `query:"stage" required:"true" enum:"handover,return"`
	RawBody []byte `contentType:"application/octet-stream" doc:"The photo (JPEG, PNG, WebP or GIF)."`
}

type loanPhotoOut struct{ Body loan.LoanPhoto }

type loanPhotoRef struct {
	LoanRef
	LoanPhoto string `path:"photo" maxLength:"64"`
}

type tickIn struct {
	LoanRef
	Body struct {
		Scenario string `json:"scenario" enum:"commute,shopping,school_run,long_trip"`
		URL      string `json:"url" maxLength:"500" doc:"The post that covers it."`
	}
}

func (s *Server) registerLoans() {
	tags := []string{"loans"}
	fleet := Prefix + "/programs/{program}/units"
	add(s, huma.Operation{OperationID: "list-units", Method: http.MethodGet, Path: fleet, Tags: tags,
		Summary: "The loan fleet, by model and VIN, each with its open loan and its costs"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *unitsIn) (*unitListOut, error) {
			us, err := s.Loans.Units(ctx, sc, loan.UnitFilter{Status: in.Status, Q: in.Q})
			out := &unitListOut{}
			out.Body.Items = us
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-unit", Method: http.MethodPost, Path: fleet, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Add a unit (a car by its VIN, a device by its serial) to the fleet, available"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *unitIn) (*unitOut, error) {
			u, err := s.Loans.CreateUnit(ctx, sc, in.Body)
			return &unitOut{Body: u}, err
		})
	add(s, huma.Operation{OperationID: "get-unit", Method: http.MethodGet, Path: fleet + "/{unit}", Tags: tags, Summary: "A unit of the fleet"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *UnitRef) (*unitOut, error) {
			u, err := s.Loans.Unit(ctx, sc, in.Unit)
			return &unitOut{Body: u}, err
		})
	add(s, huma.Operation{OperationID: "update-unit", Method: http.MethodPut, Path: fleet + "/{unit}", Tags: tags,
		Summary: "Rewrite a unit's particulars (its VIN stays; its mileage never goes back)"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *unitUpdateIn) (*unitOut, error) {
			u, err := s.Loans.UpdateUnit(ctx, sc, in.Unit, in.Body)
			return &unitOut{Body: u}, err
		})
	add(s, huma.Operation{OperationID: "set-unit-status", Method: http.MethodPost, Path: fleet + "/{unit}/status", Tags: tags,
		Summary: "Send a unit to the workshop, retire it, or make it available again (not while it is on a loan)"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *unitStatusIn) (*unitOut, error) {
			u, err := s.Loans.SetStatus(ctx, sc, in.Unit, in.Body.Status)
			return &unitOut{Body: u}, err
		})
	add(s, huma.Operation{OperationID: "list-unit-costs", Method: http.MethodGet, Path: fleet + "/{unit}/costs", Tags: tags,
		Summary: "A unit's costs (depreciation, insurance, maintenance, repairs, opportunity cost)"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *UnitRef) (*unitCostsOut, error) {
			cs, err := s.Loans.Costs(ctx, sc, in.Unit)
			out := &unitCostsOut{}
			out.Body.Items = cs
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-unit-cost", Method: http.MethodPost, Path: fleet + "/{unit}/costs", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Spend one of a unit's costs on a budget line, for one of its loans or the unit: refused whole when the line has not enough left"},
		needs{perm: program.PermBudgetWrite}, func(ctx context.Context, sc program.Scope, in *unitCostIn) (*unitCostOut, error) {
			c, err := s.Loans.AddCost(ctx, sc, in.Unit, in.Body)
			return &unitCostOut{Body: c}, err
		})
	add(s, huma.Operation{OperationID: "fleet-cost-report", Method: http.MethodGet, Path: Prefix + "/programs/{program}/fleet-costs", Tags: tags,
		Summary: "The fleet's costs: per unit by kind, per loan with its content and cost per piece, in all"},
		needs{perm: program.PermBudgetRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*costReportOut, error) {
			r, err := s.Loans.Report(ctx, sc)
			return &costReportOut{Body: r}, err
		})

	loans := Prefix + "/programs/{program}/loans"
	add(s, huma.Operation{OperationID: "list-loans", Method: http.MethodGet, Path: loans, Tags: tags,
		Summary: "Loans, due back soonest first (a member reads their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *loansIn) (*loanListOut, error) {
			ls, err := s.Loans.List(ctx, sc, loan.LoanFilter{Status: in.Status, Unit: in.Unit, Member: in.Member, From: in.From, To: in.To})
			out := &loanListOut{}
			out.Body.Items = ls
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-loan", Method: http.MethodPost, Path: loans, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Agree a loan of an available unit to a member (one loan per unit, however many at once), with its diary assigned"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *loanIn) (*loanOut, error) {
			l, err := s.Loans.Create(ctx, sc, in.Body)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "get-loan", Method: http.MethodGet, Path: loans + "/{loan}", Tags: tags,
		Summary: "A loan with its checklists, photos and scenarios (a member reads their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *LoanRef) (*loanOut, error) {
			l, err := s.Loans.Get(ctx, sc, in.Loan)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "sign-loan", Method: http.MethodPost, Path: loans + "/{loan}/signature", Tags: tags,
		Summary: "The member signs their agreement, typing their name (an operator records one signed on paper)"},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *signIn) (*loanOut, error) {
			l, err := s.Loans.Sign(ctx, sc, in.Loan, in.Body.Name)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "hand-over-loan", Method: http.MethodPost, Path: loans + "/{loan}/handover", Tags: tags,
		Summary: "Hand a signed loan's unit over: mileage and checklist"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *loanCheckIn) (*loanOut, error) {
			l, err := s.Loans.HandOver(ctx, sc, in.Loan, in.Body)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "return-loan", Method: http.MethodPost, Path: loans + "/{loan}/return", Tags: tags,
		Summary: "Take the unit back: mileage and checklist; it goes back to the fleet or to the workshop"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *loanCheckIn) (*loanOut, error) {
			l, err := s.Loans.TakeBack(ctx, sc, in.Loan, in.Body)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "cancel-loan", Method: http.MethodPost, Path: loans + "/{loan}/cancel", Tags: tags,
		Summary: "End a loan before its handover; the unit is available again"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *LoanRef) (*loanOut, error) {
			l, err := s.Loans.Cancel(ctx, sc, in.Loan)
			return &loanOut{Body: l}, err
		})
	add(s, huma.Operation{OperationID: "add-loan-photo", Method: http.MethodPost, Path: loans + "/{loan}/photos", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Keep a photo of the handover or the return", MaxBodyBytes: media.MaxBytes + 1},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *loanPhotoIn) (*loanPhotoOut, error) {
			p, err := s.Loans.AddPhoto(ctx, sc, in.Loan, in.Stage, in.RawBody)
			return &loanPhotoOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "get-loan-photo", Method: http.MethodGet, Path: loans + "/{loan}/photos/{photo}", Tags: tags,
		Summary: "A photo of a handover or a return (a member reads their own loan's)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *loanPhotoRef) (*huma.StreamResponse, error) {
			p, err := s.Loans.Photo(ctx, sc, in.Loan, in.LoanPhoto)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", p.ContentType)
				hc.SetHeader("X-Content-Type-Options", "nosniff")
				hc.SetHeader("Cache-Control", "private, no-store")
				_, _ = hc.BodyWriter().Write(p.Data)
			}}, nil
		})
	add(s, huma.Operation{OperationID: "tick-loan-scenario", Method: http.MethodPost, Path: loans + "/{loan}/scenarios", Tags: tags,
		Summary: "The member ticks a scenario off (commute, shopping, school run, long trip) with the post that covers it"},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *tickIn) (*loanOut, error) {
			l, err := s.Loans.Tick(ctx, sc, in.Loan, in.Body.Scenario, in.Body.URL)
			return &loanOut{Body: l}, err
		})
}
