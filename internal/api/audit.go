package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
)

// AuditOut is one entry of the audit log.
type AuditOut struct {
	ID         string          `json:"id"`
	At         time.Time       `json:"at"`
	ActorKind  string          `json:"actor_kind" enum:"operator,member,api_key,job,system"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action" example:"task.publish"`
	ObjectKind string          `json:"object_kind" example:"task"`
	ObjectID   string          `json:"object_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
}

type auditIn struct {
	ProgramRef
	Page
	ActorKind  string    `query:"actor_kind" enum:"operator,member,api_key,job,system"`
	ActorID    string    `query:"actor_id" maxLength:"64"`
	Action     string    `query:"action" maxLength:"64"`
	ObjectKind string    `query:"object_kind" maxLength:"64"`
	ObjectID   string    `query:"object_id" maxLength:"64"`
	Since      time.Time `query:"since" doc:"RFC 3339; entries at or after."`
	Until      time.Time `query:"until" doc:"RFC 3339; entries before."`
}

type auditOut struct {
	Body struct {
		Items      []AuditOut `json:"items"`
		NextCursor string     `json:"next_cursor,omitempty"`
	}
}

func (s *Server) registerAudit() {
	add(s, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: Prefix + "/programs/{program}/audit",
		Tags: []string{"audit"}, Summary: "Read the audit log: every change of state, newest first"},
		needs{perm: program.PermAuditRead}, func(ctx context.Context, sc program.Scope, in *auditIn) (*auditOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			es, next, err := s.Programs.AuditLog(ctx, sc, program.AuditFilter{ActorKind: program.ActorKind(in.ActorKind),
				ActorID: in.ActorID, Action: in.Action, ObjectKind: in.ObjectKind, ObjectID: in.ObjectID, Since: in.Since,
				Until: in.Until, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &auditOut{}
			out.Body.Items = make([]AuditOut, 0, len(es))
			for _, e := range es {
				out.Body.Items = append(out.Body.Items, AuditOut{ID: encodeCursor(e.ID), At: e.At, ActorKind: string(e.ActorKind),
					ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, ObjectKind: e.ObjectKind, ObjectID: e.ObjectID,
					Before: e.Before, After: e.After, RequestID: e.RequestID})
			}
			out.Body.NextCursor = encodeCursor(next)
			return out, nil
		})
}
