package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Service holds members.
type Service struct {
	DB *db.DB
}

// Fields are a member's own fields.
type Fields struct {
	Name   string
	Phone  string
	Email  string
	Role   Role
	Source Source
	Domain Domain
	Region string
	City   string
	Status Status
	Tags   []string
}

// SocialInput is a social account to add.
type SocialInput struct {
	Platform  string
	Handle    string
	URL       string
	Followers int64
}

// NewMember is what it takes to add a member.
type NewMember struct {
	Fields
	Social []SocialInput
}

// Patch changes a member; nil fields stay.
type Patch struct {
	Name, Phone, Email, Region, City *string
	Role                             *Role
	Source                           *Source
	Domain                           *Domain
	Status                           *Status
	Tags                             *[]string
}

// Limits on a member's text.
const (
	MaxTags   = 20
	MaxTagLen = 32
)

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)

// normalize fills defaults and names every invalid field.
func (m *Member) normalize() error {
	m.Name, m.Phone, m.Email = strings.TrimSpace(m.Name), strings.TrimSpace(m.Phone), strings.ToLower(strings.TrimSpace(m.Email))
	m.Region, m.City = strings.TrimSpace(m.Region), strings.TrimSpace(m.City)
	if m.Domain == "" {
		m.Domain = Public
	}
	if m.Status == "" {
		m.Status = Candidate
	}
	var f fault.Fields
	if m.Name == "" || len([]rune(m.Name)) > 100 {
		f.Length("name", 1, 100)
	}
	if m.Phone != "" && !phoneRE.MatchString(m.Phone) {
		f.Add("phone", "phone", "must be a phone number of digits, spaces and dashes, optionally starting with +")
	}
	if m.Email != "" {
		if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
			f.Add("email", "email", "must be an email address")
		}
	}
	if !valid(m.Role, Roles) {
		f.OneOf("role", fault.Names(Roles))
	}
	if m.Source != "" && !valid(m.Source, Sources) {
		f.OneOf("source", fault.Names(Sources))
	}
	if m.Source != "" && m.Role != KOC {
		f.Add("source", "member.source_koc_only", "is for KOC members only")
	}
	if !valid(m.Domain, Domains) {
		f.OneOf("domain", fault.Names(Domains))
	}
	if !valid(m.Status, Statuses) {
		f.OneOf("status", fault.Names(Statuses))
	}
	if len([]rune(m.Region)) > 50 {
		f.MaxLength("region", 50)
	}
	if len([]rune(m.City)) > 50 {
		f.MaxLength("city", 50)
	}
	tags, ok := cleanTags(m.Tags)
	if !ok {
		f.Add("tags", "member.tags", "at most {max} tags, each 1 to {len} characters", fault.P{"max": MaxTags, "len": MaxTagLen})
	}
	m.Tags = tags
	return f.Err()
}

func cleanTags(in []string) ([]string, bool) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = strings.TrimSpace(t)
		if t == "" || len([]rune(t)) > MaxTagLen {
			return nil, false
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, false
	}
	return out, true
}

func validateSocial(i int, s *SocialInput, f *fault.Fields) {
	name := func(field string) string { return fmt.Sprintf("social_accounts[%d].%s", i, field) }
	s.Platform, s.Handle, s.URL = strings.TrimSpace(s.Platform), strings.TrimSpace(s.Handle), strings.TrimSpace(s.URL)
	if !valid(s.Platform, Platforms) {
		f.OneOf(name("platform"), Platforms)
	}
	if s.Handle == "" || len([]rune(s.Handle)) > 100 {
		f.Length(name("handle"), 1, 100)
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.URL) > 500 {
			f.URL(name("url"))
		}
	}
	if s.Followers < 0 {
		f.Add(name("followers"), "negative", "must not be negative")
	}
}

const memberCols = `id, program_id, public_id, name, phone, email, role, source, domain, region, city, status, created_at, updated_at`

// scanMember reads a member's columns, then any extra columns into more.
func scanMember(s interface{ Scan(...any) error }, more ...any) (Member, error) {
	var m Member
	var created, updated int64
	err := s.Scan(append([]any{&m.ID, &m.ProgramID, &m.PublicID, &m.Name, &m.Phone, &m.Email, &m.Role, &m.Source, &m.Domain, &m.Region,
		&m.City, &m.Status, &created, &updated}, more...)...)
	m.CreatedAt, m.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	m.Tags, m.Social = []string{}, []SocialAccount{}
	return m, err
}

// Create adds a member with their tags and social accounts, audited.
func (s *Service) Create(ctx context.Context, sc program.Scope, n NewMember) (Member, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Member{}, err
	}
	var out Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = CreateTx(ctx, tx, sc.Program.ID, n)
		return err
	})
	return out, err
}

// CreateTx adds a member in tx (the demo loader and imports use it).
func CreateTx(ctx context.Context, tx *db.Tx, programID int64, n NewMember) (Member, error) {
	n, err := Check(n)
	m := Member{Name: n.Name, Phone: n.Phone, Email: n.Email, Role: n.Role, Source: n.Source, Domain: n.Domain,
		Region: n.Region, City: n.City, Status: n.Status, Tags: n.Tags}
	var f fault.Fields
	if fe := new(fault.Error); errors.As(err, &fe) {
		f = append(f, fe.Fields...)
	} else if err != nil {
		return Member{}, err
	}
	if len(n.Social) > 20 {
		f.MaxItems("social_accounts", 20)
	}
	for i := range n.Social {
		validateSocial(i, &n.Social[i], &f)
	}
	if err := f.Err(); err != nil {
		return Member{}, err
	}
	now := tx.Now.UnixMicro()
	out, err := scanMember(tx.QueryRowContext(ctx, `INSERT INTO members (program_id, public_id, name, phone, email, role, source,
		domain, region, city, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		RETURNING `+memberCols, programID, pubid.New("mem"), m.Name, m.Phone, m.Email, string(m.Role), string(m.Source),
		string(m.Domain), m.Region, m.City, string(m.Status), now))
	if err != nil {
		return Member{}, fmt.Errorf("create member: %w", db.MapError(err))
	}
	if err := writeTags(ctx, tx, out.ProgramID, out.ID, m.Tags); err != nil {
		return Member{}, err
	}
	out.Tags = m.Tags
	for i, si := range n.Social {
		sa, err := insertSocial(ctx, tx, out.ProgramID, out.ID, i, si)
		if err != nil {
			return Member{}, err
		}
		out.Social = append(out.Social, sa)
	}
	return out, program.Audit(ctx, tx, program.Change{ProgramID: programID, Action: "member.create", ObjectKind: "member",
		ObjectID: out.PublicID, After: out})
}

func writeTags(ctx context.Context, tx *db.Tx, programID, memberID int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM member_tags WHERE member_id = $1`, memberID); err != nil {
		return err
	}
	if len(tags) == 0 {
		return nil
	}
	args := make([]any, 0, len(tags)*3)
	for _, t := range tags {
		args = append(args, programID, memberID, t)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO member_tags (program_id, member_id, tag) VALUES `+tx.Engine.Rows(1, len(tags), 3), args...)
	return err
}

func insertSocial(ctx context.Context, tx *db.Tx, programID, memberID int64, i int, si SocialInput) (SocialAccount, error) {
	sa := SocialAccount{PublicID: pubid.New("soc"), Platform: si.Platform, Handle: si.Handle, URL: si.URL, Followers: si.Followers}
	err := tx.QueryRowContext(ctx, `INSERT INTO member_social_accounts (program_id, public_id, member_id, platform, handle, url,
		followers, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, programID, sa.PublicID, memberID,
		sa.Platform, sa.Handle, sa.URL, sa.Followers, tx.Now.UnixMicro()).Scan(&sa.ID)
	if err != nil {
		if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
			var f fault.Fields
			f.Add(fmt.Sprintf("social_accounts[%d].handle", i), "taken", "{handle} on {platform} is already another member's account",
				fault.P{"handle": si.Handle, "platform": si.Platform})
			return SocialAccount{}, f.Err()
		}
		return SocialAccount{}, fmt.Errorf("social account: %w", db.MapError(err))
	}
	return sa, nil
}

// Get returns a member. A member may read their own record; operators need
// members.read.
func (s *Service) Get(ctx context.Context, sc program.Scope, ref string) (Member, error) {
	m, err := load(ctx, s.DB.R, s.DB.Engine, sc.Program.ID, ref)
	if err != nil {
		return Member{}, err
	}
	if sc.Actor.Kind == program.ActorMember {
		if sc.Actor.ID != m.ID {
			return Member{}, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": ref})
		}
		return m, nil
	}
	if err := sc.Require(program.PermMembersRead); err != nil {
		return Member{}, err
	}
	return m, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func load(ctx context.Context, q querier, e db.Engine, programID int64, ref string) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE program_id = $1 AND public_id = $2`, programID, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Member{}, fmt.Errorf("member: %w", db.MapError(err))
	}
	if err := attach(ctx, q, e, []*Member{&m}); err != nil {
		return Member{}, err
	}
	return m, nil
}

// lockTx locks a member's row for a change and reads the member.
func lockTx(ctx context.Context, tx *db.Tx, programID int64, ref string) (Member, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM members WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(), programID, ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fault.New(fault.NotFound, "member.not_found", "member {ref} not found", fault.P{"ref": ref})
	}
	if err != nil {
		return Member{}, err
	}
	return load(ctx, tx, tx.Engine, programID, ref)
}

// attach loads the tags and social accounts of a page of members.
func attach(ctx context.Context, q querier, engine db.Engine, ms []*Member) error {
	if len(ms) == 0 {
		return nil
	}
	byID := map[int64]*Member{}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		byID[m.ID], ids[i] = m, m.ID
	}
	in, args, _ := db.In(engine, "member_id", 1, ids)
	rows, err := q.QueryContext(ctx, `SELECT member_id, tag FROM member_tags WHERE `+in+` ORDER BY tag`, args...)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			rows.Close()
			return err
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, member_id, public_id, platform, handle, url, followers FROM member_social_accounts
		WHERE `+in+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("social accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sa SocialAccount
		var id int64
		if err := rows.Scan(&sa.ID, &id, &sa.PublicID, &sa.Platform, &sa.Handle, &sa.URL, &sa.Followers); err != nil {
			return err
		}
		byID[id].Social = append(byID[id].Social, sa)
	}
	return rows.Err()
}

// Update changes a member, audited with before and after.
func (s *Service) Update(ctx context.Context, sc program.Scope, ref string, p Patch) (Member, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return Member{}, err
	}
	var out Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		// Locked before it is read: two updates at once each see the other's
		// change, rather than writing back what they read.
		before, err := lockTx(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		m := before
		m.Tags = append([]string(nil), before.Tags...)
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&m.Name, p.Name)
		set(&m.Phone, p.Phone)
		set(&m.Email, p.Email)
		set(&m.Region, p.Region)
		set(&m.City, p.City)
		if p.Role != nil {
			m.Role = *p.Role
		}
		if p.Source != nil {
			m.Source = *p.Source
		}
		if p.Domain != nil {
			m.Domain = *p.Domain
		}
		if p.Status != nil {
			m.Status = *p.Status
		}
		if p.Tags != nil {
			m.Tags = *p.Tags
		}
		if err := m.normalize(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE members SET name = $2, phone = $3, email = $4, role = $5, source = $6, domain = $7,
			region = $8, city = $9, status = $10, updated_at = $11 WHERE id = $1`, m.ID, m.Name, m.Phone, m.Email, string(m.Role),
			string(m.Source), string(m.Domain), m.Region, m.City, string(m.Status), tx.Now.UnixMicro())
		if err != nil {
			return err
		}
		if p.Tags != nil {
			if err := writeTags(ctx, tx, m.ProgramID, m.ID, m.Tags); err != nil {
				return err
			}
		}
		if m.Status == Banned || m.Status == Left {
			if err := program.EndSessionsOf(ctx, tx, program.ActorMember, m.ID); err != nil {
				return err
			}
		}
		out, err = load(ctx, tx, tx.Engine, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "member.update", ObjectKind: "member",
			ObjectID: out.PublicID, Before: before, After: out})
	})
	return out, err
}

// Filter narrows a listing of members; zero fields match all.
type Filter struct {
	Role   Role
	Source Source
	Domain Domain
	Status Status
	Region string
	City   string
	Tag    string
	Query  string // in name, phone or a social handle
	// Where narrows further with conditions other packages make (members
	// on a tier, from ladder.Service.OnTier); the members table is "m".
	Where  []db.Cond
	Sort   Sort
	Before int64 // cursor: the id of the last member of the page before
	Limit  int
}

// Sort is the order of a member list.
type Sort string

const (
	Newest Sort = ""       // newest first
	Oldest Sort = "oldest" // oldest first
	ByName Sort = "name"   // by name, then oldest first
)

// Sorts are the orders a member list may take.
var Sorts = []Sort{Newest, Oldest, ByName}

// List returns members, newest first, with the next page's cursor (0: none).
func (s *Service) List(ctx context.Context, sc program.Scope, f Filter) ([]Member, int64, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(f.Limit); err != nil {
		return nil, 0, err
	}
	var fs fault.Fields
	if f.Role != "" && !valid(f.Role, Roles) {
		fs.OneOf("query.role", fault.Names(Roles))
	}
	if f.Source != "" && !valid(f.Source, Sources) {
		fs.OneOf("query.source", fault.Names(Sources))
	}
	if f.Domain != "" && !valid(f.Domain, Domains) {
		fs.OneOf("query.domain", fault.Names(Domains))
	}
	if f.Status != "" && !valid(f.Status, Statuses) {
		fs.OneOf("query.status", fault.Names(Statuses))
	}
	if !valid(f.Sort, Sorts) {
		fs.OneOf("query.sort", []string{string(Oldest), string(ByName)})
	}
	if err := fs.Err(); err != nil {
		return nil, 0, err
	}
	w := db.Where("program_id = $1", sc.Program.ID)
	if f.Role != "" {
		w.Add("role = $?", string(f.Role))
	}
	if f.Source != "" {
		w.Add("source = $?", string(f.Source))
	}
	if f.Domain != "" {
		w.Add("domain = $?", string(f.Domain))
	}
	if f.Status != "" {
		w.Add("status = $?", string(f.Status))
	}
	if f.Region != "" {
		w.Add("region = $?", f.Region)
	}
	if f.City != "" {
		w.Add("city = $?", f.City)
	}
	if f.Tag != "" {
		w.Add("id IN (SELECT member_id FROM member_tags WHERE program_id = m.program_id AND tag = $?)", f.Tag)
	}
	if f.Query != "" {
		like := db.Contains(f.Query)
		w.Add(`(lower(name) LIKE $? ESCAPE '\' OR phone LIKE $? ESCAPE '\' OR id IN (SELECT member_id FROM member_social_accounts
			WHERE program_id = m.program_id AND lower(handle) LIKE $? ESCAPE '\'))`, like)
	}
	order := "id DESC"
	switch f.Sort {
	case Oldest:
		order = "id ASC"
		if f.Before > 0 {
			w.Add("id > $?", f.Before)
		}
	case ByName:
		// Keyset paging on (name, id); the cursor stays a member's id.
		order = "name ASC, id ASC"
		if f.Before > 0 {
			w.Add("(name, id) > (SELECT name, id FROM members WHERE id = $?)", f.Before)
		}
	default:
		if f.Before > 0 {
			w.Add("id < $?", f.Before)
		}
	}
	for _, c := range f.Where {
		w.AddCond(c)
	}
	where, args := w.Page(order, f.Limit)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+memberCols+` FROM members m`+where, args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Member, error) { return scanMember(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("members: %w", err)
	}
	out, next := db.TrimPage(out, f.Limit, func(m Member) int64 { return m.ID })
	ptrs := make([]*Member, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, next, attach(ctx, s.DB.R, s.DB.Engine, ptrs)
}

// Check normalizes a new member as Create would and names every invalid
// field, without writing anything (an import checks each row so).
func Check(n NewMember) (NewMember, error) {
	m := Member{Name: n.Name, Phone: n.Phone, Email: n.Email, Role: n.Role, Source: n.Source, Domain: n.Domain,
		Region: n.Region, City: n.City, Status: n.Status, Tags: n.Tags}
	err := m.normalize()
	n.Fields = Fields{Name: m.Name, Phone: m.Phone, Email: m.Email, Role: m.Role, Source: m.Source, Domain: m.Domain,
		Region: m.Region, City: m.City, Status: m.Status, Tags: m.Tags}
	return n, err
}

// CreateManyTx adds many members in tx, a few hundred rows a statement (an
// import of thousands); they are checked as Create checks one, and the
// caller audits the batch. Social accounts are not taken here.
func CreateManyTx(ctx context.Context, tx *db.Tx, programID int64, ns []NewMember) error {
	const chunk = 200
	now := tx.Now.UnixMicro()
	for len(ns) > 0 {
		batch := ns[:min(len(ns), chunk)]
		ns = ns[len(batch):]
		args := make([]any, 0, len(batch)*13)
		refs := make([]string, len(batch))
		for i, n := range batch {
			checked, err := Check(n)
			if err != nil {
				return err
			}
			if len(n.Social) > 0 {
				return fault.Field("social_accounts", "max_items", "at most {max} entries", fault.P{"max": 0})
			}
			refs[i] = pubid.New("mem")
			f := checked.Fields
			args = append(args, programID, refs[i], f.Name, f.Phone, f.Email, string(f.Role), string(f.Source), string(f.Domain),
				f.Region, f.City, string(f.Status), now, now)
			batch[i] = checked
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO members (program_id, public_id, name, phone, email, role, source, domain, region,
			city, status, created_at, updated_at) VALUES `+tx.Engine.Rows(1, len(batch), 13)+` RETURNING id, public_id`, args...)
		if err != nil {
			return fmt.Errorf("create members: %w", db.MapError(err))
		}
		ids := map[string]int64{}
		for rows.Next() {
			var id int64
			var ref string
			if err := rows.Scan(&id, &ref); err != nil {
				rows.Close()
				return err
			}
			ids[ref] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var tagArgs []any
		for i, n := range batch {
			for _, t := range n.Tags {
				tagArgs = append(tagArgs, programID, ids[refs[i]], t)
			}
		}
		for len(tagArgs) > 0 {
			part := tagArgs[:min(len(tagArgs), 3*1000)]
			tagArgs = tagArgs[len(part):]
			if _, err := tx.ExecContext(ctx, `INSERT INTO member_tags (program_id, member_id, tag) VALUES `+tx.Engine.Rows(1, len(part)/3, 3), part...); err != nil {
				return fmt.Errorf("member tags: %w", err)
			}
		}
	}
	return nil
}
