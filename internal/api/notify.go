package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/i18n"
	"kox/internal/notify"
	"kox/internal/program"
)

type inboxIn struct {
	ProgramRef
	Page
	Lang           string `query:"lang" enum:"zh-CN,en," doc:"The language of each notification's text; empty: from Accept-Language."`
	AcceptLanguage string `header:"Accept-Language"`
}

type inboxOut struct {
	Body struct {
		notify.Inbox
		NextCursor string `json:"next_cursor,omitempty"`
	}
}

type markedOut struct {
	Body struct {
		Marked int `json:"marked" doc:"How many were unread."`
	}
}

type prefsIn struct {
	MemberRef
	Body struct {
		Email bool `json:"email" doc:"Email as well as in-app notifications, when the program has an email channel."`
	}
}

type prefsOut struct {
	Body struct {
		Email bool `json:"email"`
	}
}

type endpointsOut struct {
	Body struct {
		Items []notify.Endpoint `json:"items"`
	}
}

type endpointIn struct {
	ProgramRef
	Body notify.EndpointInput
}

type endpointOut struct{ Body notify.Endpoint }

type endpointActiveIn struct {
	ProgramRef
	Endpoint string `path:"endpoint" maxLength:"64"`
	Body     struct {
		Active bool `json:"active"`
	}
}

type deliveriesIn struct {
	ProgramRef
	Page
	Status string `query:"status" enum:"pending,sent,dead,"`
}

type deliveriesOut struct {
	Body struct {
		Items      []notify.Delivery `json:"items"`
		NextCursor string            `json:"next_cursor,omitempty"`
	}
}

type deliveryIn struct {
	ProgramRef
	Delivery string `path:"delivery" maxLength:"64"`
}

type deliveryOut struct{ Body notify.Delivery }

func (s *Server) registerNotify() {
	tags := []string{"notifications"}
	path := Prefix + "/programs/{program}/notifications"
	add(s, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "The caller's own notifications (a member's, or an operator's), newest first, with how many are unread"},
		needs{perm: program.PermProgramRead, members: true}, func(ctx context.Context, sc program.Scope, in *inboxIn) (*inboxOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			inbox, next, err := s.Notify.Inbox(ctx, sc, i18n.Pick(in.Lang, in.AcceptLanguage), before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &inboxOut{}
			out.Body.Inbox = inbox
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "mark-notifications-read", Method: http.MethodPost, Path: path + "/read", Tags: tags,
		Summary: "Mark all the caller's notifications read"},
		needs{perm: program.PermProgramRead, members: true}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*markedOut, error) {
			n, err := s.Notify.MarkRead(ctx, sc)
			out := &markedOut{}
			out.Body.Marked = n
			return out, err
		})
	prefs := Prefix + "/programs/{program}/members/{member}/notification-preferences"
	add(s, huma.Operation{OperationID: "get-notification-preferences", Method: http.MethodGet, Path: prefs, Tags: tags,
		Summary: "A member's notification preferences (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*prefsOut, error) {
			on, err := s.Notify.EmailPreference(ctx, sc, in.Member)
			out := &prefsOut{}
			out.Body.Email = on
			return out, err
		})
	add(s, huma.Operation{OperationID: "set-notification-preferences", Method: http.MethodPut, Path: prefs, Tags: tags,
		Summary: "Set a member's notification preferences: their own, or an operator recording their choice (audited)"},
		needs{perm: program.PermMembersWrite, members: true}, func(ctx context.Context, sc program.Scope, in *prefsIn) (*prefsOut, error) {
			err := s.Notify.SetEmailPreference(ctx, sc, in.Member, in.Body.Email)
			out := &prefsOut{}
			out.Body.Email = in.Body.Email
			return out, err
		})

	channels := Prefix + "/programs/{program}/channels"
	add(s, huma.Operation{OperationID: "list-channels", Method: http.MethodGet, Path: channels, Tags: tags,
		Summary: "The program's channels: signed webhooks, WeCom group bots, email; secrets never shown"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*endpointsOut, error) {
			eps, err := s.Notify.Endpoints(ctx, sc)
			out := &endpointsOut{}
			out.Body.Items = eps
			return out, err
		})
	add(s, huma.Operation{OperationID: "add-channel", Method: http.MethodPost, Path: channels, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Add a channel; its URL, secret and password are sealed at rest. Webhook requests carry X-Kox-Event-Id, X-Kox-Timestamp and X-Kox-Signature: v1=hex(HMAC-SHA256(secret, timestamp + \".\" + body))"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *endpointIn) (*endpointOut, error) {
			ep, err := s.Notify.AddEndpoint(ctx, sc, in.Body)
			return &endpointOut{Body: ep}, err
		})
	add(s, huma.Operation{OperationID: "set-channel-active", Method: http.MethodPost, Path: channels + "/{endpoint}/active", Tags: tags,
		Summary: "Turn a channel on or off"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *endpointActiveIn) (*endpointOut, error) {
			ep, err := s.Notify.SetEndpointActive(ctx, sc, in.Endpoint, in.Body.Active)
			return &endpointOut{Body: ep}, err
		})
	deliveries := Prefix + "/programs/{program}/deliveries"
	add(s, huma.Operation{OperationID: "list-deliveries", Method: http.MethodGet, Path: deliveries, Tags: tags,
		Summary: "The delivery log, newest first: each event sent to each channel, its attempts and last answer"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *deliveriesIn) (*deliveriesOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			ds, next, err := s.Notify.Deliveries(ctx, sc, in.Status, before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &deliveriesOut{}
			out.Body.Items = ds
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "replay-delivery", Method: http.MethodPost, Path: deliveries + "/{delivery}/replay", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Send a delivery again with the same event id and body (a receiver drops it if it had it)"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *deliveryIn) (*deliveryOut, error) {
			d, err := s.Notify.Replay(ctx, sc, in.Delivery)
			return &deliveryOut{Body: d}, err
		})
}
