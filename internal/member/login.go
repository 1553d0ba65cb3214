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

// newCode makes a sign-in code: ten characters of crypto/rand.Text (base32,
// five unbiased random bits each: 50 bits), shown as two groups of five.
func newCode() string {
	t := rand.Text()[:10]
	return t[:5] + "-" + t[5:]
}

// typed undoes what people do to a code: lower case, dashes, spaces, and
// the digits that look like base32's letters (0 for O, 1 for I, 8 for B).
var typed = strings.NewReplacer("-", "", " ", "", "0", "O", "1", "I", "8", "B")

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(typed.Replace(strings.ToUpper(strings.TrimSpace(code)))))
	return hex.EncodeToString(sum[:])
}

// IssueLoginCode makes a one-time code for a member to sign in with (sent to
// them by the operator, in WeCom say); only its hash is kept.
func (s *Service) IssueLoginCode(ctx context.Context, sc program.Scope, ref string) (string, time.Time, error) {
	var code string
	var expires time.Time
	err := s.writeOn(ctx, sc, ref, func(tx *db.Tx, m Member) error {
		if m.Status == Banned || m.Status == Left {
			return fault.New(fault.Conflict, "member.gone", "{name} is {status}: no sign-in for them", fault.P{"name": m.Name, "status": string(m.Status)})
		}
		code, expires = newCode(), tx.Now.Add(LoginCodeTTL)
		if _, err := tx.ExecContext(ctx, `INSERT INTO member_login_codes (code_hash, program_id, member_id, expires_at) VALUES ($1, $2, $3, $4)`,
			hashCode(code), m.ProgramID, m.ID, expires.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: m.ProgramID, Action: "member.login_code", ObjectKind: "member", ObjectID: m.PublicID,
			After: map[string]any{"expires_at": expires}})
	})
	return code, expires, err
}

// RedeemLoginCodeTx uses up a code inside tx (the caller starts the
// member's session in the same transaction) and returns the member it signs
// in.
func RedeemLoginCodeTx(ctx context.Context, tx *db.Tx, code string) (Member, error) {
	bad := fault.New(fault.Unauthenticated, "auth.bad_code", "the code is wrong, used or expired: ask for a new one")
	var programID, memberID, expires, used int64
	err := tx.QueryRowContext(ctx, `SELECT program_id, member_id, expires_at, used_at FROM member_login_codes WHERE code_hash = $1`+tx.ForUpdate(),
		hashCode(code)).Scan(&programID, &memberID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, bad
	}
	if err != nil {
		return Member{}, err
	}
	if used > 0 || tx.Now.UnixMicro() >= expires {
		return Member{}, bad
	}
	if _, err := tx.ExecContext(ctx, `UPDATE member_login_codes SET used_at = $2 WHERE code_hash = $1`, hashCode(code), tx.Now.UnixMicro()); err != nil {
		return Member{}, err
	}
	m, err := scanMember(tx.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, memberID))
	if err != nil {
		return Member{}, err
	}
	if m.Status == Banned || m.Status == Left {
		return Member{}, bad
	}
	return m, nil
}
