package program

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/pubid"
)

// APIKey is a program's key for an integration (a shop, a BI tool, a bot).
// Its secret is shown once, at creation; only a hash is kept.
type APIKey struct {
	ID         int64     `json:"-"`
	PublicID   string    `json:"id"`
	Name       string    `json:"name"`
	Role       Role      `json:"role"`
	Prefix     string    `json:"prefix"` // the first characters of the secret, to tell keys apart
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"-"`
	RevokedAt  time.Time `json:"revoked_at"`
}

const apiKeyCols = `id, public_id, name, role, prefix, created_at, last_used_at, revoked_at`

func scanAPIKey(s interface{ Scan(...any) error }) (APIKey, error) {
	var k APIKey
	var created, used, revoked int64
	err := s.Scan(&k.ID, &k.PublicID, &k.Name, &k.Role, &k.Prefix, &created, &used, &revoked)
	k.CreatedAt = time.UnixMicro(created).UTC()
	if used > 0 {
		k.LastUsedAt = time.UnixMicro(used).UTC()
	}
	if revoked > 0 {
		k.RevokedAt = time.UnixMicro(revoked).UTC()
	}
	return k, err
}

// CreateAPIKey makes a key with a role in the scope's program and returns it
// with its secret.
func (s *Service) CreateAPIKey(ctx context.Context, sc Scope, name string, role Role) (APIKey, string, error) {
	if err := sc.Require(PermAPIKeysManage); err != nil {
		return APIKey{}, "", err
	}
	name = strings.TrimSpace(name)
	var f fault.Fields
	if name == "" || len([]rune(name)) > 100 {
		f.Length("name", 1, 100)
	}
	if !ValidRole(role) {
		f.OneOf("role", roleNames())
	}
	if err := f.Err(); err != nil {
		return APIKey{}, "", err
	}
	token, hash := secret(APIKeyPrefix)
	var k APIKey
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `INSERT INTO api_keys (public_id, program_id, name, role, prefix, secret_hash,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+apiKeyCols,
			pubid.New("key"), sc.Program.ID, name, string(role), token[:len(APIKeyPrefix)+6], hash, sc.Actor.ID, tx.Now.UnixMicro()))
		if err != nil {
			return err
		}
		return Audit(ctx, tx, Change{ProgramID: sc.Program.ID, Action: "api_key.create", ObjectKind: "api_key", ObjectID: k.PublicID, After: k})
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return k, token, nil
}

// APIKeys lists the scope's program's keys, newest first.
func (s *Service) APIKeys(ctx context.Context, sc Scope) ([]APIKey, error) {
	if err := sc.Require(PermAPIKeysManage); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE program_id = $1 ORDER BY id DESC`, sc.Program.ID)
	return db.Collect(rows, err, scanAPIKey)
}

// RevokeAPIKey stops a key from working; revoking twice is harmless.
func (s *Service) RevokeAPIKey(ctx context.Context, sc Scope, keyID string) (APIKey, error) {
	if err := sc.Require(PermAPIKeysManage); err != nil {
		return APIKey{}, err
	}
	var k APIKey
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		before, err := scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE program_id = $1 AND public_id = $2`+tx.ForUpdate(),
			sc.Program.ID, keyID))
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "api_key.not_found", "api key {ref} not found", fault.P{"ref": keyID})
		}
		if err != nil {
			return err
		}
		if !before.RevokedAt.IsZero() {
			k = before
			return nil
		}
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 RETURNING `+apiKeyCols,
			before.ID, tx.Now.UnixMicro()))
		if err != nil {
			return err
		}
		return Audit(ctx, tx, Change{ProgramID: sc.Program.ID, Action: "api_key.revoke", ObjectKind: "api_key", ObjectID: k.PublicID, Before: before, After: k})
	})
	return k, err
}

func (s *Service) resolveAPIKey(ctx context.Context, token string) (Actor, error) {
	var id, programID, revoked, used int64
	var publicID, name, role string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, program_id, public_id, name, role, revoked_at, last_used_at FROM api_keys
		WHERE secret_hash = $1`, hashToken(token)).Scan(&id, &programID, &publicID, &name, &role, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fault.New(fault.Unauthenticated, "auth.unknown_key", "unknown api key")
	}
	if err != nil {
		return Actor{}, unavailable(err)
	}
	if revoked > 0 {
		return Actor{}, fault.New(fault.Unauthenticated, "auth.key_revoked", "this api key was revoked")
	}
	if now := s.DB.Now(); now.Sub(time.UnixMicro(used)) > 5*time.Minute {
		_ = s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, id, tx.Now.UnixMicro())
			return err
		})
	}
	return Actor{Kind: ActorAPIKey, ID: id, PublicID: publicID, Name: name, ProgramID: programID, Role: Role(role)}, nil
}
