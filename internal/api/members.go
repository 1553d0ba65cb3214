package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/ladder"
	"kox/internal/member"
	"kox/internal/program"
)

// MemberOut is a member as the API shows it.
type MemberOut struct {
	ID                 string                 `json:"id" example:"mem_0123456789abcdef"`
	Name               string                 `json:"name"`
	Phone              string                 `json:"phone,omitempty"`
	Email              string                 `json:"email,omitempty"`
	Role               string                 `json:"role" enum:"koc,kos,kol"`
	Source             string                 `json:"source,omitempty" enum:"fan,incubated,seeded,scripted"`
	DisclosureRequired bool                   `json:"disclosure_required" doc:"Seeded and scripted members' content must be marked as sponsored or brand-made wherever it appears."`
	Domain             string                 `json:"domain" enum:"public,private"`
	Region             string                 `json:"region,omitempty"`
	City               string                 `json:"city,omitempty"`
	Status             string                 `json:"status" enum:"candidate,active,paused,left,banned"`
	Tags               []string               `json:"tags"`
	SocialAccounts     []member.SocialAccount `json:"social_accounts"`
	CreatedAt          time.Time              `json:"created_at"`
	UpdatedAt          time.Time              `json:"updated_at"`
}

func memberOut(m member.Member) MemberOut {
	return MemberOut{ID: m.PublicID, Name: m.Name, Phone: m.Phone, Email: m.Email, Role: string(m.Role), Source: string(m.Source),
		DisclosureRequired: m.DisclosureRequired(), Domain: string(m.Domain), Region: m.Region, City: m.City, Status: string(m.Status),
		Tags: m.Tags, SocialAccounts: m.Social, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// SocialIn is a social account in a request.
type SocialIn struct {
	Platform  string `json:"platform" enum:"xiaohongshu,douyin,weibo,wechat_channels,wechat_official,wechat_private,bilibili,kuaishou,zhihu,dianping,autohome,dongchedi,yiche,other"`
	Handle    string `json:"handle" minLength:"1" maxLength:"100"`
	URL       string `json:"url,omitempty" maxLength:"500"`
	Followers int64  `json:"followers,omitempty" minimum:"0"`
}

type MemberRef struct {
	ProgramRef
	Member string `path:"member" maxLength:"64" doc:"The member's id (mem_…)."`
}

type createMemberIn struct {
	ProgramRef
	Body struct {
		Name           string     `json:"name" minLength:"1" maxLength:"100"`
		Phone          string     `json:"phone,omitempty" maxLength:"20"`
		Email          string     `json:"email,omitempty" maxLength:"254"`
		Role           string     `json:"role" enum:"koc,kos,kol"`
		Source         string     `json:"source,omitempty" enum:"fan,incubated,seeded,scripted"`
		Domain         string     `json:"domain,omitempty" enum:"public,private"`
		Region         string     `json:"region,omitempty" maxLength:"50"`
		City           string     `json:"city,omitempty" maxLength:"50"`
		Status         string     `json:"status,omitempty" enum:"candidate,active,paused,left,banned"`
		Tags           []string   `json:"tags,omitempty" maxItems:"20"`
		SocialAccounts []SocialIn `json:"social_accounts,omitempty" maxItems:"20"`
	}
}

type updateMemberIn struct {
	MemberRef
	Body struct {
		Name   *string   `json:"name,omitempty" minLength:"1" maxLength:"100"`
		Phone  *string   `json:"phone,omitempty" maxLength:"20"`
		Email  *string   `json:"email,omitempty" maxLength:"254"`
		Role   *string   `json:"role,omitempty" enum:"koc,kos,kol"`
		Source *string   `json:"source,omitempty" enum:",fan,incubated,seeded,scripted"`
		Domain *string   `json:"domain,omitempty" enum:"public,private"`
		Region *string   `json:"region,omitempty" maxLength:"50"`
		City   *string   `json:"city,omitempty" maxLength:"50"`
		Status *string   `json:"status,omitempty" enum:"candidate,active,paused,left,banned"`
		Tags   *[]string `json:"tags,omitempty" maxItems:"20" doc:"Replaces the member's tags."`
	}
}

type memberBody struct{ Body MemberOut }

type listMembersIn struct {
	ProgramRef
	Page
	MemberQuery
}

// MemberQuery is the member table's filters and order, for the list and
// the export alike.
type MemberQuery struct {
	Role   string `query:"role" enum:"koc,kos,kol"`
	Source string `query:"source" enum:"fan,incubated,seeded,scripted"`
	Domain string `query:"domain" enum:"public,private"`
	Status string `query:"status" enum:"candidate,active,paused,left,banned"`
	Region string `query:"region" maxLength:"50"`
	City   string `query:"city" maxLength:"50"`
	Tag    string `query:"tag" maxLength:"32"`
	Q      string `query:"q" maxLength:"100" doc:"Search in name, phone and social handles."`
	Tier   string `query:"tier" maxLength:"81" doc:"Members on a tier, as ladder/tier (main/experience)."`
	Sort   string `query:"sort" enum:"oldest,name" doc:"Newest first unless oldest, or name."`
}

type membersOut struct {
	Body struct {
		Items      []MemberOut `json:"items"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}
}

type socialIn struct {
	MemberRef
	Body SocialIn
}

type socialOut struct{ Body member.SocialAccount }

type socialRef struct {
	MemberRef
	Account string `path:"account" maxLength:"64"`
}

type consentIn struct {
	MemberRef
	Body struct {
		Kind    string `json:"kind" minLength:"1" maxLength:"64" example:"content_reuse"`
		Granted bool   `json:"granted"`
		Text    string `json:"text,omitempty" maxLength:"4000" doc:"What the member was shown."`
		Source  string `json:"source,omitempty" maxLength:"100" example:"wecom_form"`
	}
}

type consentOut struct{ Body member.Consent }

type consentsOut struct {
	Body struct {
		Items      []member.Consent `json:"items"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}
}

type listConsentsIn struct {
	MemberRef
	Page
	Kind string `query:"kind" maxLength:"64"`
}

type noteIn struct {
	MemberRef
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"4000"`
	}
}

type noteOut struct{ Body member.Note }

type notesOut struct {
	Body struct {
		Items      []member.Note `json:"items"`
		NextCursor string        `json:"next_cursor,omitempty"`
	}
}

type listNotesIn struct {
	MemberRef
	Page
}

type matrixIn struct {
	ProgramRef
	Body struct {
		Platform  string `json:"platform" enum:"xiaohongshu,douyin,weibo,wechat_channels,wechat_official,wechat_private,bilibili,kuaishou,zhihu,dianping,autohome,dongchedi,yiche,other"`
		Layer     string `json:"layer" enum:"official,brand_ip,kos,koc" doc:"1 official + X brand IP + N KOS + N KOC."`
		Name      string `json:"name" minLength:"1" maxLength:"100"`
		Handle    string `json:"handle" minLength:"1" maxLength:"100"`
		URL       string `json:"url,omitempty" maxLength:"500"`
		Followers int64  `json:"followers,omitempty" minimum:"0"`
		MemberID  string `json:"member_id,omitempty" maxLength:"64"`
	}
}

type matrixOut struct{ Body member.MatrixEntry }

type matrixListIn struct {
	ProgramRef
	Page
	Platform string `query:"platform" maxLength:"32"`
	Layer    string `query:"layer" enum:"official,brand_ip,kos,koc"`
}

type matrixListOut struct {
	Body struct {
		Items      []member.MatrixEntry `json:"items"`
		NextCursor string               `json:"next_cursor,omitempty"`
	}
}

type matrixRef struct {
	ProgramRef
	Entry string `path:"entry" maxLength:"64"`
}

func (s *Server) registerMembers() {
	tags := []string{"members"}
	base := Prefix + "/programs/{program}/members"
	add(s, huma.Operation{OperationID: "list-members", Method: http.MethodGet, Path: base, Tags: tags,
		Summary: "List and search members"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *listMembersIn) (*membersOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			f.Before, f.Limit = before, in.limit()
			ms, next, err := s.Members.List(ctx, sc, f)
			if err != nil {
				return nil, err
			}
			out := &membersOut{}
			out.Body.Items = make([]MemberOut, 0, len(ms))
			for _, m := range ms {
				out.Body.Items = append(out.Body.Items, memberOut(m))
			}
			out.Body.NextCursor = encodeCursor(next)
			return out, nil
		})

	add(s, huma.Operation{OperationID: "create-member", Method: http.MethodPost, Path: base, Tags: tags,
		Summary: "Add a member", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *createMemberIn) (*memberBody, error) {
			b := in.Body
			n := member.NewMember{Fields: member.Fields{Name: b.Name, Phone: b.Phone, Email: b.Email, Role: member.Role(b.Role),
				Source: member.Source(b.Source), Domain: member.Domain(b.Domain), Region: b.Region, City: b.City,
				Status: member.Status(b.Status), Tags: b.Tags}}
			for _, sa := range b.SocialAccounts {
				n.Social = append(n.Social, member.SocialInput(sa))
			}
			m, err := s.Members.Create(ctx, sc, n)
			if err != nil {
				return nil, err
			}
			return &memberBody{Body: memberOut(m)}, nil
		})

	add(s, huma.Operation{OperationID: "get-member", Method: http.MethodGet, Path: base + "/{member}", Tags: tags,
		Summary: "Get a member (members may read their own record)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*memberBody, error) {
			m, err := s.Members.Get(ctx, sc, in.Member)
			if err != nil {
				return nil, err
			}
			return &memberBody{Body: memberOut(m)}, nil
		})

	add(s, huma.Operation{OperationID: "update-member", Method: http.MethodPatch, Path: base + "/{member}", Tags: tags,
		Summary: "Change a member"},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *updateMemberIn) (*memberBody, error) {
			b := in.Body
			p := member.Patch{Name: b.Name, Phone: b.Phone, Email: b.Email, Region: b.Region, City: b.City, Tags: b.Tags}
			if b.Role != nil {
				r := member.Role(*b.Role)
				p.Role = &r
			}
			if b.Source != nil {
				v := member.Source(*b.Source)
				p.Source = &v
			}
			if b.Domain != nil {
				v := member.Domain(*b.Domain)
				p.Domain = &v
			}
			if b.Status != nil {
				v := member.Status(*b.Status)
				p.Status = &v
			}
			m, err := s.Members.Update(ctx, sc, in.Member, p)
			if err != nil {
				return nil, err
			}
			return &memberBody{Body: memberOut(m)}, nil
		})

	add(s, huma.Operation{OperationID: "add-social-account", Method: http.MethodPost, Path: base + "/{member}/social-accounts", Tags: tags,
		Summary: "Add a social account to a member", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *socialIn) (*socialOut, error) {
			sa, err := s.Members.AddSocial(ctx, sc, in.Member, member.SocialInput(in.Body))
			if err != nil {
				return nil, err
			}
			return &socialOut{Body: sa}, nil
		})

	add(s, huma.Operation{OperationID: "remove-social-account", Method: http.MethodDelete, Path: base + "/{member}/social-accounts/{account}",
		Tags: tags, Summary: "Remove a member's social account", DefaultStatus: http.StatusNoContent},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *socialRef) (*struct{}, error) {
			return &struct{}{}, s.Members.RemoveSocial(ctx, sc, in.Member, in.Account)
		})

	add(s, huma.Operation{OperationID: "list-consents", Method: http.MethodGet, Path: base + "/{member}/consents", Tags: tags,
		Summary: "A member's consent record, oldest first"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *listConsentsIn) (*consentsOut, error) {
			w, err := in.window()
			if err != nil {
				return nil, err
			}
			cs, next, err := s.Members.Consents(ctx, sc, in.Member, in.Kind, w)
			if err != nil {
				return nil, err
			}
			out := &consentsOut{}
			out.Body.Items, out.Body.NextCursor = cs, encodeCursor(int64(next))
			return out, nil
		})

	add(s, huma.Operation{OperationID: "record-consent", Method: http.MethodPost, Path: base + "/{member}/consents", Tags: tags,
		Summary: "Record a consent given or withdrawn", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *consentIn) (*consentOut, error) {
			c, err := s.Members.RecordConsent(ctx, sc, in.Member, member.Consent{Kind: in.Body.Kind, Granted: in.Body.Granted,
				Text: in.Body.Text, Source: in.Body.Source})
			if err != nil {
				return nil, err
			}
			return &consentOut{Body: c}, nil
		})

	add(s, huma.Operation{OperationID: "list-notes", Method: http.MethodGet, Path: base + "/{member}/notes", Tags: tags,
		Summary: "Operators' notes on a member, newest first"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *listNotesIn) (*notesOut, error) {
			w, err := in.window()
			if err != nil {
				return nil, err
			}
			ns, next, err := s.Members.Notes(ctx, sc, in.Member, w)
			if err != nil {
				return nil, err
			}
			out := &notesOut{}
			out.Body.Items, out.Body.NextCursor = ns, encodeCursor(int64(next))
			return out, nil
		})

	add(s, huma.Operation{OperationID: "add-note", Method: http.MethodPost, Path: base + "/{member}/notes", Tags: tags,
		Summary: "Add a note on a member", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *noteIn) (*noteOut, error) {
			n, err := s.Members.AddNote(ctx, sc, in.Member, in.Body.Body)
			if err != nil {
				return nil, err
			}
			return &noteOut{Body: n}, nil
		})

	matrix := Prefix + "/programs/{program}/account-matrix"
	add(s, huma.Operation{OperationID: "list-account-matrix", Method: http.MethodGet, Path: matrix, Tags: []string{"account matrix"},
		Summary: "The 1+X+N+N account matrix, by platform and layer"},
		needs{perm: program.PermMembersRead}, func(ctx context.Context, sc program.Scope, in *matrixListIn) (*matrixListOut, error) {
			w, err := in.window()
			if err != nil {
				return nil, err
			}
			es, next, err := s.Members.Matrix(ctx, sc, in.Platform, member.Layer(in.Layer), w)
			if err != nil {
				return nil, err
			}
			out := &matrixListOut{}
			out.Body.Items, out.Body.NextCursor = es, encodeCursor(int64(next))
			return out, nil
		})

	add(s, huma.Operation{OperationID: "add-matrix-account", Method: http.MethodPost, Path: matrix, Tags: []string{"account matrix"},
		Summary: "Register an account in the matrix", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *matrixIn) (*matrixOut, error) {
			b := in.Body
			e, err := s.Members.AddToMatrix(ctx, sc, member.MatrixInput{Platform: b.Platform, Layer: member.Layer(b.Layer), Name: b.Name,
				Handle: b.Handle, URL: b.URL, Followers: b.Followers, MemberID: b.MemberID})
			if err != nil {
				return nil, err
			}
			return &matrixOut{Body: e}, nil
		})

	add(s, huma.Operation{OperationID: "remove-matrix-account", Method: http.MethodDelete, Path: matrix + "/{entry}", Tags: []string{"account matrix"},
		Summary: "Take an account out of the matrix", DefaultStatus: http.StatusNoContent},
		needs{perm: program.PermMembersWrite}, func(ctx context.Context, sc program.Scope, in *matrixRef) (*struct{}, error) {
			return &struct{}{}, s.Members.RemoveFromMatrix(ctx, sc, in.Entry)
		})
}

// filter is the query as the member service's filter.
func (in MemberQuery) filter() (member.Filter, error) {
	f := member.Filter{Role: member.Role(in.Role), Source: member.Source(in.Source), Domain: member.Domain(in.Domain),
		Status: member.Status(in.Status), Region: in.Region, City: in.City, Tag: in.Tag, Query: in.Q, Sort: member.Sort(in.Sort)}
	if in.Tier != "" {
		c, err := ladder.OnTier(in.Tier)
		if err != nil {
			return f, err
		}
		f.Where = append(f.Where, c)
	}
	return f, nil
}
