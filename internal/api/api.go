// Package api is kox's REST API under /api/v1: JSON, described by an OpenAPI
// 3.1 document generated from the handlers' types (huma), errors as RFC 9457
// problem details naming every invalid field. Every route is registered
// through add, which records the permission it needs, so that the route table
// and the authorization tests read from one list.
package api

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/ledger"
	"kox/internal/member"
	"kox/internal/middleware"
	"kox/internal/program"
	"kox/internal/task"
)

// Paths of the API's documents.
const (
	Prefix      = "/api/v1"
	OpenAPIPath = "/api/openapi" // .json and .yaml
	DocsPath    = "/api/docs"
)

// Deps are the services the API serves.
type Deps struct {
	DB       *db.DB
	Programs *program.Service
	Ledger   *ledger.Ledger
	Members  *member.Service
	Ladders  *ladder.Service
	Tasks    *task.Service
	Log      *slog.Logger
	Version  string
}

// Route is one registered route and what it needs.
type Route struct {
	Method     string
	Path       string
	Permission program.Permission // "" when any signed-in actor may call it
	Public     bool               // no sign-in needed
	OwnerOnly  bool
	Members    bool // members may call it, acting for themselves
}

// Server is the API.
type Server struct {
	Deps
	huma   huma.API
	routes []Route
}

//go:embed static
var static embed.FS

var requiredProperty = regexp.MustCompile(`^expected required property (\S+) to be present$`)

// Huma reports a missing property at its parent ("body"); name the property
// itself, as every other invalid field is named.
func init() {
	base := huma.NewError
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		for _, e := range errs {
			if d, ok := e.(*huma.ErrorDetail); ok {
				if m := requiredProperty.FindStringSubmatch(d.Message); m != nil {
					d.Location += "." + m[1]
					d.Message = "is required"
				}
			}
		}
		return base(status, msg, errs...)
	}
}

// New registers the API on mux.
func New(mux *http.ServeMux, d Deps) *Server {
	cfg := huma.DefaultConfig("kox API", d.Version)
	cfg.Info.Description = "Run a brand's KOX program: programs, operators, members, ladders and tasks. " +
		"Authenticate with `Authorization: Bearer <token>`: a session token from `POST /api/v1/auth/login`, " +
		"or a program's API key. Every POST accepts an `Idempotency-Key` header: the same key with the same body " +
		"returns the first response again."
	cfg.OpenAPIPath = OpenAPIPath
	cfg.DocsPath = ""
	cfg.SchemasPath = "/api/schemas"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A session token (kxs_…) or an API key (kxk_…)."},
	}
	// No $schema property in every response body.
	cfg.CreateHooks = nil
	s := &Server{Deps: d}
	s.huma = humago.New(mux, cfg)
	s.huma.UseMiddleware(s.authenticate)
	mux.HandleFunc("GET "+DocsPath, s.docs)
	sub, _ := fs.Sub(static, "static")
	mux.Handle("GET /api/static/", http.StripPrefix("/api/static/", http.FileServerFS(sub)))
	s.registerAuth()
	s.registerPrograms()
	s.registerOperators()
	s.registerAPIKeys()
	s.registerAudit()
	s.registerMembers()
	s.registerLadders()
	s.registerTasks()
	s.registerTemplates()
	return s
}

// Routes lists every registered route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// OpenAPI is the generated document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.huma.OpenAPI() }

var bearer = []map[string][]string{{"bearer": {}}}

// add registers a handler. perm is checked by the handler through the
// program's Scope (and again in the service); it is recorded here so that the
// route table says what each route needs.
func add[I, O any](s *Server, op huma.Operation, perm program.Permission, h func(context.Context, *I) (*O, error)) {
	r := Route{Method: op.Method, Path: op.Path, Permission: perm, Public: op.Security == nil && op.Extensions["x-public"] == true}
	if !r.Public {
		op.Security = bearer
	}
	r.OwnerOnly = op.Extensions["x-owner-only"] == true
	r.Members = op.Extensions["x-members"] == true
	s.routes = append(s.routes, r)
	huma.Register(s.huma, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return out, nil
	})
}

// problem turns a domain error into an HTTP problem.
func (s *Server) problem(ctx context.Context, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		if errors.Is(err, context.Canceled) {
			return huma.NewError(499, "request cancelled")
		}
		s.Log.ErrorContext(ctx, "api: unexpected error", "err", err, "request_id", requestID(ctx))
		return huma.Error500InternalServerError("something went wrong; the request id names it in our logs")
	}
	msg := fe.Message
	switch fe.Kind {
	case fault.Invalid:
		details := make([]error, len(fe.Fields))
		for i, f := range fe.Fields {
			loc := f.Field
			if !strings.HasPrefix(loc, "path.") && !strings.HasPrefix(loc, "query.") && !strings.HasPrefix(loc, "header.") {
				loc = "body." + loc
			}
			details[i] = &huma.ErrorDetail{Location: loc, Message: f.Reason}
		}
		return huma.Error422UnprocessableEntity(msg, details...)
	case fault.NotFound:
		return huma.Error404NotFound(msg)
	case fault.Conflict, fault.LimitExceeded:
		return huma.Error409Conflict(msg)
	case fault.Forbidden:
		return huma.Error403Forbidden(msg)
	case fault.Unauthenticated:
		return huma.Error401Unauthorized(msg)
	case fault.Unavailable:
		return huma.Error503ServiceUnavailable(msg)
	}
	s.Log.ErrorContext(ctx, "api: internal error", "err", err, "request_id", requestID(ctx))
	return huma.Error500InternalServerError("something went wrong; the request id names it in our logs")
}

func requestID(ctx context.Context) string {
	if a, ok := program.ActorFrom(ctx); ok && a.RequestID != "" {
		return a.RequestID
	}
	return middleware.RequestIDFrom(ctx)
}

// SessionCookie carries a browser's session token.
const SessionCookie = "kox_session"

// token reads the caller's bearer token: the Authorization header, else the
// session cookie.
func token(header func(string) string) string {
	if h := header("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	for _, c := range strings.Split(header("Cookie"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(c), SessionCookie+"="); ok {
			return v
		}
	}
	return ""
}

// authenticate puts the caller's actor in the context; a route that needs a
// sign-in answers 401 without one.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	rid := middleware.RequestIDFrom(ctx.Context())
	if t := token(ctx.Header); t != "" {
		a, err := s.Programs.Resolve(ctx.Context(), t)
		if err != nil {
			_ = huma.WriteErr(s.huma, ctx, http.StatusUnauthorized, err.Error())
			return
		}
		a.RequestID = rid
		ctx = huma.WithContext(ctx, program.WithActor(ctx.Context(), a))
	} else if op := ctx.Operation(); op != nil && len(op.Security) > 0 {
		_ = huma.WriteErr(s.huma, ctx, http.StatusUnauthorized, "sign in first: send Authorization: Bearer <token>")
		return
	}
	next(ctx)
}

// scope resolves the program in a path for the caller and checks perm.
func (s *Server) scope(ctx context.Context, ref string, perm program.Permission) (program.Scope, error) {
	sc, err := s.Programs.Scope(ctx, ref)
	if err != nil {
		return program.Scope{}, err
	}
	if perm != "" {
		if err := sc.Require(perm); err != nil {
			return program.Scope{}, err
		}
	}
	return sc, nil
}

// docs serves the API reference, rendered in the browser from files kox
// carries itself (no outside network).
func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kox API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0}</style></head>
<body><redoc spec-url="` + OpenAPIPath + `.json" hide-download-button="false"></redoc>
<script src="/api/static/redoc/redoc.standalone.js"></script></body></html>`))
}
