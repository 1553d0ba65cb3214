package briefing

import (
	"context"
	"database/sql"
	"errors"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Limits on attachments.
const (
	MaxAttachmentBytes = 10 << 20
	MaxAttachments     = 10
)

// AttachmentTypes are the kinds of file a briefing carries: release notes
// as PDF or text, highlights as images.
var AttachmentTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif", "text/plain; charset=utf-8"}

// Attachment is a file of a briefing.
type Attachment struct {
	PublicID    string    `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"`
}

// Disposition is the file's Content-Disposition: a download under its
// name, never shown inline, so that no file runs as a page of kox.
func (a Attachment) Disposition() string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
}

func attachments(ctx context.Context, d *db.DB, briefingID int64) ([]Attachment, error) {
	rows, err := d.R.QueryContext(ctx, `SELECT public_id, name, content_type, size, created_at FROM briefing_attachments WHERE briefing_id = $1 ORDER BY id`,
		briefingID)
	return db.Collect(rows, err, func(r *sql.Rows) (Attachment, error) {
		var a Attachment
		var created int64
		err := r.Scan(&a.PublicID, &a.Name, &a.ContentType, &a.Size, &created)
		a.CreatedAt = at(created)
		return a, err
	})
}

// Attach adds a file to a briefing that is not withdrawn: its type is read
// from its bytes, not its name.
func (s *Service) Attach(ctx context.Context, sc program.Scope, ref, name string, data []byte) (Attachment, error) {
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Attachment{}, err
	}
	name = strings.TrimSpace(path.Base(strings.ReplaceAll(name, `\`, "/")))
	var f fault.Fields
	if name == "" || name == "." || name == "/" || len([]rune(name)) > 200 {
		f.Length("name", 1, 200)
	}
	ct := http.DetectContentType(data)
	switch {
	case len(data) == 0:
		f.Required("file")
	case len(data) > MaxAttachmentBytes:
		f.Add("file", "briefing.file_too_big", "is larger than {max} MB", fault.P{"max": MaxAttachmentBytes >> 20})
	case !slices.Contains(AttachmentTypes, ct):
		f.Add("file", "briefing.file_type", "must be a PDF, an image or plain text")
	}
	if err := f.Err(); err != nil {
		return Attachment{}, err
	}
	a := Attachment{PublicID: pubid.New("att"), Name: name, ContentType: ct, Size: int64(len(data))}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.get(ctx, tx, sc, ref, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !b.Editable() {
			return fault.New(fault.Conflict, "briefing.withdrawn", "the briefing is withdrawn")
		}
		if len(b.Attachments) >= MaxAttachments {
			return fault.Field("file", "briefing.too_many_files", "a briefing holds at most {max} files", fault.P{"max": MaxAttachments})
		}
		a.CreatedAt = tx.Now.UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO briefing_attachments (program_id, briefing_id, public_id, name, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.Program.ID, b.ID, a.PublicID, a.Name, a.ContentType, a.Size, data, tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "briefing.attach", ObjectKind: "briefing", ObjectID: ref,
			After: map[string]any{"attachment": a.PublicID, "name": a.Name, "size": a.Size}})
	})
	return a, err
}

// Attachment reads a file of a briefing the scope may see: to a member
// outside the chosen tiers an embargoed briefing's file is not found.
func (s *Service) Attachment(ctx context.Context, sc program.Scope, ref, file string) (Attachment, error) {
	b, err := s.Get(ctx, sc, ref)
	if err != nil {
		return Attachment{}, err
	}
	var a Attachment
	var created int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT public_id, name, content_type, size, data, created_at FROM briefing_attachments
		WHERE briefing_id = $1 AND public_id = $2`, b.ID, file).Scan(&a.PublicID, &a.Name, &a.ContentType, &a.Size, &a.Data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, fault.New(fault.NotFound, "briefing.file_not_found", "no file {file}", fault.P{"file": file})
	}
	a.CreatedAt = at(created)
	return a, err
}
