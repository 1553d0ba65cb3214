package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/ladder"
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
		program.PermProgramRead, func(ctx context.Context, in *listLaddersIn) (*laddersOut, error) {
			sc, err := s.scope(ctx, in.Program, program.PermProgramRead)
			if err != nil {
				return nil, err
			}
			ls, err := s.Ladders.Ladders(ctx, sc)
			if err != nil {
				return nil, err
			}
			kept := ls[:0:0]
			for _, l := range ls {
				if in.Role == "" || l.Role == "" || l.Role == in.Role {
					kept = append(kept, l)
				}
			}
			out := &laddersOut{}
			out.Body.Items, out.Body.NextCursor, err = pageOf(kept, in.Page)
			return out, err
		})

	add(s, huma.Operation{OperationID: "apply-ladders", Method: http.MethodPut, Path: path, Tags: tags,
		Summary: "Make the program's ladders what the body says", Description: "The same shape as the ladders of a program file (kox program apply)."},
		program.PermLaddersWrite, func(ctx context.Context, in *applyLaddersIn) (*applyLaddersOut, error) {
			sc, err := s.scope(ctx, in.Program, program.PermLaddersWrite)
			if err != nil {
				return nil, err
			}
			changes, err := s.Ladders.Apply(ctx, sc, in.Body.Ladders)
			if err != nil {
				return nil, err
			}
			ls, err := s.Ladders.Ladders(ctx, sc)
			if err != nil {
				return nil, err
			}
			out := &applyLaddersOut{}
			out.Body.Changes, out.Body.Items = nonNil(changes), nonNil(ls)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "member-tiers", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/tiers",
		Tags: tags, Summary: "Where a member stands on each ladder (members may read their own)"},
		program.PermMembersRead, func(ctx context.Context, in *MemberRef) (*standingsOut, error) {
			sc, err := s.scope(ctx, in.Program, "")
			if err != nil {
				return nil, err
			}
			st, err := s.Ladders.Standings(ctx, sc, in.Member)
			if err != nil {
				return nil, err
			}
			out := &standingsOut{}
			out.Body.Items = st
			return out, nil
		})

	add(s, huma.Operation{OperationID: "set-member-tier", Method: http.MethodPut, Path: Prefix + "/programs/{program}/members/{member}/tiers/{ladder}",
		Tags: tags, Summary: "Move a member to a tier by hand, with a reason"},
		program.PermTiersAssign, func(ctx context.Context, in *setTierIn) (*standingOut, error) {
			sc, err := s.scope(ctx, in.Program, program.PermTiersAssign)
			if err != nil {
				return nil, err
			}
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
