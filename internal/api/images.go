package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/media"
	"kox/internal/program"
)

type uploadImageIn struct {
	ProgramRef
	RawBody []byte `contentType:"application/octet-stream" doc:"The image's bytes (JPEG, PNG, WebP or GIF; at most 5 MB)."`
}

type imageOut struct {
	Body struct {
		Ref         string `json:"ref" doc:"Name it in a submission's images."`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	}
}

type imageRef struct {
	ProgramRef
	Image string `path:"image" maxLength:"40"`
}

func (s *Server) registerImages() {
	add(s, huma.Operation{OperationID: "upload-image", Method: http.MethodPost, Path: Prefix + "/programs/{program}/images", Tags: []string{"tasks"},
		Summary: "Upload an image to hand in with a submission (a member their own)", DefaultStatus: http.StatusCreated,
		MaxBodyBytes: media.MaxBytes + 1},
		needs{perm: program.PermTasksWrite, members: true}, func(ctx context.Context, sc program.Scope, in *uploadImageIn) (*imageOut, error) {
			img, err := s.Media.Put(ctx, sc, in.RawBody)
			if err != nil {
				return nil, err
			}
			out := &imageOut{}
			out.Body.Ref, out.Body.ContentType, out.Body.Size = img.Ref, img.ContentType, img.Size
			return out, nil
		})
	add(s, huma.Operation{OperationID: "get-image", Method: http.MethodGet, Path: Prefix + "/programs/{program}/images/{image}", Tags: []string{"tasks"},
		Summary: "An uploaded image (a member their own)"},
		needs{perm: program.PermTasksRead, members: true}, func(ctx context.Context, sc program.Scope, in *imageRef) (*huma.StreamResponse, error) {
			img, err := s.Media.Get(ctx, sc, in.Image)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", img.ContentType)
				hc.SetHeader("Cache-Control", "private, max-age=86400")
				_, _ = hc.BodyWriter().Write(img.Data)
			}}, nil
		})
}
