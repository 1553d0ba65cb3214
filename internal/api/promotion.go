package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
	"kox/internal/promotion"
)

type candidatesIn struct {
	ProgramRef
	Page
	Status string `query:"status" enum:"candidate,approved,declined,promoted,lapsed," doc:"Empty: the open ones."`
	Ladder string `query:"ladder" maxLength:"40"`
	Tier   string `query:"tier" maxLength:"40" doc:"The tier they would enter."`
}

type candidatesOut struct {
	Body struct {
		Items      []promotion.Candidate `json:"items"`
		NextCursor string                `json:"next_cursor,omitempty"`
	}
}

type evaluateOut struct{ Body promotion.Result }

type decideCandidatesIn struct {
	ProgramRef
	Body struct {
		Candidates []string `json:"candidates" minItems:"1" maxItems:"500"`
		Approve    bool     `json:"approve" doc:"true promotes; false declines."`
		Note       string   `json:"note,omitempty" maxLength:"500"`
	}
}

type decisionsOut struct {
	Body struct {
		Items []promotion.Decision `json:"items"`
	}
}

type progressOut struct {
	Body struct {
		Items []promotion.Assessment `json:"items"`
	}
}

type markIn struct {
	MemberRef
	Body struct {
		Reason string `json:"reason" maxLength:"500"`
	}
}

type nominateIn struct {
	MemberRef
	Body struct {
		Tier   string `json:"tier" maxLength:"81" doc:"ladder/tier, such as main/experience."`
		Reason string `json:"reason" maxLength:"500"`
	}
}

type markOut struct{ Body promotion.Mark }

type marksOut struct {
	Body struct {
		Items []promotion.Mark `json:"items"`
	}
}

type warningsIn struct {
	ProgramRef
	Status string `query:"status" enum:"warned,recovered,demoted,moved," doc:"warned: the members in their grace period."`
	Member string `query:"member" maxLength:"64"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type warningsOut struct {
	Body struct {
		Items []promotion.Warning `json:"items"`
	}
}

type keepOut struct{ Body promotion.KeepResult }

func (s *Server) registerPromotion() {
	tags := []string{"promotion"}
	path := Prefix + "/programs/{program}/promotion-candidates"
	add(s, huma.Operation{OperationID: "list-promotion-candidates", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "Members an evaluation found ready for the tier above, each with the evidence of every criterion"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *candidatesIn) (*candidatesOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			cs, next, err := s.Promotion.Candidates(ctx, sc, promotion.Filter{Status: in.Status, Ladder: in.Ladder, To: in.Tier, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &candidatesOut{}
			out.Body.Items = cs
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "evaluate-promotion", Method: http.MethodPost, Path: path + "/evaluate", Tags: tags,
		Summary: "Weigh every member against the entry rule of the tier above theirs now (the scheduler does it every hour)"},
		needs{perm: program.PermTiersAssign}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*evaluateOut, error) {
			r, err := s.Promotion.Evaluate(ctx, sc)
			return &evaluateOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "decide-promotion-candidates", Method: http.MethodPost, Path: path + "/decisions", Tags: tags,
		Summary: "Approve (promote) or decline candidates, one or many: each is decided once; one that cannot be is named, the rest are done"},
		needs{perm: program.PermTiersAssign}, func(ctx context.Context, sc program.Scope, in *decideCandidatesIn) (*decisionsOut, error) {
			ds, err := s.Promotion.Decide(ctx, sc, in.Body.Candidates, in.Body.Approve, in.Body.Note)
			out := &decisionsOut{}
			out.Body.Items = ds
			return out, err
		})
	add(s, huma.Operation{OperationID: "list-keep-warnings", Method: http.MethodGet, Path: Prefix + "/programs/{program}/keep-warnings", Tags: tags,
		Summary: "Keep rules' warnings, newest first: who slipped, why, and until when they may recover (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *warningsIn) (*warningsOut, error) {
			ws, err := s.Promotion.Warnings(ctx, sc, in.Status, in.Member, in.Limit)
			out := &warningsOut{}
			out.Body.Items = ws
			return out, err
		})
	add(s, huma.Operation{OperationID: "apply-keep-rules", Method: http.MethodPost, Path: Prefix + "/programs/{program}/keep-warnings/apply", Tags: tags,
		Summary: "Apply the keep rules now: warn who slipped, clear who recovered, move down who did not within the grace (the scheduler does it every hour)"},
		needs{perm: program.PermTiersAssign}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*keepOut, error) {
			r, err := s.Promotion.Keep(ctx, sc)
			return &keepOut{Body: r}, err
		})
	members := Prefix + "/programs/{program}/members/{member}"
	add(s, huma.Operation{OperationID: "member-progress", Method: http.MethodGet, Path: members + "/progress", Tags: tags,
		Summary: "What the next tier of each ladder asks and where the member is, criterion by criterion: the evaluator's own answer (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*progressOut, error) {
			ps, err := s.Promotion.Progress(ctx, sc, in.Member)
			out := &progressOut{}
			out.Body.Items = ps
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-member-strike", Method: http.MethodPost, Path: members + "/strikes", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Record a compliance strike (an undisclosed ad, a post against the brand's rules), which no_strikes criteria count"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *markIn) (*markOut, error) {
			m, err := s.Promotion.Strike(ctx, sc, in.Member, in.Body.Reason)
			return &markOut{Body: m}, err
		})
	add(s, huma.Operation{OperationID: "nominate-member", Method: http.MethodPost, Path: members + "/nominations", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Nominate a member for a tier (a mentor's word), which nominated criteria count"},
		needs{perm: program.PermTiersAssign}, func(ctx context.Context, sc program.Scope, in *nominateIn) (*markOut, error) {
			m, err := s.Promotion.Nominate(ctx, sc, in.Member, in.Body.Tier, in.Body.Reason)
			return &markOut{Body: m}, err
		})
	add(s, huma.Operation{OperationID: "member-marks", Method: http.MethodGet, Path: members + "/marks", Tags: tags,
		Summary: "A member's strikes and nominations, newest first"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*marksOut, error) {
			ms, err := s.Promotion.Marks(ctx, sc, in.Member)
			out := &marksOut{}
			out.Body.Items = ms
			return out, err
		})
}
