package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/program"
)

// APIKeyOut is an API key as the API shows it; the secret only at creation.
type APIKeyOut struct {
	ID         string     `json:"id" example:"key_0123456789abcdef"`
	Name       string     `json:"name"`
	Role       string     `json:"role" enum:"admin,operator,reviewer,finance,viewer"`
	Prefix     string     `json:"prefix" doc:"The first characters of the secret, to tell keys apart."`
	Secret     string     `json:"secret,omitempty" doc:"Shown once, when the key is created."`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func apiKeyOut(k program.APIKey) APIKeyOut {
	out := APIKeyOut{ID: k.PublicID, Name: k.Name, Role: string(k.Role), Prefix: k.Prefix, CreatedAt: k.CreatedAt}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		out.LastUsedAt = &t
	}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt
		out.RevokedAt = &t
	}
	return out
}

type createKeyIn struct {
	ProgramRef
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"100" example:"Tmall shop"`
		Role string `json:"role" enum:"admin,operator,reviewer,finance,viewer"`
	}
}

type keyOut struct{ Body APIKeyOut }

type keysOut struct {
	Body struct {
		Items      []APIKeyOut `json:"items"`
		NextCursor string      `json:"next_cursor,omitempty"`
	}
}

type listKeysIn struct {
	ProgramRef
	Page
	Revoked string `query:"revoked" enum:"true,false" doc:"true: only revoked keys; false: only working ones."`
}

type KeyRef struct {
	ProgramRef
	Key string `path:"key" maxLength:"64" doc:"The key's id (key_…)."`
}

func (s *Server) registerAPIKeys() {
	add(s, huma.Operation{OperationID: "list-api-keys", Method: http.MethodGet, Path: Prefix + "/programs/{program}/api-keys",
		Tags: []string{"api keys"}, Summary: "List the program's API keys"},
		needs{perm: program.PermAPIKeysManage}, func(ctx context.Context, sc program.Scope, in *listKeysIn) (*keysOut, error) {
			ks, err := s.Programs.APIKeys(ctx, sc)
			if err != nil {
				return nil, err
			}
			items := make([]APIKeyOut, 0, len(ks))
			for _, k := range ks {
				if in.Revoked == "" || (in.Revoked == "true") == !k.RevokedAt.IsZero() {
					items = append(items, apiKeyOut(k))
				}
			}
			out := &keysOut{}
			out.Body.Items, out.Body.NextCursor, err = pageOf(items, in.Page)
			return out, err
		})

	add(s, huma.Operation{OperationID: "create-api-key", Method: http.MethodPost, Path: Prefix + "/programs/{program}/api-keys",
		Tags: []string{"api keys"}, Summary: "Create an API key; its secret is shown once", DefaultStatus: http.StatusCreated},
		needs{perm: program.PermAPIKeysManage}, func(ctx context.Context, sc program.Scope, in *createKeyIn) (*keyOut, error) {
			k, secret, err := s.Programs.CreateAPIKey(ctx, sc, in.Body.Name, program.Role(in.Body.Role))
			if err != nil {
				return nil, err
			}
			out := apiKeyOut(k)
			out.Secret = secret
			return &keyOut{Body: out}, nil
		})

	add(s, huma.Operation{OperationID: "revoke-api-key", Method: http.MethodDelete, Path: Prefix + "/programs/{program}/api-keys/{key}",
		Tags: []string{"api keys"}, Summary: "Revoke an API key"},
		needs{perm: program.PermAPIKeysManage}, func(ctx context.Context, sc program.Scope, in *KeyRef) (*keyOut, error) {
			k, err := s.Programs.RevokeAPIKey(ctx, sc, in.Key)
			if err != nil {
				return nil, err
			}
			return &keyOut{Body: apiKeyOut(k)}, nil
		})
}
