// Package api is kox's REST API under /api/v1: JSON, described by an OpenAPI
// 3.1 document generated from the handlers' types (huma), errors as RFC 9457
// problem details naming every invalid field. Every route is registered
// through add, which records the permission it needs, so that the route table
// and the authorization tests read from one list.
package api

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"kox/internal/access"
	"kox/internal/activity"
	"kox/internal/award"
	"kox/internal/badge"
	"kox/internal/briefing"
	"kox/internal/budget"
	"kox/internal/campaign"
	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/council"
	"kox/internal/dashboard"
	"kox/internal/db"
	"kox/internal/event"
	"kox/internal/idempotency"
	"kox/internal/identity"
	"kox/internal/job"
	"kox/internal/kit"
	"kox/internal/ladder"
	"kox/internal/loan"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/middleware"
	"kox/internal/notify"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/roster"
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

	Members   *member.Service
	Ladders   *ladder.Service
	Tasks     *task.Service
	Points    *points.Service
	Identity  *identity.Service
	Dashboard *dashboard.Service
	Roster    *roster.Service
	Media     *media.Service
	Activity  *activity.Service
	Budget    *budget.Service
	Catalog   *catalog.Service
	Payouts   *payout.Service
	Badges    *badge.Service
	Awards    *award.Service
	Kits      *kit.Service
	Events    *event.Service
	Loans     *loan.Service
	Council   *council.Service
	Briefings *briefing.Service
	Campaigns *campaign.Service
	Community *community.Service
	Jobs      *job.Service
	Promotion *promotion.Service
	Notify    *notify.Service
	Gate      *access.Gate
	Idem      *idempotency.Store
	Log       *slog.Logger
	Version   string
}

// Route is one registered route and what it needs.
type Route struct {
	Method string
	Path   string
	access.Need
	// Outcome: the response body is the domain transaction's result as is,
	// so an Idempotency-Key's response is saved inside that transaction.
	Outcome bool
}

// needs is how a handler is registered: what its caller needs, and whether
// its response is saved with its change (see Route.Outcome).
type needs struct {
	perm    program.Permission
	members bool
	only    bool // members only (access.Need.MembersOnly)
	outcome bool
}

// Server is the API.
type Server struct {
	Deps
	huma   huma.API
	routes []Route
}

//go:embed static
var static embed.FS

// New registers the API on mux.
func New(mux *http.ServeMux, d Deps) *Server {
	cfg := huma.DefaultConfig("kox API", d.Version)
	cfg.Info.Description = "Run a brand's KOX program: programs, operators, members, ladders and tasks. " +
		"Authenticate with `Authorization: Bearer <token>`: a session token from `POST /api/v1/auth/login`, " +
		"or a program's API key. Every POST accepts an `Idempotency-Key` header: the same key with the same body " +
		"returns the first response again. Errors are RFC 9457 problems with a stable `code` and its `params` " +
		"(`task.full`, `{\"capacity\": 50}`); each invalid field has its own code."
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
	s.registerCards()
	s.registerOverview()
	s.registerRoster()
	s.registerImages()
	s.registerActivity()
	s.registerProgramFile()
	s.registerBudget()
	s.registerCatalog()
	s.registerPayouts()
	s.registerBadges()
	s.registerJobs()
	s.registerPromotion()
	s.registerNotify()
	s.registerAwards()
	s.registerKits()
	s.registerEvents()
	s.registerBriefings()
	s.registerLoans()
	s.registerCouncil()
	return s
}

// Routes lists every registered route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// OpenAPI is the generated document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.huma.OpenAPI() }

var bearer = []map[string][]string{{"bearer": {}}}

// programScoped is what an input names its program by (ProgramRef, and every
// reference that embeds it).
type programScoped interface{ programRef() string }

func (p ProgramRef) programRef() string { return p.Program }

// Handler is a route's handler: it gets the caller's scope, already let in
// by the gate (the program, when the route is inside one, and the actor).
type Handler[I, O any] func(ctx context.Context, sc program.Scope, in *I) (*O, error)

// add registers a handler behind the one way in: the gate resolves the
// program and checks what the route needs before the handler runs, for
// every route.
func add[I, O any](s *Server, op huma.Operation, n needs, h Handler[I, O]) {
	r := Route{Method: op.Method, Path: op.Path, Outcome: n.outcome, Need: access.Need{Permission: n.perm, Members: n.members || n.only, MembersOnly: n.only,
		Public: op.Extensions["x-public"] == true, OwnerOnly: op.Extensions["x-owner-only"] == true}}
	if r.Public {
		op.Security = nil
	} else {
		op.Security = bearer
	}
	if r.Members {
		if op.Extensions == nil {
			op.Extensions = map[string]any{}
		}
		op.Extensions["x-members"] = true
		if r.MembersOnly {
			op.Extensions["x-members-only"] = true
		}
	}
	s.routes = append(s.routes, r)
	status := op.DefaultStatus
	if status == 0 {
		status = http.StatusOK
	}
	huma.Register(s.huma, op, func(ctx context.Context, in *I) (*O, error) {
		ref := ""
		if p, ok := any(in).(programScoped); ok {
			ref = p.programRef()
		}
		sc, err := s.Gate.Enter(ctx, ref, r.Need)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if hold, ok := idempotency.From(ctx); ok && r.Outcome {
			ctx = db.WithOutcome(ctx, hold.SavesInTx(status, map[string]string{"Content-Type": "application/json"}))
		}
		out, err := h(ctx, sc, in)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return out, nil
	})
}

// authenticate puts the caller's actor in the context. A credential that
// does not resolve is refused on routes that need a sign-in and ignored on
// public ones (a stale cookie must never keep anyone from signing in).
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	cookie := ""
	if c, err := huma.ReadCookie(ctx, middleware.SessionCookie); err == nil {
		cookie = c.Value
	}
	rctx, ok, err := s.Gate.SignedIn(ctx.Context(), access.Token(ctx.Header("Authorization"), cookie), ctx.Param("program"))
	public := ctx.Operation() != nil && len(ctx.Operation().Security) == 0
	switch {
	case err != nil && !public:
		s.writeProblem(ctx, err)
		return
	case ok:
		a, _ := program.ActorFrom(rctx)
		a.RequestID = middleware.RequestIDFrom(ctx.Context())
		ctx = huma.WithContext(ctx, program.WithActor(rctx, a))
	}
	next(ctx)
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
