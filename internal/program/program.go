// Package program holds programs: a brand's KOX program (or one of an
// agency's brands), the unit that owns every other row and keeps data apart.
package program

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/pubid"
)

// Program is one program's settings.
type Program struct {
	ID          int64     `json:"-"`  // internal key
	PublicID    string    `json:"id"` // prg_…, shown outside
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	Currency    string    `json:"currency"`  // ISO 4217; money is kept in its minor unit
	TimeZone    string    `json:"time_zone"` // IANA name; times are stored in UTC and shown in this zone
	Locale      string    `json:"locale"`    // zh-CN or en
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// zones keeps the time zones programs have asked for: time.LoadLocation
// reads the zone database from disk on every call.
var zones sync.Map

// Location is the program's time zone (UTC should its name not load, which
// Normalize never lets happen).
func (p Program) Location() *time.Location {
	if l, ok := zones.Load(p.TimeZone); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(p.TimeZone, l)
	return l
}

// Defaults for a new program (SPEC L1).
const (
	DefaultCurrency = "CNY"
	DefaultTimeZone = "Asia/Shanghai"
	DefaultLocale   = "zh-CN"
)

// Locales kox speaks.
var Locales = []string{"zh-CN", "en"}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Normalize fills defaults and validates, naming every invalid field.
func (p *Program) Normalize() error {
	p.Slug = strings.TrimSpace(p.Slug)
	p.Name = strings.TrimSpace(p.Name)
	if p.Currency == "" {
		p.Currency = DefaultCurrency
	}
	if p.TimeZone == "" {
		p.TimeZone = DefaultTimeZone
	}
	if p.Locale == "" {
		p.Locale = DefaultLocale
	}
	var f fault.Fields
	if !slugRE.MatchString(p.Slug) {
		f.Add("slug", "slug", "must be 2 to 63 lowercase letters, digits or hyphens, starting with a letter or digit")
	}
	if p.Name == "" || len([]rune(p.Name)) > 120 {
		f.Length("name", 1, 120)
	}
	if !currencyRE.MatchString(p.Currency) {
		f.Add("currency", "currency", "must be a three-letter ISO 4217 code such as CNY")
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
		f.Add("time_zone", "time_zone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if !validLocale(p.Locale) {
		f.OneOf("locale", Locales)
	}
	if len([]rune(p.Description)) > 2000 {
		f.MaxLength("description", 2000)
	}
	return f.Err()
}

func validLocale(l string) bool { return slices.Contains(Locales, l) }

const cols = `id, public_id, slug, name, currency, time_zone, locale, description, created_at, updated_at`

// scan reads a program's columns, then any extra columns into more.
func scan(s interface{ Scan(...any) error }, more ...any) (Program, error) {
	var p Program
	var created, updated int64
	err := s.Scan(append([]any{&p.ID, &p.PublicID, &p.Slug, &p.Name, &p.Currency, &p.TimeZone, &p.Locale, &p.Description, &created, &updated}, more...)...)
	p.CreatedAt = time.UnixMicro(created).UTC()
	p.UpdatedAt = time.UnixMicro(max(updated, created)).UTC()
	return p, err
}

func slugTaken() error {
	return fault.Field("slug", "taken", "is taken by another program")
}

// CreateTx creates a program in tx, audited.
func CreateTx(ctx context.Context, tx *db.Tx, p Program) (Program, error) {
	if err := p.Normalize(); err != nil {
		return Program{}, err
	}
	p.PublicID = pubid.New("prg")
	out, err := scan(tx.QueryRowContext(ctx, `INSERT INTO programs (public_id, slug, name, currency, time_zone, locale,
		description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING `+cols,
		p.PublicID, p.Slug, p.Name, p.Currency, p.TimeZone, p.Locale, p.Description, tx.Now.UnixMicro()))
	if err != nil {
		if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
			return Program{}, slugTaken()
		}
		return Program{}, fmt.Errorf("create program: %w", db.MapError(err))
	}
	return out, Audit(ctx, tx, Change{ProgramID: out.ID, Action: "program.create", ObjectKind: "program", ObjectID: out.PublicID, After: out})
}

// Create creates a program; only an owner may. The creator, when an
// operator, becomes its admin.
func (s *Service) Create(ctx context.Context, p Program) (Program, error) {
	a, err := mustActor(ctx)
	if err != nil {
		return Program{}, err
	}
	if !(a.Kind == ActorOperator && a.Owner) && a.Kind != ActorSystem {
		return Program{}, fault.New(fault.Forbidden, "program.owner_only", "only an owner of this installation may create programs")
	}
	var out Program
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if out, err = CreateTx(ctx, tx, p); err != nil {
			return err
		}
		for _, hook := range s.OnCreate {
			if err := hook(ctx, tx, out); err != nil {
				return err
			}
		}
		if a.Kind == ActorOperator {
			o, err := s.OperatorByID(ctx, a.ID)
			if err != nil {
				return err
			}
			return SetRoleTx(ctx, tx, out.ID, o, RoleAdmin)
		}
		return nil
	})
	return out, err
}

// Patch is a change to a program's settings; nil fields stay as they are.
type Patch struct {
	Name        *string
	Currency    *string
	TimeZone    *string
	Locale      *string
	Description *string
}

// Update changes the scope's program's settings, audited.
func (s *Service) Update(ctx context.Context, sc Scope, patch Patch) (Program, error) {
	if err := sc.Require(PermProgramUpdate); err != nil {
		return Program{}, err
	}
	var out Program
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, _, err = UpdateTx(ctx, tx, sc.Program.ID, patch)
		return err
	})
	return out, err
}

// UpdateTx changes a program's settings in tx, audited; it reports whether
// anything changed.
func UpdateTx(ctx context.Context, tx *db.Tx, id int64, patch Patch) (Program, bool, error) {
	before, err := scan(tx.QueryRowContext(ctx, `SELECT `+cols+` FROM programs WHERE id = $1`+tx.ForUpdate(), id))
	if err != nil {
		return Program{}, false, db.MapError(err)
	}
	p := before
	for dst, src := range map[*string]*string{&p.Name: patch.Name, &p.Currency: patch.Currency, &p.TimeZone: patch.TimeZone,
		&p.Locale: patch.Locale, &p.Description: patch.Description} {
		if src != nil {
			*dst = *src
		}
	}
	if err := p.Normalize(); err != nil {
		return Program{}, false, err
	}
	if p == before {
		return before, false, nil
	}
	out, err := scan(tx.QueryRowContext(ctx, `UPDATE programs SET name = $2, currency = $3, time_zone = $4, locale = $5,
		description = $6, updated_at = $7 WHERE id = $1 RETURNING `+cols,
		p.ID, p.Name, p.Currency, p.TimeZone, p.Locale, p.Description, tx.Now.UnixMicro()))
	if err != nil {
		return Program{}, false, err
	}
	return out, true, Audit(ctx, tx, Change{ProgramID: p.ID, Action: "program.update", ObjectKind: "program", ObjectID: p.PublicID, Before: before, After: out})
}

// BySlugTx returns the program with the slug inside tx.
func BySlugTx(ctx context.Context, tx *db.Tx, slug string) (Program, error) {
	p, err := scan(tx.QueryRowContext(ctx, `SELECT `+cols+` FROM programs WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, fault.New(fault.NotFound, "program.not_found", "program {ref} not found", fault.P{"ref": slug})
	}
	if err != nil {
		return Program{}, db.MapError(err)
	}
	return p, nil
}

// List returns the programs the actor in ctx takes part in, by name.
func (s *Service) List(ctx context.Context) ([]Program, error) {
	a, err := mustActor(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + cols + ` FROM programs`
	var args []any
	switch {
	case a.Kind == ActorOperator && !a.Owner:
		q += ` WHERE id IN (SELECT program_id FROM program_operators WHERE operator_id = $1)`
		args = append(args, a.ID)
	case a.Kind == ActorAPIKey || a.Kind == ActorMember:
		q += ` WHERE id = $1`
		args = append(args, a.ProgramID)
	}
	rows, err := s.DB.R.QueryContext(ctx, q+` ORDER BY name, id`, args...)
	return db.Collect(rows, err, func(r *sql.Rows) (Program, error) { return scan(r) })
}

// BySlug returns the program with the slug.
func BySlug(ctx context.Context, d *db.DB, slug string) (Program, error) {
	p, err := scan(d.R.QueryRowContext(ctx, `SELECT `+cols+` FROM programs WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, fault.New(fault.NotFound, "program.not_found", "program {ref} not found", fault.P{"ref": slug})
	}
	if err != nil {
		return Program{}, fmt.Errorf("program: %w", db.MapError(err))
	}
	return p, nil
}
