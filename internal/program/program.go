// Package program holds programs: a brand's KOX program (or one of an
// agency's brands), the unit that owns every other row and keeps data apart.
package program

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/pubid"
)

// Program is one program's settings.
type Program struct {
	ID        int64  // internal key
	PublicID  string // prg_…, shown outside
	Slug      string
	Name      string
	Currency  string // ISO 4217; money is kept in its minor unit
	TimeZone  string // IANA name; times are stored in UTC and shown in this zone
	Locale    string // zh-CN or en
	CreatedAt time.Time
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
		f.Add("slug", "must be 2 to 63 lowercase letters, digits or hyphens, starting with a letter or digit")
	}
	if p.Name == "" || len([]rune(p.Name)) > 120 {
		f.Add("name", "must be 1 to 120 characters")
	}
	if !currencyRE.MatchString(p.Currency) {
		f.Add("currency", "must be a three-letter ISO 4217 code such as CNY")
	}
	if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "Local" {
		f.Add("time_zone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if !validLocale(p.Locale) {
		f.Addf("locale", "must be one of %s", strings.Join(Locales, ", "))
	}
	return f.Err()
}

func validLocale(l string) bool {
	for _, x := range Locales {
		if l == x {
			return true
		}
	}
	return false
}

const cols = `id, public_id, slug, name, currency, time_zone, locale, created_at`

func scan(s interface{ Scan(...any) error }) (Program, error) {
	var p Program
	var created int64
	err := s.Scan(&p.ID, &p.PublicID, &p.Slug, &p.Name, &p.Currency, &p.TimeZone, &p.Locale, &created)
	p.CreatedAt = time.UnixMicro(created).UTC()
	return p, err
}

// CreateTx creates a program in tx.
func CreateTx(ctx context.Context, tx *db.Tx, p Program) (Program, error) {
	if err := p.Normalize(); err != nil {
		return Program{}, err
	}
	p.PublicID = pubid.New("prg")
	out, err := scan(tx.QueryRowContext(ctx, `INSERT INTO programs (public_id, slug, name, currency, time_zone, locale, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+cols,
		p.PublicID, p.Slug, p.Name, p.Currency, p.TimeZone, p.Locale, tx.Now.UnixMicro()))
	if err != nil {
		if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
			var f fault.Fields
			f.Add("slug", "is taken by another program")
			return Program{}, f.Err()
		}
		return Program{}, fmt.Errorf("create program: %w", db.MapError(err))
	}
	return out, nil
}

// BySlug returns the program with the slug.
func BySlug(ctx context.Context, d *db.DB, slug string) (Program, error) {
	p, err := scan(d.R.QueryRowContext(ctx, `SELECT `+cols+` FROM programs WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, fault.New(fault.NotFound, "program %q not found", slug)
	}
	if err != nil {
		return Program{}, fmt.Errorf("program: %w", db.MapError(err))
	}
	return p, nil
}
