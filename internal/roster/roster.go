// Package roster moves a program's members in and out as spreadsheets (P4):
// the member table, as filtered, out to CSV (UTF-8 with a BOM, so that
// Excel shows Chinese) or XLSX; and members in from CSV (UTF-8 or GB18030)
// or XLSX, staged with every row's errors and written only when the
// operator confirms a file without any, all at once or not at all.
package roster

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/pubid"
	"kox/internal/sheet"
)

// Service exports and imports members.
type Service struct {
	DB      *db.DB
	Members *member.Service
}

// Format is a spreadsheet's kind.
type Format = sheet.Format

const (
	CSV  = sheet.CSV
	XLSX = sheet.XLSX
)

// Formats kox reads and writes.
var Formats = sheet.Formats

// Columns are a member file's columns, in order; a file to import names
// them in its first row (these keys, or the Chinese headings below).
var Columns = []string{"name", "phone", "email", "role", "source", "domain", "region", "city", "status", "tags"}

// headings are the Chinese column headings an import also accepts (an
// operator's own spreadsheet in Chinese).
var headings = map[string]string{"姓名": "name", "手机": "phone", "手机号": "phone", "电话": "phone", "邮箱": "email", "角色": "role",
	"来源": "source", "公私域": "domain", "域": "domain", "地区": "region", "省份": "region", "城市": "city", "状态": "status", "标签": "tags"}

// Limits on a file to import.
const (
	MaxBytes = 20 << 20
	MaxRows  = 50000
)

// TooBig is the refusal of a file past MaxBytes.
func TooBig() error {
	return fault.New(fault.Invalid, "import.too_big", "the file is larger than {max} MB", fault.P{"max": MaxBytes >> 20})
}

// tagSep separates a member's tags in one cell.
const tagSep = "|"

func row(m member.Member) []string {
	return []string{m.Name, m.Phone, m.Email, string(m.Role), string(m.Source), string(m.Domain), m.Region, m.City, string(m.Status),
		strings.Join(m.Tags, tagSep)}
}

// Export writes every member the filter selects (all pages), as format.
func (s *Service) Export(ctx context.Context, sc program.Scope, f member.Filter, format Format, w io.Writer) error {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return err
	}
	f.Limit, f.Before = 500, 0
	each := func(write func([]string) error) error {
		for {
			ms, next, err := s.Members.List(ctx, sc, f)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if err := write(row(m)); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			f.Before = next
		}
	}
	return sheet.Write(w, format, Columns, each)
}

// RowError is what is wrong with one cell of a file: the row as the
// spreadsheet numbers it (the headings are row 1), the column, and the
// reason as a field error's code.
type RowError struct {
	Row    int     `json:"row"`
	Column string  `json:"column"`
	Code   string  `json:"code"`
	Reason string  `json:"reason"`
	Params fault.P `json:"params,omitempty"`
}

// Import is a staged file: how many members it holds, what is wrong with
// it, and whether it was applied.
type Import struct {
	ID       string          `json:"id"`
	Filename string          `json:"filename"`
	Rows     int             `json:"rows"`
	Errors   []RowError      `json:"errors"`
	Status   string          `json:"status" enum:"staged,applied"`
	Sample   []member.Member `json:"sample,omitempty"` // the first rows, as they will be written
	members  []member.NewMember
}

// Ready says the import may be applied: staged, and nothing wrong.
func (i Import) Ready() bool { return i.Status == "staged" && len(i.Errors) == 0 && i.Rows > 0 }

// read turns a file into rows of cells.
func read(format Format, data []byte) ([][]string, error) {
	if len(data) > MaxBytes {
		return nil, TooBig()
	}
	return sheet.Read(format, data, MaxRows+1)
}

// check reads rows into members, naming every cell that is wrong.
func check(rows [][]string) ([]member.NewMember, []RowError, error) {
	if len(rows) == 0 {
		return nil, nil, fault.New(fault.Invalid, "import.empty", "the file has no rows")
	}
	if len(rows) > MaxRows+1 {
		return nil, nil, fault.New(fault.Invalid, "import.too_many", "the file has more than {max} members", fault.P{"max": MaxRows})
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if k, ok := headings[h]; ok {
			h = k
		}
		col[h] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, nil, fault.New(fault.Invalid, "import.no_name_column", "the first row must name the columns, with a name column")
	}
	if _, ok := col["role"]; !ok {
		return nil, nil, fault.New(fault.Invalid, "import.no_role_column", "the first row must name the columns, with a role column")
	}
	var out []member.NewMember
	var errs []RowError
	phones := map[string]int{}
	for i, r := range rows[1:] {
		cell := func(name string) string {
			j, ok := col[name]
			if !ok || j >= len(r) {
				return ""
			}
			return sheet.Plain(strings.TrimSpace(r[j]))
		}
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue // a blank line
		}
		n := member.NewMember{Fields: member.Fields{Name: cell("name"), Phone: cell("phone"), Email: cell("email"),
			Role: member.Role(cell("role")), Source: member.Source(cell("source")), Domain: member.Domain(cell("domain")),
			Region: cell("region"), City: cell("city"), Status: member.Status(cell("status"))}}
		if t := cell("tags"); t != "" {
			n.Tags = strings.Split(strings.NewReplacer("、", tagSep, ",", tagSep, "，", tagSep).Replace(t), tagSep)
		}
		line := i + 2
		checked, err := member.Check(n)
		if fe, ok := fault.As(err); ok {
			for _, f := range fe.Fields {
				errs = append(errs, RowError{Row: line, Column: f.Field, Code: f.Code, Reason: f.Reason, Params: f.Params})
			}
		} else if err != nil {
			return nil, nil, err
		}
		if p := checked.Phone; p != "" {
			if first, dup := phones[p]; dup {
				errs = append(errs, RowError{Row: line, Column: "phone", Code: "import.duplicate", Reason: "repeats row {row}", Params: fault.P{"row": first}})
			} else {
				phones[p] = line
			}
		}
		out = append(out, checked)
	}
	return out, errs, nil
}

// Stage reads a file, checks every row and keeps it to apply: the errors
// name row, column and reason; nothing is written to the members.
func (s *Service) Stage(ctx context.Context, sc program.Scope, filename string, format Format, data []byte) (Import, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Import{}, err
	}
	rows, err := read(format, data)
	if err != nil {
		return Import{}, err
	}
	ms, errs, err := check(rows)
	if err != nil {
		return Import{}, err
	}
	// A phone that is already a member's in this program.
	byPhone := map[string]int{}
	var phones []string
	for i, m := range ms {
		if m.Phone != "" {
			byPhone[m.Phone] = i
			phones = append(phones, m.Phone)
		}
	}
	for len(phones) > 0 {
		chunk := phones[:min(len(phones), 500)]
		phones = phones[len(chunk):]
		in, args, _ := db.In(s.DB.Engine, "phone", 2, chunk)
		rows, err := s.DB.R.QueryContext(ctx, `SELECT phone, name FROM members WHERE program_id = $1 AND `+in, append([]any{sc.Program.ID}, args...)...)
		if err != nil {
			return Import{}, fmt.Errorf("roster: phones: %w", err)
		}
		for rows.Next() {
			var phone, name string
			if err := rows.Scan(&phone, &name); err != nil {
				rows.Close()
				return Import{}, err
			}
			errs = append(errs, RowError{Row: byPhone[phone] + 2, Column: "phone", Code: "import.phone_taken", Reason: "already {name}'s",
				Params: fault.P{"name": name}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Import{}, err
		}
	}
	imp := Import{ID: pubid.New("imp"), Filename: filename, Rows: len(ms), Errors: errs, Status: "staged", members: ms}
	body, _ := json.Marshal(ms)
	problems, _ := json.Marshal(errs)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO member_imports (program_id, public_id, filename, rows, row_count, errors, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'staged', $7, $8)`, sc.Program.ID, imp.ID, filename, string(body), len(ms), string(problems),
			sc.Actor.PublicID, tx.Now.UnixMicro())
		return err
	})
	if err != nil {
		return Import{}, fmt.Errorf("roster: stage: %w", err)
	}
	imp.Sample = sample(ms)
	return imp, nil
}

func sample(ms []member.NewMember) []member.Member {
	var out []member.Member
	for _, n := range ms[:min(len(ms), 10)] {
		out = append(out, member.Member{Name: n.Name, Phone: n.Phone, Email: n.Email, Role: n.Role, Source: n.Source, Domain: n.Domain,
			Region: n.Region, City: n.City, Status: n.Status, Tags: n.Tags})
	}
	return out
}

func (s *Service) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sc program.Scope, ref, suffix string) (Import, error) {
	var imp Import
	var body, problems string
	err := q.QueryRowContext(ctx, `SELECT public_id, filename, rows, row_count, errors, status FROM member_imports
		WHERE program_id = $1 AND public_id = $2`+suffix, sc.Program.ID, ref).Scan(&imp.ID, &imp.Filename, &body, &imp.Rows, &problems, &imp.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return Import{}, fault.New(fault.NotFound, "import.not_found", "import {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Import{}, err
	}
	_ = json.Unmarshal([]byte(problems), &imp.Errors)
	if err := json.Unmarshal([]byte(body), &imp.members); err != nil {
		return Import{}, fmt.Errorf("roster: import %s: %w", ref, err)
	}
	imp.Sample = sample(imp.members)
	return imp, nil
}

// Get returns a staged or applied import.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Import, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Import{}, err
	}
	return s.load(ctx, s.DB.R, sc, ref, "")
}

// Apply writes every member of a staged import without errors, in one
// transaction: all of them, or (should any fail) none.
func (s *Service) Apply(ctx context.Context, sc program.Scope, ref string) (Import, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Import{}, err
	}
	var imp Import
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if imp, err = s.load(ctx, tx, sc, ref, tx.ForUpdate()); err != nil {
			return err
		}
		switch {
		case imp.Status != "staged":
			return fault.New(fault.Conflict, "import.applied", "the import was already applied")
		case len(imp.Errors) > 0:
			return fault.New(fault.Conflict, "import.has_errors", "the file has {count} errors: fix them and upload it again", fault.P{"count": len(imp.Errors)})
		}
		if err := member.CreateManyTx(ctx, tx, sc.Program.ID, imp.members); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE member_imports SET status = 'applied' WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref); err != nil {
			return err
		}
		imp.Status = "applied"
		if tx.Engine == db.Postgres {
			// Thousands of new rows at once: the planner must know, or it
			// plans the next lookups for the table as it was.
			tx.AfterCommit(func() {
				if _, err := s.DB.W.ExecContext(context.WithoutCancel(ctx), `ANALYZE members`); err != nil {
					slog.WarnContext(ctx, "roster: analyze members", "err", err)
				}
			})
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "members.import", ObjectKind: "import", ObjectID: ref,
			After: map[string]any{"filename": imp.Filename, "rows": imp.Rows}})
	})
	return imp, err
}
