package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/award"
	"kox/internal/program"
)

type awardListOut struct {
	Body struct {
		Items []award.Round `json:"items"`
	}
}

type awardIn struct {
	ProgramRef
	Body award.RoundInput
}

type awardOut struct{ Body award.Round }

// AwardRef names an award of a program.
type AwardRef struct {
	ProgramRef
	Award string `path:"award" maxLength:"64"`
}

type awardCandidatesIn struct {
	AwardRef
	Limit int `query:"limit" minimum:"1" maximum:"200" default:"20"`
}

type awardCandidatesOut struct {
	Body struct {
		Items []award.Contender `json:"items"`
	}
}

type winIn struct {
	AwardRef
	Body award.WinInput
}

type winnerOut struct{ Body award.Winner }

type honoursOut struct {
	Body struct {
		Items []award.Honour `json:"items"`
	}
}

// wallIn names the program by its slug alone: the wall is public, and a
// signed-in reader of another program reads it too.
type wallIn struct {
	Program string `path:"program" maxLength:"100"`
}

type wallOut struct {
	Body struct {
		Program string         `json:"program"`
		Name    string         `json:"name"`
		Items   []award.Honour `json:"items"`
	}
}

func (s *Server) registerAwards() {
	tags := []string{"awards"}
	path := Prefix + "/programs/{program}/awards"
	add(s, huma.Operation{OperationID: "list-awards", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program's awards, newest period first, with their winners"},
		needs{perm: program.PermRewardsRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*awardListOut, error) {
			as, err := s.Awards.List(ctx, sc)
			out := &awardListOut{}
			out.Body.Items = as
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-award", Method: http.MethodPost, Path: path, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Open an award for a period: the monthly best content, the quarterly creative star, or an honorary title of a year"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *awardIn) (*awardOut, error) {
			a, err := s.Awards.Create(ctx, sc, in.Body)
			return &awardOut{Body: a}, err
		})
	add(s, huma.Operation{OperationID: "get-award", Method: http.MethodGet, Path: path + "/{award}", Tags: tags, Summary: "An award with its winners"},
		needs{perm: program.PermRewardsRead}, func(ctx context.Context, sc program.Scope, in *AwardRef) (*awardOut, error) {
			a, err := s.Awards.Get(ctx, sc, in.Award)
			return &awardOut{Body: a}, err
		})
	add(s, huma.Operation{OperationID: "award-candidates", Method: http.MethodGet, Path: path + "/{award}/candidates", Tags: tags,
		Summary: "The period's candidates, ranked from approved work: by review score, then reported reach"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *awardCandidatesIn) (*awardCandidatesOut, error) {
			cs, err := s.Awards.Candidates(ctx, sc, in.Award, in.Limit)
			out := &awardCandidatesOut{}
			out.Body.Items = cs
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-award-winner", Method: http.MethodPost, Path: path + "/{award}/winners", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Choose a winner and their prize (points, a catalog item given without points, or a prize in words), all at once or not at all; the member is told"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *winIn) (*winnerOut, error) {
			w, err := s.Awards.Win(ctx, sc, in.Award, in.Body)
			return &winnerOut{Body: w}, err
		})
	add(s, huma.Operation{OperationID: "member-honours", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/honours", Tags: tags,
		Summary: "The awards a member won (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*honoursOut, error) {
			hs, err := s.Awards.Of(ctx, sc, in.Member)
			out := &honoursOut{}
			out.Body.Items = hs
			return out, err
		})
	add(s, huma.Operation{OperationID: "honour-wall", Method: http.MethodGet, Path: Prefix + "/honour-walls/{program}", Tags: tags,
		Summary:    "A program's honour wall: every winner's award, period, name and citation (public; nothing private)",
		Extensions: map[string]any{"x-public": true}},
		needs{}, func(ctx context.Context, _ program.Scope, in *wallIn) (*wallOut, error) {
			p, hs, err := s.Awards.Wall(ctx, in.Program)
			if err != nil {
				return nil, err
			}
			out := &wallOut{}
			out.Body.Program, out.Body.Name, out.Body.Items = p.Slug, p.Name, hs
			return out, nil
		})
}
