package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/program"
	"kox/internal/sheet"
)

// BriefingRef names a briefing of a program.
type BriefingRef struct {
	ProgramRef
	Briefing string `path:"briefing" maxLength:"64"`
}

type briefingIn struct {
	ProgramRef
	Body briefing.BriefingInput
}

type briefingUpdateIn struct {
	BriefingRef
	Body briefing.BriefingInput
}

type briefingOut struct{ Body briefing.Briefing }

type briefingsIn struct {
	ProgramRef
	Page
	Q        string `query:"q" maxLength:"100" doc:"Words in the title, highlights or text."`
	Campaign string `query:"campaign" maxLength:"100"`
	Status   string `query:"status" enum:"draft,published,withdrawn," doc:"Operators."`
	Unread   bool   `query:"unread" doc:"Members: only those not opened yet."`
}

type briefingListOut struct {
	Body struct {
		Items      []briefing.Briefing `json:"items"`
		NextCursor string              `json:"next_cursor,omitempty"`
	}
}

type readersIn struct {
	BriefingRef
	Page
	Read string `query:"read" enum:"yes,no," doc:"yes: only those who opened it; no: only those who have not."`
}

type readersOut struct {
	Body struct {
		briefing.Receipts
		Items      []briefing.BriefingReader `json:"items"`
		NextCursor string                    `json:"next_cursor,omitempty"`
	}
}

type readersExportIn struct {
	BriefingRef
	Format string `query:"format" enum:"csv,xlsx" default:"csv"`
}

type attachIn struct {
	BriefingRef
	Name    string `query:"name" required:"true" maxLength:"200" doc:"The file's name, as members will see it."`
	RawBody []byte `contentType:"application/octet-stream" doc:"The file (PDF, image or plain text; at most 10 MB)."`
}

type attachmentOut struct{ Body briefing.Attachment }

type attachmentRef struct {
	BriefingRef
	File string `path:"file" maxLength:"64"`
}

// CampaignRef names a campaign of a program.
type CampaignRef struct {
	ProgramRef
	Campaign string `path:"campaign" maxLength:"64"`
}

type campaignIn struct {
	ProgramRef
	Body campaign.CampaignInput
}

type campaignUpdateIn struct {
	CampaignRef
	Body campaign.CampaignInput
}

type campaignOut struct{ Body campaign.Campaign }

type campaignListOut struct {
	Body struct {
		Items []campaign.Campaign `json:"items"`
	}
}

type campaignPageOut struct{ Body campaign.CampaignPage }

func (s *Server) registerBriefings() {
	tags := []string{"briefings"}
	path := Prefix + "/programs/{program}/briefings"
	add(s, huma.Operation{OperationID: "list-briefings", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "Briefings, newest first, searchable: all the program's to operators; to a member only those they may see now (never one under embargo above their tier)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *briefingsIn) (*briefingListOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			bs, next, err := s.Briefings.List(ctx, sc, briefing.Filter{Q: in.Q, Campaign: in.Campaign, Status: in.Status, Unread: in.Unread,
				Before: before, Limit: in.limit()})
			out := &briefingListOut{}
			out.Body.Items = bs
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-briefing", Method: http.MethodPost, Path: path, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Write a draft briefing: for chosen tiers from its release, for everyone after its embargo (a campaign's go-live)"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *briefingIn) (*briefingOut, error) {
			b, err := s.Briefings.Create(ctx, sc, in.Body)
			return &briefingOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "get-briefing", Method: http.MethodGet, Path: path + "/{briefing}", Tags: tags,
		Summary: "A briefing; a member's first read of it is their read receipt (one they may not see yet is not found)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *BriefingRef) (*briefingOut, error) {
			b, err := s.Briefings.Open(ctx, sc, in.Briefing)
			return &briefingOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "update-briefing", Method: http.MethodPut, Path: path + "/{briefing}", Tags: tags, Summary: "Rewrite a briefing"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *briefingUpdateIn) (*briefingOut, error) {
			b, err := s.Briefings.Update(ctx, sc, in.Briefing, in.Body)
			return &briefingOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "publish-briefing", Method: http.MethodPost, Path: path + "/{briefing}/publish", Tags: tags,
		Summary: "Schedule a draft: its tiers are told at its release, everyone at its embargo"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *BriefingRef) (*briefingOut, error) {
			b, err := s.Briefings.Publish(ctx, sc, in.Briefing)
			return &briefingOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "withdraw-briefing", Method: http.MethodPost, Path: path + "/{briefing}/withdraw", Tags: tags,
		Summary: "Take a briefing back from every member"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *BriefingRef) (*briefingOut, error) {
			b, err := s.Briefings.Withdraw(ctx, sc, in.Briefing)
			return &briefingOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "attach-briefing-file", Method: http.MethodPost, Path: path + "/{briefing}/attachments", Tags: tags,
		Summary: "Attach a file (PDF, image or plain text)", DefaultStatus: http.StatusCreated, MaxBodyBytes: briefing.MaxAttachmentBytes + 1},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *attachIn) (*attachmentOut, error) {
			a, err := s.Briefings.Attach(ctx, sc, in.Briefing, in.Name, in.RawBody)
			return &attachmentOut{Body: a}, err
		})
	add(s, huma.Operation{OperationID: "get-briefing-file", Method: http.MethodGet, Path: path + "/{briefing}/attachments/{file}", Tags: tags,
		Summary: "A briefing's file, to whoever may see the briefing"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *attachmentRef) (*huma.StreamResponse, error) {
			a, err := s.Briefings.Attachment(ctx, sc, in.Briefing, in.File)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", a.ContentType)
				hc.SetHeader("Content-Disposition", a.Disposition())
				hc.SetHeader("X-Content-Type-Options", "nosniff")
				hc.SetHeader("Cache-Control", "private, no-store")
				_, _ = hc.BodyWriter().Write(a.Data)
			}}, nil
		})
	add(s, huma.Operation{OperationID: "list-briefing-readers", Method: http.MethodGet, Path: path + "/{briefing}/readers", Tags: tags,
		Summary: "Read receipts: the briefing's audience, who opened it and when, who has not"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *readersIn) (*readersOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			rs, rc, next, err := s.Briefings.Readers(ctx, sc, in.Briefing, in.Read, before, in.limit())
			out := &readersOut{}
			out.Body.Items, out.Body.Receipts = rs, rc
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, err
		})
	add(s, huma.Operation{OperationID: "export-briefing-readers", Method: http.MethodGet, Path: path + "/{briefing}/readers/export", Tags: tags,
		Summary: "Every read receipt of a briefing, as CSV or XLSX"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *readersExportIn) (*huma.StreamResponse, error) {
			if _, err := s.Briefings.Get(ctx, sc, in.Briefing); err != nil {
				return nil, err
			}
			format := sheet.Format(in.Format)
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", format.ContentType())
				hc.SetHeader("Content-Disposition", `attachment; filename="`+in.Briefing+`-readers.`+in.Format+`"`)
				if err := s.Briefings.ExportReaders(ctx, sc, in.Briefing, format, hc.BodyWriter()); err != nil {
					s.Log.ErrorContext(ctx, "api: export readers", "err", err)
				}
			}}, nil
		})

	cpath := Prefix + "/programs/{program}/campaigns"
	ctags := []string{"campaigns"}
	add(s, huma.Operation{OperationID: "list-campaigns", Method: http.MethodGet, Path: cpath, Tags: ctags, Summary: "The program's campaigns, latest go-live first"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*campaignListOut, error) {
			cs, err := s.Campaigns.List(ctx, sc)
			out := &campaignListOut{}
			out.Body.Items = cs
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-campaign", Method: http.MethodPost, Path: cpath, Tags: ctags, DefaultStatus: http.StatusCreated,
		Summary: "Write a draft campaign: its label (the one its tasks, briefings and events carry), its go-live, its budget lines"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *campaignIn) (*campaignOut, error) {
			c, err := s.Campaigns.Create(ctx, sc, in.Body)
			return &campaignOut{Body: c}, err
		})
	add(s, huma.Operation{OperationID: "get-campaign", Method: http.MethodGet, Path: cpath + "/{campaign}", Tags: ctags,
		Summary: "A campaign with everything in it: tasks, briefings, events, its timeline and its budget burn"},
		needs{perm: program.PermTasksRead}, func(ctx context.Context, sc program.Scope, in *CampaignRef) (*campaignPageOut, error) {
			c, err := s.Campaigns.Page(ctx, sc, in.Campaign)
			return &campaignPageOut{Body: c}, err
		})
	add(s, huma.Operation{OperationID: "update-campaign", Method: http.MethodPut, Path: cpath + "/{campaign}", Tags: ctags,
		Summary: "Rewrite a campaign before it goes live; a new go-live moves its briefings' embargo"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *campaignUpdateIn) (*campaignOut, error) {
			c, err := s.Campaigns.Update(ctx, sc, in.Campaign, in.Body)
			return &campaignOut{Body: c}, err
		})
	add(s, huma.Operation{OperationID: "schedule-campaign", Method: http.MethodPost, Path: cpath + "/{campaign}/schedule", Tags: ctags,
		Summary: "Set a draft campaign to go live at its time"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *CampaignRef) (*campaignOut, error) {
			c, err := s.Campaigns.Schedule(ctx, sc, in.Campaign, true)
			return &campaignOut{Body: c}, err
		})
	add(s, huma.Operation{OperationID: "unschedule-campaign", Method: http.MethodPost, Path: cpath + "/{campaign}/unschedule", Tags: ctags,
		Summary: "Take a scheduled campaign back to a draft before it goes live"},
		needs{perm: program.PermTasksWrite}, func(ctx context.Context, sc program.Scope, in *CampaignRef) (*campaignOut, error) {
			c, err := s.Campaigns.Schedule(ctx, sc, in.Campaign, false)
			return &campaignOut{Body: c}, err
		})
}
