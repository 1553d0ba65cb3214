package briefing

import (
	"context"
	"database/sql"
	"io"
	"strconv"
	"time"

	"kox/internal/db"
	"kox/internal/program"
	"kox/internal/sheet"
)

// Reader is a member of a briefing's audience: who may see it (at its
// release, if that is still to come) or who opened it, and when.
type BriefingReader struct {
	ID     int64     `json:"-"`
	Member string    `json:"member"`
	Name   string    `json:"name"`
	Region string    `json:"region,omitempty"`
	ReadAt time.Time `json:"read_at,omitzero" doc:"Empty: not opened yet."`
}

// Receipts are a briefing's audience and how many of it read it.
type Receipts struct {
	Audience int64 `json:"audience"`
	Read     int64 `json:"read"`
}

// audienceSQL selects the briefing's audience (members who may see it at
// its release or now, whichever is later) and whoever opened it: FROM, with
// the briefing as $1.
func audienceSQL(b Briefing, now time.Time) string {
	when := max(now.UnixMicro(), b.ReleaseAt.UnixMicro())
	return ` FROM members m JOIN briefings b ON b.id = $1 LEFT JOIN briefing_reads r ON r.briefing_id = b.id AND r.member_id = m.id
		WHERE m.program_id = b.program_id AND (r.read_at IS NOT NULL OR (m.status = 'active' AND ` +
		visibleSQL("m.id", when) + `))`
}

// Readers lists a briefing's audience with their reads (operators): read
// "yes" only those who opened it, "no" only those who have not.
func (s *Service) Readers(ctx context.Context, sc program.Scope, ref, read string, before int64, limit int) ([]BriefingReader, Receipts, int64, error) {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return nil, Receipts{}, 0, err
	}
	if err := db.CheckLimit(limit); err != nil {
		return nil, Receipts{}, 0, err
	}
	b, err := s.Get(ctx, sc, ref)
	if err != nil {
		return nil, Receipts{}, 0, err
	}
	from := audienceSQL(b, s.DB.Now())
	var rc Receipts
	if b.Status != Draft {
		if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(r.read_at)`+from, b.ID).Scan(&rc.Audience, &rc.Read); err != nil {
			return nil, Receipts{}, 0, err
		}
	}
	q := `SELECT m.id, m.public_id, m.name, m.region, COALESCE(r.read_at, 0)` + from
	switch read {
	case "yes":
		q += ` AND r.read_at IS NOT NULL`
	case "no":
		q += ` AND r.read_at IS NULL`
	}
	if before > 0 {
		q += ` AND m.id < ` + strconv.FormatInt(before, 10)
	}
	rows, err := s.DB.R.QueryContext(ctx, q+` ORDER BY m.id DESC LIMIT $2`, b.ID, limit+1)
	rs, err := db.Collect(rows, err, scanReader)
	if err != nil {
		return nil, Receipts{}, 0, err
	}
	rs, next := db.TrimPage(rs, limit, func(r BriefingReader) int64 { return r.ID })
	return rs, rc, next, nil
}

func scanReader(r *sql.Rows) (BriefingReader, error) {
	var x BriefingReader
	var readAt int64
	err := r.Scan(&x.ID, &x.Member, &x.Name, &x.Region, &readAt)
	x.ReadAt = at(readAt)
	return x, err
}

// ExportReaders writes the whole audience with their reads as a sheet.
func (s *Service) ExportReaders(ctx context.Context, sc program.Scope, ref string, format sheet.Format, w io.Writer) error {
	if err := sc.Require(program.PermTasksRead); err != nil {
		return err
	}
	if !sheet.Valid(format) {
		return sheet.FormatError()
	}
	b, err := s.Get(ctx, sc, ref)
	if err != nil {
		return err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT m.id, m.public_id, m.name, m.region, COALESCE(r.read_at, 0)`+audienceSQL(b, s.DB.Now())+` ORDER BY m.id`, b.ID)
	rs, err := db.Collect(rows, err, scanReader)
	if err != nil {
		return err
	}
	return sheet.Write(w, format, []string{"member", "name", "region", "read_at"}, func(put func([]string) error) error {
		for _, r := range rs {
			read := ""
			if !r.ReadAt.IsZero() {
				read = r.ReadAt.Format(time.RFC3339)
			}
			if err := put([]string{r.Member, r.Name, r.Region, read}); err != nil {
				return err
			}
		}
		return nil
	})
}
