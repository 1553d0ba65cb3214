package member

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
)

// LoginCodeTTL is how long a member's sign-in code works.
const LoginCodeTTL = 24 * time.Hour

// codeAlphabet avoids letters and digits people confuse (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))))
	return hex.EncodeToString(sum[:])
}

// IssueLoginCode makes a one-time code for a member to sign in with (sent to
// them by the operator, in WeCom say); only its hash is kept.
func (s *Service) IssueLoginCode(ctx context.Context, sc program.Scope, ref string) (string, time.Time, error) {
	var code string
	var expires time.Time
	err := s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		if m.Status == Banned || m.Status == Left {
			return fault.New(fault.Conflict, "%s has %s the program", m.Name, map[Status]string{Banned: "been banned from", Left: "left"}[m.Status])
		}
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		var sb strings.Builder
		for i, x := range b {
			if i == 5 {
				sb.WriteByte('-')
			}
			sb.WriteByte(codeAlphabet[int(x)%len(codeAlphabet)])
		}
		code, expires = sb.String(), tx.Now.Add(LoginCodeTTL)
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_login_codes (code_hash, program_id, member_id, expires_at) VALUES ($1, $2, $3, $4)`,
			hashCode(code), m.ProgramID, m.ID, expires.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.login_code", ObjectKind: "member", ObjectID: m.PublicID,
			After: map[string]any{"expires_at": expires}})
	})
	return code, expires, err
}

// RedeemLoginCode uses up a code and returns the member it signs in.
func (s *Service) RedeemLoginCode(ctx context.Context, code string) (Member, error) {
	bad := fault.New(fault.Unauthenticated, "the code is wrong, used or expired: ask for a new one")
	var m Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var programID, memberID, expires, used int64
		err := tx.QueryRowContext(ctx, `SELECT program_id, member_id, expires_at, used_at FROM member_login_codes WHERE code_hash = $1`+tx.ForUpdate(),
			hashCode(code)).Scan(&programID, &memberID, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return bad
		}
		if err != nil {
			return err
		}
		if used > 0 || tx.Now.UnixMicro() >= expires {
			return bad
		}
		if _, err := tx.ExecContext(ctx, `UPDATE member_login_codes SET used_at = $2 WHERE code_hash = $1`, hashCode(code), tx.Now.UnixMicro()); err != nil {
			return err
		}
		m, err = scanMember(tx.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, memberID))
		if err != nil {
			return err
		}
		if m.Status == Banned || m.Status == Left {
			return bad
		}
		return nil
	})
	return m, err
}
