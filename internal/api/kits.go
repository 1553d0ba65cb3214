package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/kit"
	"kox/internal/program"
)

type kitListOut struct {
	Body struct {
		Items []kit.Kit `json:"items"`
	}
}

type kitIn struct {
	ProgramRef
	Body kit.KitInput
}

type kitOut struct{ Body kit.Kit }

// KitRef names a kit of a program.
type KitRef struct {
	ProgramRef
	Kit string `path:"kit" maxLength:"64"`
}

type kitActiveIn struct {
	KitRef
	Body struct {
		Active bool `json:"active"`
	}
}

type kitIssuesIn struct {
	ProgramRef
	Page
	Kit    string `query:"kit" maxLength:"64"`
	Member string `query:"member" maxLength:"64" doc:"Operators: one member's; members see their own."`
	Status string `query:"status" enum:"given,waiting,"`
}

type kitIssuesOut struct {
	Body struct {
		Items      []kit.Issue `json:"items"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}
}

type kitRunOut struct{ Body kit.KitRun }

type addressIn struct {
	RedemptionRef
	Body catalog.Address
}

type communityIn struct {
	MemberRef
	Body community.CommunityInput
}

type communityOut struct{ Body community.Membership }

func (s *Server) registerKits() {
	tags := []string{"kits"}
	path := Prefix + "/programs/{program}/kits"
	add(s, huma.Operation{OperationID: "list-kits", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The program's welcome and promotion kits, with how many were given and how many wait"},
		needs{perm: program.PermRewardsRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*kitListOut, error) {
			ks, err := s.Kits.List(ctx, sc)
			out := &kitListOut{}
			out.Body.Items = ks
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-kit", Method: http.MethodPost, Path: path, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Name a catalog item as the kit given to each member who joins (welcome) or reaches a tier (promotion) from its start"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *kitIn) (*kitOut, error) {
			k, err := s.Kits.Add(ctx, sc, in.Body)
			return &kitOut{Body: k}, err
		})
	add(s, huma.Operation{OperationID: "set-kit-active", Method: http.MethodPut, Path: path + "/{kit}/active", Tags: tags,
		Summary: "Stop giving a kit, or start again; kits given stay"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *kitActiveIn) (*kitOut, error) {
			k, err := s.Kits.SetActive(ctx, sc, in.Kit, in.Body.Active)
			return &kitOut{Body: k}, err
		})
	add(s, huma.Operation{OperationID: "issue-kits", Method: http.MethodPost, Path: path + "/issue", Tags: tags,
		Summary: "Give the program's due kits now, as the kits.issue job does"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*kitRunOut, error) {
			r, err := s.Kits.IssueNow(ctx, sc)
			return &kitRunOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "list-kit-issues", Method: http.MethodGet, Path: Prefix + "/programs/{program}/kit-issues", Tags: tags,
		Summary: "Members' kits, newest first: given (with the redemption that ships it) or waiting and why; a member sees their own"},
		needs{perm: program.PermRewardsRead, members: true}, func(ctx context.Context, sc program.Scope, in *kitIssuesIn) (*kitIssuesOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			is, next, err := s.Kits.Issues(ctx, sc, kit.IssuesFilter{Kit: in.Kit, Member: in.Member, Status: in.Status, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &kitIssuesOut{}
			out.Body.Items = is
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "set-redemption-address", Method: http.MethodPut, Path: Prefix + "/programs/{program}/redemptions/{redemption}/address",
		Tags: []string{"rewards"}, Summary: "Give a shipped item not yet sent its address (a kit is given before one is known); a member sets their own"},
		needs{perm: program.PermRewardsWrite, members: true}, func(ctx context.Context, sc program.Scope, in *addressIn) (*redemptionOut, error) {
			r, err := s.Catalog.SetAddress(ctx, sc, in.Redemption, in.Body)
			return &redemptionOut{Body: r}, err
		})
	cpath := Prefix + "/programs/{program}/members/{member}/community"
	add(s, huma.Operation{OperationID: "get-member-community", Method: http.MethodGet, Path: cpath, Tags: []string{"members"},
		Summary: "A member's place in the private community: invited, joined, declined or left, and when (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*communityOut, error) {
			m, err := s.Community.Get(ctx, sc, in.Member)
			return &communityOut{Body: m}, err
		})
	add(s, huma.Operation{OperationID: "set-member-community", Method: http.MethodPut, Path: cpath, Tags: []string{"members"},
		Summary: "Invite a member to the private community or record where they stand; a member answers their own invitation (joined or declined)"},
		needs{perm: program.PermMembersWrite, members: true}, func(ctx context.Context, sc program.Scope, in *communityIn) (*communityOut, error) {
			m, err := s.Community.Set(ctx, sc, in.Member, in.Body)
			return &communityOut{Body: m}, err
		})
}
