package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/activity"
	"kox/internal/program"
)

type activityIn struct {
	MemberRef
	Since time.Time `query:"since" doc:"Changes after this moment (RFC 3339); empty for the most recent."`
}

type activityOut struct {
	Body struct {
		Items []activity.Event `json:"items"`
	}
}

func (s *Server) registerActivity() {
	add(s, huma.Operation{OperationID: "member-activity", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/activity",
		Tags: []string{"members"}, Summary: "What changed for a member since a moment: points and reviews, newest first (a member reads their own)"},
		needs{perm: program.PermLedgerRead, members: true}, func(ctx context.Context, sc program.Scope, in *activityIn) (*activityOut, error) {
			es, err := s.Activity.Since(ctx, sc, in.Member, in.Since)
			if err != nil {
				return nil, err
			}
			out := &activityOut{}
			out.Body.Items = es
			return out, nil
		})
}
