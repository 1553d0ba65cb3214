package member

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// writeOn runs fn in a transaction on the member ref, for changes that need
// members.write; the member is locked for the change.
func (s *Service) writeOn(ctx context.Context, sc program.Scope, ref string, fn func(tx *db.Tx, m Member) error) error {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, err := lockTx(ctx, tx, sc.Program.ID, ref)
		if err != nil {
			return err
		}
		return fn(tx, m)
	})
}

// AddSocial adds a social account to a member.
func (s *Service) AddSocial(ctx context.Context, sc program.Scope, ref string, in SocialInput) (SocialAccount, error) {
	var f fault.Fields
	validateSocial(0, &in, &f)
	if err := f.Err(); err != nil {
		return SocialAccount{}, unindex(err)
	}
	var out SocialAccount
	err := s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		var err error
		if out, err = insertSocial(ctx, tx, m.ProgramID, m.ID, 0, in); err != nil {
			return unindex(err)
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.social.add", ObjectKind: "member",
			ObjectID: m.PublicID, After: out})
	})
	return out, err
}

// unindex renames "social_accounts[0].x" to "x" for the one-account calls.
func unindex(err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		for i := range fe.Fields {
			fe.Fields[i].Field = strings.TrimPrefix(fe.Fields[i].Field, "social_accounts[0].")
		}
	}
	return err
}

// RemoveSocial removes one of a member's social accounts.
func (s *Service) RemoveSocial(ctx context.Context, sc program.Scope, ref, accountID string) error {
	return s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		var sa SocialAccount
		err := tx.QueryRowContext(ctx, `SELECT id, public_id, platform, handle, url, followers FROM member_social_accounts
			WHERE member_id = $1 AND public_id = $2`, m.ID, accountID).Scan(&sa.ID, &sa.PublicID, &sa.Platform, &sa.Handle, &sa.URL, &sa.Followers)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "social_account.not_found", "social account {ref} not found", fault.P{"ref": accountID})
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_social_accounts WHERE id = $1`, sa.ID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.social.remove", ObjectKind: "member",
			ObjectID: m.PublicID, Before: sa})
	})
}

// RecordConsent adds to a member's consent record; consents are never edited,
// a withdrawal is a new record with Granted false.
func (s *Service) RecordConsent(ctx context.Context, sc program.Scope, ref string, c Consent) (Consent, error) {
	c.Kind, c.Text, c.Source = strings.TrimSpace(c.Kind), strings.TrimSpace(c.Text), strings.TrimSpace(c.Source)
	var f fault.Fields
	if c.Kind == "" || len(c.Kind) > 64 {
		f.Length("kind", 1, 64)
	}
	if len([]rune(c.Text)) > 4000 {
		f.MaxLength("text", 4000)
	}
	if len([]rune(c.Source)) > 100 {
		f.MaxLength("source", 100)
	}
	if err := f.Err(); err != nil {
		return Consent{}, err
	}
	err := s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		c.At = tx.Now
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_consents (program_id, member_id, kind, granted, text, source, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ProgramID, m.ID, c.Kind, c.Granted, c.Text, c.Source, c.At.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.consent", ObjectKind: "member",
			ObjectID: m.PublicID, After: c})
	})
	return c, err
}

// Consents lists a member's consent record, oldest first.
//
// kind narrows to one kind of consent ("" for all); w is the page. It
// returns the next page's offset (0: none).
func (s *Service) Consents(ctx context.Context, sc program.Scope, ref, kind string, w db.Window) ([]Consent, int, error) {
	if err := db.CheckLimit(w.Limit); err != nil {
		return nil, 0, err
	}
	m, err := s.Get(ctx, sc, ref)
	if err != nil {
		return nil, 0, err
	}
	page, args := w.SQL(2)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT kind, granted, text, source, at FROM member_consents WHERE member_id = $1
		AND ($2 = '' OR kind = $2) ORDER BY id`+page, append([]any{m.ID, kind}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Consent, error) {
		var c Consent
		var at int64
		err := r.Scan(&c.Kind, &c.Granted, &c.Text, &c.Source, &at)
		c.At = time.UnixMicro(at).UTC()
		return c, err
	})
	if err != nil {
		return nil, 0, err
	}
	out, next := db.Trim(w, out)
	return out, next, nil
}

// AddNote adds an operator's note to a member.
func (s *Service) AddNote(ctx context.Context, sc program.Scope, ref, body string) (Note, error) {
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > 4000 {
		var f fault.Fields
		f.Length("body", 1, 4000)
		return Note{}, f.Err()
	}
	n := Note{Author: sc.Actor.Name, Body: body}
	err := s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		n.CreatedAt = tx.Now
		if err := tx.QueryRowContext(ctx, `INSERT INTO member_notes (program_id, member_id, author, body, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, m.ProgramID, m.ID, n.Author, n.Body, n.CreatedAt.UnixMicro()).Scan(&n.ID); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.note", ObjectKind: "member",
			ObjectID: m.PublicID, After: n})
	})
	return n, err
}

// Notes lists the notes on a member, newest first; they are for operators.
func (s *Service) Notes(ctx context.Context, sc program.Scope, ref string, w db.Window) ([]Note, int, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(w.Limit); err != nil {
		return nil, 0, err
	}
	m, err := s.Get(ctx, sc, ref)
	if err != nil {
		return nil, 0, err
	}
	page, args := w.SQL(1)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id, author, body, created_at FROM member_notes WHERE member_id = $1 ORDER BY id DESC`+page,
		append([]any{m.ID}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Note, error) {
		var n Note
		var at int64
		err := r.Scan(&n.ID, &n.Author, &n.Body, &at)
		n.CreatedAt = time.UnixMicro(at).UTC()
		return n, err
	})
	if err != nil {
		return nil, 0, err
	}
	out, next := db.Trim(w, out)
	return out, next, nil
}

// MatrixInput is an account to add to the matrix.
type MatrixInput struct {
	Platform  string
	Layer     Layer
	Name      string
	Handle    string
	URL       string
	Followers int64
	MemberID  string // for kos and koc accounts: the member who runs it
}

// AddToMatrix registers an account in the program's 1+X+N+N matrix.
func (s *Service) AddToMatrix(ctx context.Context, sc program.Scope, in MatrixInput) (MatrixEntry, error) {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return MatrixEntry{}, err
	}
	si := SocialInput{Platform: in.Platform, Handle: in.Handle, URL: in.URL, Followers: in.Followers}
	var f fault.Fields
	validateSocial(0, &si, &f)
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.Length("name", 1, 100)
	}
	if !valid(in.Layer, Layers) {
		f.OneOf("layer", fault.Names(Layers))
	}
	if in.MemberID != "" && (in.Layer == LayerOfficial || in.Layer == LayerBrandIP) {
		f.Add("member_id", "matrix.no_member", "only kos and koc accounts belong to a member")
	}
	if err := f.Err(); err != nil {
		return MatrixEntry{}, unindex(err)
	}
	e := MatrixEntry{PublicID: pubid.New("mtx"), Platform: si.Platform, Layer: in.Layer, Name: in.Name, Handle: si.Handle,
		URL: si.URL, Followers: si.Followers, MemberID: in.MemberID}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var memberID any
		if in.MemberID != "" {
			var id int64
			var role Role
			err := tx.QueryRowContext(ctx, `SELECT id, role FROM members WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, in.MemberID).Scan(&id, &role)
			if errors.Is(err, sql.ErrNoRows) {
				var f fault.Fields
				f.Add("member_id", "not_found", "is not a member of this program")
				return f.Err()
			}
			if err != nil {
				return err
			}
			if string(role) != string(in.Layer) {
				var f fault.Fields
				f.Add("member_id", "matrix.wrong_role", "is a {role} member; the {layer} layer needs a {layer}", fault.P{"role": string(role), "layer": string(in.Layer)})
				return f.Err()
			}
			memberID = id
		}
		e.CreatedAt = tx.Now
		err := tx.QueryRowContext(ctx, `INSERT INTO account_matrix (program_id, public_id, platform, layer, name, handle, url, followers,
			member_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, sc.Program.ID, e.PublicID, e.Platform,
			string(e.Layer), e.Name, e.Handle, e.URL, e.Followers, memberID, e.CreatedAt.UnixMicro()).Scan(&e.ID)
		if err != nil {
			if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
				var f fault.Fields
				f.Add("handle", "taken", "is already in the matrix on this platform")
				return f.Err()
			}
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "matrix.add", ObjectKind: "matrix_account",
			ObjectID: e.PublicID, After: e})
	})
	return e, err
}

// Matrix lists the program's account matrix by platform and layer
// (official, brand IP, KOS, KOC), optionally for one platform.
//
// platform and layer narrow it ("" for all); w is the page.
func (s *Service) Matrix(ctx context.Context, sc program.Scope, platform string, layer Layer, w db.Window) ([]MatrixEntry, int, error) {
	if err := sc.Require(program.PermMembersRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(w.Limit); err != nil {
		return nil, 0, err
	}
	page, args := w.SQL(3)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT a.id, a.public_id, a.platform, a.layer, a.name, a.handle, a.url, a.followers,
		coalesce(m.public_id, ''), a.created_at FROM account_matrix a LEFT JOIN members m ON m.id = a.member_id
		WHERE a.program_id = $1 AND ($2 = '' OR a.platform = $2) AND ($3 = '' OR a.layer = $3)
		ORDER BY a.platform, CASE a.layer WHEN 'official' THEN 0 WHEN 'brand_ip' THEN 1 WHEN 'kos' THEN 2 ELSE 3 END, a.followers DESC, a.id`+page,
		append([]any{sc.Program.ID, platform, string(layer)}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (MatrixEntry, error) {
		var e MatrixEntry
		var at int64
		err := r.Scan(&e.ID, &e.PublicID, &e.Platform, &e.Layer, &e.Name, &e.Handle, &e.URL, &e.Followers, &e.MemberID, &at)
		e.CreatedAt = time.UnixMicro(at).UTC()
		return e, err
	})
	if err != nil {
		return nil, 0, err
	}
	out, next := db.Trim(w, out)
	return out, next, nil
}

// RemoveFromMatrix takes an account out of the matrix.
func (s *Service) RemoveFromMatrix(ctx context.Context, sc program.Scope, entryID string) error {
	if err := sc.Require(program.PermMembersWrite); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		var platform, handle string
		err := tx.QueryRowContext(ctx, `SELECT id, platform, handle FROM account_matrix WHERE program_id = $1 AND public_id = $2`,
			sc.Program.ID, entryID).Scan(&id, &platform, &handle)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "matrix_account.not_found", "matrix account {ref} not found", fault.P{"ref": entryID})
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_matrix WHERE id = $1`, id); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "matrix.remove", ObjectKind: "matrix_account",
			ObjectID: entryID, Before: map[string]string{"platform": platform, "handle": handle}})
	})
}
