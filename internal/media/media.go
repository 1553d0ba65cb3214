// Package media keeps the images members hand in with their work: checked
// for type (by their bytes, not their name) and size, stored behind Store
// (the database by default, so a backup holds everything), and read back
// only by the member who uploaded them and the program's operators.
package media

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Limits on an image.
const (
	MaxBytes = 5 << 20
	Prefix   = "img_" // an image's reference, as a submission names it
)

// Types are the image types kox keeps.
var Types = []string{"image/jpeg", "image/png", "image/webp", "image/gif"}

// Image is a stored image.
type Image struct {
	Ref         string
	ContentType string
	Size        int64
	Data        []byte
	member      int64
}

// Store keeps images' bytes: the small interface another store (object
// storage) would implement.
type Store interface {
	Put(ctx context.Context, programID, memberID int64, img Image) error
	Get(ctx context.Context, programID int64, ref string) (Image, error)
}

// DBStore keeps images in the database.
type DBStore struct{ DB *db.DB }

func (s DBStore) Put(ctx context.Context, programID, memberID int64, img Image) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO images (program_id, public_id, member_id, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, programID, img.Ref, memberID, img.ContentType, img.Size, img.Data, tx.Now.UnixMicro())
		return err
	})
}

func (s DBStore) Get(ctx context.Context, programID int64, ref string) (Image, error) {
	var img Image
	err := s.DB.R.QueryRowContext(ctx, `SELECT public_id, content_type, size, data, member_id FROM images WHERE program_id = $1 AND public_id = $2`,
		programID, ref).Scan(&img.Ref, &img.ContentType, &img.Size, &img.Data, &img.member)
	if errors.Is(err, sql.ErrNoRows) {
		return Image{}, notFound(ref)
	}
	return img, err
}

func notFound(ref string) error {
	return fault.New(fault.NotFound, "image.not_found", "image {ref} not found", fault.P{"ref": ref})
}

// Service checks and keeps images.
type Service struct {
	Store Store
}

// Put checks an upload (a member's own, or an operator's who may write
// tasks) and keeps it; the reference goes into a submission's images.
func (s *Service) Put(ctx context.Context, sc program.Scope, data []byte) (Image, error) {
	var memberID int64
	if sc.Actor.Kind == program.ActorMember {
		memberID = sc.Actor.ID
	} else if err := sc.Require(program.PermTasksWrite); err != nil {
		return Image{}, err
	}
	ct, err := Check(data)
	if err != nil {
		return Image{}, err
	}
	img := Image{Ref: pubid.New("img"), ContentType: ct, Size: int64(len(data)), Data: data}
	if err := s.Store.Put(ctx, sc.Program.ID, memberID, img); err != nil {
		return Image{}, fmt.Errorf("media: put: %w", err)
	}
	return img, nil
}

// Check says an upload's type, by its bytes, or why kox will not keep it;
// a form checks every file before keeping any.
func Check(data []byte) (string, error) {
	if len(data) > MaxBytes {
		return "", fault.Field("images", "image.too_big", "is larger than {max} MB", fault.P{"max": MaxBytes >> 20})
	}
	ct := http.DetectContentType(data)
	if !slices.Contains(Types, ct) {
		return "", fault.Field("images", "image.type", "must be a JPEG, PNG, WebP or GIF image")
	}
	return ct, nil
}

// Get reads an image: a member only their own; operators who may read
// tasks any of the program's.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Image, error) {
	if sc.Actor.Kind != program.ActorMember {
		if err := sc.Require(program.PermTasksRead); err != nil {
			return Image{}, err
		}
	}
	img, err := s.Store.Get(ctx, sc.Program.ID, ref)
	if err != nil {
		return Image{}, err
	}
	if sc.Actor.Kind == program.ActorMember && img.member != sc.Actor.ID {
		return Image{}, notFound(ref)
	}
	return img, nil
}

// IsRef says whether a submission's image is one kept here (else it is a
// link).
func IsRef(s string) bool { return strings.HasPrefix(s, Prefix) && len(s) < 40 }
