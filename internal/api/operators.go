package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
)

// MemberOfTeam is an operator with their role in a program.
type MemberOfTeam struct {
	Operator OperatorOut `json:"operator"`
	Role     string      `json:"role" enum:"admin,operator,reviewer,finance,viewer"`
	Since    time.Time   `json:"since"`
}

type teamOut struct {
	Body struct {
		Items      []MemberOfTeam `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}
}

type listTeamIn struct {
	ProgramRef
	Page
	Role string `query:"role" enum:"admin,operator,reviewer,finance,viewer"`
}

type addOperatorIn struct {
	ProgramRef
	Body struct {
		Email    string `json:"email" maxLength:"254"`
		Role     string `json:"role" enum:"admin,operator,reviewer,finance,viewer"`
		Name     string `json:"name,omitempty" maxLength:"100" doc:"Needed when the email is new."`
		Password string `json:"password,omitempty" maxLength:"200" doc:"Needed when the email is new; at least 10 characters."`
		Locale   string `json:"locale,omitempty" enum:"zh-CN,en"`
	}
}

type teamMemberOut struct {
	Body MemberOfTeam
}

type OperatorRef struct {
	ProgramRef
	Operator string `path:"operator" maxLength:"64" doc:"The operator's id (op_…)."`
}

type setRoleIn struct {
	OperatorRef
	Body struct {
		Role string `json:"role" enum:"admin,operator,reviewer,finance,viewer"`
	}
}

func (s *Server) registerOperators() {
	add(s, huma.Operation{OperationID: "list-operators", Method: http.MethodGet, Path: Prefix + "/programs/{program}/operators",
		Tags: []string{"operators"}, Summary: "List the program's team"},
		needs{perm: program.PermOperatorsRead}, func(ctx context.Context, sc program.Scope, in *listTeamIn) (*teamOut, error) {
			w, err := in.window()
			if err != nil {
				return nil, err
			}
			team, next, err := s.Programs.Team(ctx, sc, program.Role(in.Role), w)
			if err != nil {
				return nil, err
			}
			out := &teamOut{}
			out.Body.Items = make([]MemberOfTeam, 0, len(team))
			for _, m := range team {
				out.Body.Items = append(out.Body.Items, MemberOfTeam{Operator: operatorOut(m.Operator), Role: string(m.Role), Since: m.Since})
			}
			out.Body.NextCursor = encodeCursor(int64(next))
			return out, nil
		})

	add(s, huma.Operation{OperationID: "add-operator", Method: http.MethodPost, Path: Prefix + "/programs/{program}/operators",
		Tags: []string{"operators"}, Summary: "Add an operator to the team (creating the account when the email is new)",
		DefaultStatus: http.StatusCreated},
		needs{perm: program.PermOperatorsManage}, func(ctx context.Context, sc program.Scope, in *addOperatorIn) (*teamMemberOut, error) {
			b := in.Body
			o, err := s.Programs.AddToTeam(ctx, sc, program.NewOperator{Email: b.Email, Name: b.Name, Password: b.Password, Locale: b.Locale},
				program.Role(b.Role))
			if err != nil {
				return nil, err
			}
			return &teamMemberOut{Body: MemberOfTeam{Operator: operatorOut(o), Role: b.Role, Since: time.Now().UTC()}}, nil
		})

	add(s, huma.Operation{OperationID: "set-operator-role", Method: http.MethodPut, Path: Prefix + "/programs/{program}/operators/{operator}",
		Tags: []string{"operators"}, Summary: "Change an operator's role in the program", DefaultStatus: http.StatusNoContent},
		needs{perm: program.PermOperatorsManage}, func(ctx context.Context, sc program.Scope, in *setRoleIn) (*struct{}, error) {
			return &struct{}{}, s.Programs.SetRole(ctx, sc, in.Operator, program.Role(in.Body.Role))
		})

	add(s, huma.Operation{OperationID: "remove-operator", Method: http.MethodDelete, Path: Prefix + "/programs/{program}/operators/{operator}",
		Tags: []string{"operators"}, Summary: "Take an operator off the team", DefaultStatus: http.StatusNoContent},
		needs{perm: program.PermOperatorsManage}, func(ctx context.Context, sc program.Scope, in *OperatorRef) (*struct{}, error) {
			return &struct{}{}, s.Programs.RemoveFromTeam(ctx, sc, in.Operator)
		})
}
