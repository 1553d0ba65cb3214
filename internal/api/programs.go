package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
)

// ProgramOut is a program as the API shows it.
type ProgramOut struct {
	ID          string    `json:"id" example:"prg_0123456789abcdef"`
	Slug        string    `json:"slug" example:"qicheng-koc"`
	Name        string    `json:"name"`
	Currency    string    `json:"currency" example:"CNY"`
	TimeZone    string    `json:"time_zone" example:"Asia/Shanghai"`
	Locale      string    `json:"locale" enum:"zh-CN,en"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func programOut(p program.Program) ProgramOut {
	return ProgramOut{ID: p.PublicID, Slug: p.Slug, Name: p.Name, Currency: p.Currency, TimeZone: p.TimeZone,
		Locale: p.Locale, Description: p.Description, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type programBody struct {
	Body ProgramOut
}

type ProgramRef struct {
	Program string `path:"program" maxLength:"64" doc:"The program's id (prg_…) or slug."`
}

type createProgramIn struct {
	Body struct {
		Slug        string `json:"slug" minLength:"2" maxLength:"63" pattern:"^[a-z0-9][a-z0-9-]*$"`
		Name        string `json:"name" minLength:"1" maxLength:"120"`
		Currency    string `json:"currency,omitempty" pattern:"^[A-Z]{3}$" doc:"ISO 4217; default CNY."`
		TimeZone    string `json:"time_zone,omitempty" maxLength:"64" doc:"IANA zone; default Asia/Shanghai."`
		Locale      string `json:"locale,omitempty" enum:"zh-CN,en" doc:"Default zh-CN."`
		Description string `json:"description,omitempty" maxLength:"2000"`
	}
}

type updateProgramIn struct {
	ProgramRef
	Body struct {
		Name        *string `json:"name,omitempty" minLength:"1" maxLength:"120"`
		Currency    *string `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
		TimeZone    *string `json:"time_zone,omitempty" maxLength:"64"`
		Locale      *string `json:"locale,omitempty" enum:"zh-CN,en"`
		Description *string `json:"description,omitempty" maxLength:"2000"`
	}
}

type programsOut struct {
	Body struct {
		Items      []ProgramOut `json:"items"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}
}

type listProgramsIn struct {
	Page
}

func (s *Server) registerPrograms() {
	add(s, huma.Operation{OperationID: "list-programs", Method: http.MethodGet, Path: Prefix + "/programs", Tags: []string{"programs"},
		Summary: "List the programs you take part in"},
		needs{}, func(ctx context.Context, _ program.Scope, in *listProgramsIn) (*programsOut, error) {
			ps, err := s.Programs.List(ctx)
			if err != nil {
				return nil, err
			}
			items := make([]ProgramOut, 0, len(ps))
			for _, p := range ps {
				items = append(items, programOut(p))
			}
			out := &programsOut{}
			out.Body.Items, out.Body.NextCursor, err = pageOf(items, in.Page)
			return out, err
		})

	add(s, huma.Operation{OperationID: "create-program", Method: http.MethodPost, Path: Prefix + "/programs", Tags: []string{"programs"},
		Summary: "Create a program (owners only); you become its admin", DefaultStatus: http.StatusCreated,
		Extensions: map[string]any{"x-owner-only": true}},
		needs{}, func(ctx context.Context, _ program.Scope, in *createProgramIn) (*programBody, error) {
			b := in.Body
			p, err := s.Programs.Create(ctx, program.Program{Slug: b.Slug, Name: b.Name, Currency: b.Currency, TimeZone: b.TimeZone,
				Locale: b.Locale, Description: b.Description})
			if err != nil {
				return nil, err
			}
			return &programBody{Body: programOut(p)}, nil
		})

	add(s, huma.Operation{OperationID: "get-program", Method: http.MethodGet, Path: Prefix + "/programs/{program}", Tags: []string{"programs"},
		Summary: "Get a program"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*programBody, error) {
			return &programBody{Body: programOut(sc.Program)}, nil
		})

	add(s, huma.Operation{OperationID: "update-program", Method: http.MethodPatch, Path: Prefix + "/programs/{program}", Tags: []string{"programs"},
		Summary: "Change a program's settings"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *updateProgramIn) (*programBody, error) {
			b := in.Body
			p, err := s.Programs.Update(ctx, sc, program.Patch{Name: b.Name, Currency: b.Currency, TimeZone: b.TimeZone,
				Locale: b.Locale, Description: b.Description})
			if err != nil {
				return nil, err
			}
			return &programBody{Body: programOut(p)}, nil
		})
}
