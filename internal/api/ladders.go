package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
)

type laddersOut struct {
	Body struct {
		Items      []ladder.Ladder `json:"items"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}
}

type listLaddersIn struct {
	ProgramRef
	Page
	Role string `query:"role" enum:"koc,kos,kol" doc:"Ladders for this kind of member (and those for everyone)."`
}

type applyLaddersIn struct {
	ProgramRef
	Body struct {
		Ladders []ladder.LadderSpec `json:"ladders" maxItems:"10" doc:"The program's ladders, complete: matched by key, what is missing is removed (never a tier members stand on)."`
	}
}

type applyLaddersOut struct {
	Body struct {
		Changes []ladder.Change `json:"changes"`
		Items   []ladder.Ladder `json:"items"`
	}
}

type standingsOut struct {
	Body struct {
		Items []ladder.Standing `json:"items"`
	}
}

type setTierIn struct {
	MemberRef
	Ladder string `path:"ladder" maxLength:"40"`
	Body   struct {
		Tier   string `json:"tier" minLength:"1" maxLength:"40"`
		Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the member moves; kept in the audit log and the member's history."`
	}
}

type standingOut struct{ Body ladder.Standing }

func (s *Server) registerLadders() {
	tags := []string{"ladders"}
	path := Prefix + "/programs/{program}/ladders"
	add(s, huma.Operation{OperationID: "list-ladders", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program's ladders with their tiers, bottom rung first"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *listLaddersIn) (*laddersOut, error) {
			ls, err := s.Ladders.Ladders(ctx, sc, member.Role(in.Role))
			if err != nil {
				return nil, err
			}
			out := &laddersOut{}
			out.Body.Items, out.Body.NextCursor, err = pageOf(ls, in.Page)
			return out, err
		})

	add(s, huma.Operation{OperationID: "apply-ladders", Method: http.MethodPut, Path: path, Tags: tags,
		Summary: "Make the program's ladders what the body says", Description: "The same shape as the ladders of a program file (kox program apply)."},
		needs{perm: program.PermLaddersWrite}, func(ctx context.Context, sc program.Scope, in *applyLaddersIn) (*applyLaddersOut, error) {
			changes, err := s.Ladders.Apply(ctx, sc, in.Body.Ladders)
			if err != nil {
				return nil, err
			}
			ls, err := s.Ladders.Ladders(ctx, sc, "")
			if err != nil {
				return nil, err
			}
			out := &applyLaddersOut{}
			out.Body.Changes, out.Body.Items = nonNil(changes), nonNil(ls)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "member-tiers", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/tiers",
		Tags: tags, Summary: "Where a member stands on each ladder (members may read their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*standingsOut, error) {
			st, err := s.Ladders.Standings(ctx, sc, in.Member)
			if err != nil {
				return nil, err
			}
			out := &standingsOut{}
			out.Body.Items = st
			return out, nil
		})

	add(s, huma.Operation{OperationID: "member-tier-history", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/tier-history",
		Tags: []string{"members"}, Summary: "A member's moves between tiers with their reasons, newest first (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*historyOut, error) {
			ms, err := s.Ladders.History(ctx, sc, in.Member, 200)
			if err != nil {
				return nil, err
			}
			out := &historyOut{}
			out.Body.Items = ms
			return out, nil
		})

	add(s, huma.Operation{OperationID: "set-member-tier", Method: http.MethodPut, Path: Prefix + "/programs/{program}/members/{member}/tiers/{ladder}",
		Tags: tags, Summary: "Move a member to a tier by hand, with a reason"},
		needs{perm: program.PermTiersAssign}, func(ctx context.Context, sc program.Scope, in *setTierIn) (*standingOut, error) {
			st, err := s.Ladders.SetTier(ctx, sc, in.Member, in.Ladder, in.Body.Tier, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return &standingOut{Body: st}, nil
		})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type historyOut struct {
	Body struct {
		Items []ladder.Move `json:"items"`
	}
}
