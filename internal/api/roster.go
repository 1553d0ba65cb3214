package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
	"kox/internal/roster"
)

type exportIn struct {
	ProgramRef
	Format string `query:"format" enum:"csv,xlsx" default:"csv" doc:"csv (UTF-8 with a BOM) or xlsx."`
	MemberQuery
}

type stageIn struct {
	ProgramRef
	Format   string `query:"format" enum:"csv,xlsx" required:"true" doc:"The file's kind: csv (UTF-8 or GB18030) or xlsx."`
	Filename string `query:"filename" maxLength:"200"`
	RawBody  []byte `contentType:"application/octet-stream" doc:"The file, as it is."`
}

type importRef struct {
	ProgramRef
	Import string `path:"import" maxLength:"64"`
}

type importOut struct {
	Body roster.Import
}

func (s *Server) registerRoster() {
	tags := []string{"members"}
	add(s, huma.Operation{OperationID: "export-members", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/export", Tags: tags,
		Summary: "Export the members the filters select, every page, as CSV or XLSX (cells that would be formulas are written as text)"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *exportIn) (*huma.StreamResponse, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			format := roster.Format(in.Format)
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				ct := "text/csv; charset=utf-8"
				if format == roster.XLSX {
					ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
				}
				hc.SetHeader("Content-Type", ct)
				hc.SetHeader("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-members.`+string(format)+`"`)
				if err := s.Roster.Export(ctx, sc, f, format, hc.BodyWriter()); err != nil {
					s.Log.ErrorContext(ctx, "api: export members", "err", err)
				}
			}}, nil
		})

	add(s, huma.Operation{OperationID: "stage-member-import", Method: http.MethodPost, Path: Prefix + "/programs/{program}/member-imports", Tags: tags,
		Summary:       "Upload a member file (CSV or XLSX): every row checked, the errors named by row and column; nothing written until applied",
		DefaultStatus: http.StatusCreated, MaxBodyBytes: roster.MaxBytes + 1},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *stageIn) (*importOut, error) {
			imp, err := s.Roster.Stage(ctx, sc, in.Filename, roster.Format(in.Format), in.RawBody)
			if err != nil {
				return nil, err
			}
			return &importOut{Body: imp}, nil
		})

	add(s, huma.Operation{OperationID: "get-member-import", Method: http.MethodGet, Path: Prefix + "/programs/{program}/member-imports/{import}", Tags: tags,
		Summary: "A staged member import with its errors"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *importRef) (*importOut, error) {
			imp, err := s.Roster.Get(ctx, sc, in.Import)
			if err != nil {
				return nil, err
			}
			return &importOut{Body: imp}, nil
		})

	add(s, huma.Operation{OperationID: "apply-member-import", Method: http.MethodPost, Path: Prefix + "/programs/{program}/member-imports/{import}/apply", Tags: tags,
		Summary: "Write a staged import's members: all of them in one transaction, and only a file without errors"},
		needs{perm: program.PermMembersWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *importRef) (*importOut, error) {
			imp, err := s.Roster.Apply(ctx, sc, in.Import)
			if err != nil {
				return nil, err
			}
			return &importOut{Body: imp}, nil
		})
}
