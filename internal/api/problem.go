package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/fault"
	"kox/internal/middleware"
	"kox/internal/program"
)

// Problem is an RFC 9457 problem with kox's stable code and its parameters,
// so that a client (and the web console) can say it in the reader's
// language; detail is the English text.
type Problem struct {
	Type      string          `json:"type,omitempty" default:"about:blank"`
	Title     string          `json:"title,omitempty" example:"Conflict"`
	Status    int             `json:"status,omitempty" example:"409"`
	Code      string          `json:"code" example:"task.full" doc:"Stable: what went wrong, for programs and translations."`
	Params    map[string]any  `json:"params,omitempty" example:"{\"capacity\": 50}" doc:"The values the code's message names."`
	Detail    string          `json:"detail,omitempty" example:"the task is full: all 50 slots are taken"`
	Instance  string          `json:"instance,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
	Errors    []*ProblemField `json:"errors,omitempty" doc:"Each invalid field."`
}

// ProblemField is one invalid field of a request.
type ProblemField struct {
	Location string         `json:"location" example:"body.capacity"`
	Code     string         `json:"code" example:"range"`
	Params   map[string]any `json:"params,omitempty"`
	Message  string         `json:"message" example:"must be 1 to 100000"`
	Value    any            `json:"value,omitempty"`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType is the problem's media type.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

// codeOf is the code of a problem no domain error made, by status.
var codeOf = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          "auth.required",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusNotAcceptable:         "not_acceptable",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusTooManyRequests:       "too_many",
	http.StatusServiceUnavailable:    "unavailable",
}

var requiredProperty = regexp.MustCompile(`^expected required property (\S+) to be present$`)

// Huma's own errors (a body that does not match the schema) become Problems
// too. It reports a missing property at its parent ("body"): name the
// property itself, as every other invalid field is named.
func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		p := &Problem{Status: status, Title: http.StatusText(status), Detail: msg, Code: codeOf[status]}
		if p.Code == "" {
			p.Code = "internal"
		}
		for _, e := range errs {
			var d *huma.ErrorDetail
			if errors.As(e, &d) {
				f := &ProblemField{Location: d.Location, Code: "schema", Message: d.Message, Value: d.Value}
				if m := requiredProperty.FindStringSubmatch(d.Message); m != nil {
					f.Location += "." + m[1]
					f.Code, f.Message, f.Value = "required", "is required", nil
				}
				p.Errors = append(p.Errors, f)
			} else if e != nil {
				p.Errors = append(p.Errors, &ProblemField{Code: "schema", Message: e.Error()})
			}
		}
		return p
	}
}

// problem turns an error into the HTTP problem a client sees: a domain
// error with its code, status and fields; anything else a 500 that names
// only the request id (the cause is logged).
func (s *Server) problem(ctx context.Context, err error) error {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	fe, ok := fault.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return &Problem{Status: 499, Title: "Client Closed Request", Code: "cancelled", Detail: "request cancelled"}
		}
		return s.internal(ctx, err)
	}
	status, ok := middleware.StatusOf[fe.Kind]
	if !ok {
		return s.internal(ctx, err)
	}
	p = &Problem{Status: status, Title: http.StatusText(status), Code: fe.Code, Params: fe.Params, Detail: fe.Message,
		RequestID: requestID(ctx)}
	if fe.Kind == fault.Unavailable {
		s.Log.WarnContext(ctx, "api: unavailable", "err", err, "request_id", p.RequestID)
	}
	for _, f := range fe.Fields {
		loc := f.Field
		if !strings.HasPrefix(loc, "path.") && !strings.HasPrefix(loc, "query.") && !strings.HasPrefix(loc, "header.") {
			loc = "body." + loc
		}
		p.Errors = append(p.Errors, &ProblemField{Location: loc, Code: f.Code, Params: f.Params, Message: f.Reason})
	}
	return p
}

func (s *Server) internal(ctx context.Context, err error) *Problem {
	id := requestID(ctx)
	s.Log.ErrorContext(ctx, "api: unexpected error", "err", err, "request_id", id)
	return &Problem{Status: 500, Title: http.StatusText(500), Code: "internal", RequestID: id,
		Detail: "something went wrong; the request id names it in our logs"}
}

// writeProblem writes err as a problem from a huma middleware.
func (s *Server) writeProblem(ctx huma.Context, err error) {
	p, _ := s.problem(ctx.Context(), err).(*Problem)
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(p.Status)
	_ = huma.DefaultJSONFormat.Marshal(ctx.BodyWriter(), p)
}

func requestID(ctx context.Context) string {
	if a, ok := program.ActorFrom(ctx); ok && a.RequestID != "" {
		return a.RequestID
	}
	return middleware.RequestIDFrom(ctx)
}
