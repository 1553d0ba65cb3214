package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/fault"
	"kox/internal/program"
)

// OperatorOut is an operator as the API shows it.
type OperatorOut struct {
	ID        string    `json:"id" example:"op_0123456789abcdef"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Owner     bool      `json:"owner" doc:"Administers the installation: may create programs."`
	Locale    string    `json:"locale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func operatorOut(o program.Operator) OperatorOut {
	return OperatorOut{ID: o.PublicID, Email: o.Email, Name: o.Name, Owner: o.Owner, Locale: o.Locale, CreatedAt: o.CreatedAt}
}

type loginIn struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"The operator's email."`
		Password string `json:"password" maxLength:"200"`
	}
}

type loginOut struct {
	SetCookie string `header:"Set-Cookie"`
	Body      struct {
		Token     string      `json:"token" doc:"Send as Authorization: Bearer <token>. Shown once."`
		ExpiresAt time.Time   `json:"expires_at"`
		Operator  OperatorOut `json:"operator"`
	}
}

type meOut struct {
	Body struct {
		Kind     string       `json:"kind" enum:"operator,member,api_key"`
		ID       string       `json:"id"`
		Name     string       `json:"name"`
		Operator *OperatorOut `json:"operator,omitempty"`
		Programs []ProgramOut `json:"programs"`
	}
}

func (s *Server) registerAuth() {
	add(s, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: Prefix + "/auth/login", Tags: []string{"auth"},
		Summary: "Sign in as an operator", Extensions: map[string]any{"x-public": true},
		Description: "Returns a session token and sets it as a cookie. Five wrong passwords in a row lock the operator out for 15 minutes."},
		"", func(ctx context.Context, in *loginIn) (*loginOut, error) {
			var f fault.Fields
			if in.Body.Email == "" {
				f.Add("email", "is required")
			}
			if in.Body.Password == "" {
				f.Add("password", "is required")
			}
			if err := f.Err(); err != nil {
				return nil, err
			}
			o, err := s.Programs.Authenticate(ctx, in.Body.Email, in.Body.Password)
			if err != nil {
				return nil, err
			}
			token, expires, err := s.Programs.StartSession(ctx, program.ActorOperator, o.ID, 0, program.Actor{PublicID: o.PublicID, Name: o.Name})
			if err != nil {
				return nil, err
			}
			out := &loginOut{}
			out.Body.Token, out.Body.ExpiresAt, out.Body.Operator = token, expires, operatorOut(o)
			out.SetCookie = (&http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires, HttpOnly: true,
				SameSite: http.SameSiteLaxMode}).String()
			return out, nil
		})

	add(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: Prefix + "/auth/logout", Tags: []string{"auth"},
		Summary: "Sign out", DefaultStatus: http.StatusNoContent},
		"", func(ctx context.Context, in *struct {
			Authorization string `header:"Authorization"`
			Cookie        string `header:"Cookie"`
		}) (*struct{}, error) {
			t := token(func(name string) string {
				if name == "Authorization" {
					return in.Authorization
				}
				return in.Cookie
			})
			if a, _ := program.ActorFrom(ctx); a.Kind == program.ActorAPIKey {
				return nil, fault.New(fault.Invalid, "an API key cannot sign out: revoke it instead")
			}
			return &struct{}{}, s.Programs.EndSession(ctx, t)
		})

	add(s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: Prefix + "/me", Tags: []string{"auth"},
		Summary: "Who am I, and which programs can I see"},
		"", func(ctx context.Context, _ *struct{}) (*meOut, error) {
			a, _ := program.ActorFrom(ctx)
			out := &meOut{}
			out.Body.Kind, out.Body.ID, out.Body.Name = string(a.Kind), a.PublicID, a.Name
			if a.Kind == program.ActorOperator {
				o, err := s.Programs.OperatorByID(ctx, a.ID)
				if err != nil {
					return nil, err
				}
				oo := operatorOut(o)
				out.Body.Operator = &oo
			}
			ps, err := s.Programs.List(ctx)
			if err != nil {
				return nil, err
			}
			out.Body.Programs = make([]ProgramOut, 0, len(ps))
			for _, p := range ps {
				out.Body.Programs = append(out.Body.Programs, programOut(p))
			}
			return out, nil
		})
}
