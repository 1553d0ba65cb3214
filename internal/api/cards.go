package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/identity"
	"kox/internal/program"
)

type cardOut struct {
	Body identity.Card
}

type verifyIn struct {
	Number string `path:"number" maxLength:"20" doc:"The number printed on the card (K7QH2-MX9TC)."`
}

type verifyOut struct {
	Body identity.Verification
}

func (s *Server) registerCards() {
	add(s, huma.Operation{OperationID: "member-card", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/card",
		Tags: []string{"members"}, Summary: "A member's identity card (a member their own); a new title issues a new card that supersedes the last"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*cardOut, error) {
			c, err := s.Identity.Card(ctx, sc, in.Member)
			if err != nil {
				return nil, err
			}
			return &cardOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "verify-card", Method: http.MethodGet, Path: Prefix + "/cards/{number}", Tags: []string{"members"},
		Summary:    "Verify an identity card: genuine and current, superseded, or of a member who left (public; nothing private)",
		Extensions: map[string]any{"x-public": true}},
		needs{}, func(ctx context.Context, _ program.Scope, in *verifyIn) (*verifyOut, error) {
			v, err := s.Identity.Verify(ctx, in.Number)
			if err != nil {
				return nil, err
			}
			return &verifyOut{Body: v}, nil
		})
}
