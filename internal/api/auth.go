package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/access"
	"kox/internal/middleware"
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

// client is what a sign-in is throttled by: the caller's address, and
// whether the connection is secure (for the cookie).
type Client struct {
	RemoteAddr string `header:"X-Kox-Remote-Addr" hidden:"true"` // middleware.HeaderRemoteAddr
	Secure     bool   `header:"X-Kox-Secure" hidden:"true"`      // middleware.HeaderSecure
}

type loginIn struct {
	Client
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

type logoutIn struct {
	Client
	Authorization string `header:"Authorization"`
	Cookie        string `cookie:"kox_session"` // middleware.SessionCookie
}

type logoutOut struct {
	SetCookie string `header:"Set-Cookie"`
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

type memberLoginIn struct {
	Client
	Body struct {
		Code string `json:"code" minLength:"1" maxLength:"20"`
	}
}

type memberLoginOut struct {
	SetCookie string `header:"Set-Cookie"`
	Body      struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Member    MemberOut `json:"member"`
	}
}

// sessionCookie keeps a session in a browser.
func sessionCookie(c Client, s access.Session) string {
	return middleware.SessionCookieFor(s.Token, s.ExpiresAt, c.Secure).String()
}

func (s *Server) registerAuth() {
	add(s, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: Prefix + "/auth/login", Tags: []string{"auth"},
		Summary: "Sign in as an operator", Extensions: map[string]any{"x-public": true},
		Description: "Returns a session token and sets it as a cookie. Five wrong passwords in a row lock the operator out for 15 minutes; " +
			"too many attempts from one address answer 429."},
		needs{}, func(ctx context.Context, _ program.Scope, in *loginIn) (*loginOut, error) {
			o, sess, err := s.Gate.SignIn(ctx, in.Body.Email, in.Body.Password, in.RemoteAddr)
			if err != nil {
				return nil, err
			}
			out := &loginOut{SetCookie: sessionCookie(in.Client, sess)}
			out.Body.Token, out.Body.ExpiresAt, out.Body.Operator = sess.Token, sess.ExpiresAt, operatorOut(o)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: Prefix + "/auth/logout", Tags: []string{"auth"},
		Summary: "Sign out: the session ends and its cookie is cleared", DefaultStatus: http.StatusNoContent},
		needs{}, func(ctx context.Context, _ program.Scope, in *logoutIn) (*logoutOut, error) {
			if err := s.Gate.SignOut(ctx, access.Token(in.Authorization, in.Cookie)); err != nil {
				return nil, err
			}
			return &logoutOut{SetCookie: middleware.SessionCookieFor("", time.Time{}, in.Secure).String()}, nil
		})

	add(s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: Prefix + "/me", Tags: []string{"auth"},
		Summary: "Who am I, and which programs can I see"},
		needs{}, func(ctx context.Context, sc program.Scope, _ *struct{}) (*meOut, error) {
			a := sc.Actor
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

	add(s, huma.Operation{OperationID: "member-login", Method: http.MethodPost, Path: Prefix + "/auth/member-login", Tags: []string{"auth"},
		Summary: "Sign in as a member with a one-time code", Extensions: map[string]any{"x-public": true}},
		needs{}, func(ctx context.Context, _ program.Scope, in *memberLoginIn) (*memberLoginOut, error) {
			m, sess, err := s.Gate.MemberSignIn(ctx, in.Body.Code, in.RemoteAddr)
			if err != nil {
				return nil, err
			}
			out := &memberLoginOut{SetCookie: sessionCookie(in.Client, sess)}
			out.Body.Token, out.Body.ExpiresAt, out.Body.Member = sess.Token, sess.ExpiresAt, memberOut(m)
			return out, nil
		})
}
