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
)

// SessionTTL is how long a sign-in lasts unused.
const SessionTTL = 14 * 24 * time.Hour

// Token prefixes say what a bearer token is.
const (
	SessionPrefix = "kxs_"
	APIKeyPrefix  = "kxk_"
)

// Service holds programs, operators, sessions, API keys and the audit log.
type Service struct {
	DB *db.DB
	// OnCreate runs in the transaction that creates a program through
	// Create, so that packages above this one (the ladder's default
	// template) set a new program up without this package knowing them.
	OnCreate []func(ctx context.Context, tx *db.Tx, p Program) error
}

// StartSession signs an actor in and returns the bearer token, shown once.
// A member's session belongs to their program; who names the actor for the
// audit log.
func (s *Service) StartSession(ctx context.Context, kind ActorKind, actorID, programID int64, who Actor) (string, time.Time, error) {
	token, hash := secret(SessionPrefix)
	var expires time.Time
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		expires = tx.Now.Add(SessionTTL)
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, actor_kind, actor_id, program_id, created_at, expires_at,
			last_seen_at, actor_public_id, actor_name) VALUES ($1, $2, $3, $4, $5, $6, $5, $7, $8)`,
			hash, string(kind), actorID, programID, tx.Now.UnixMicro(), expires.UnixMicro(), who.PublicID, who.Name)
		return err
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("start session: %w", err)
	}
	return token, expires, nil
}

// EndSession signs out the session with the token.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token))
		return err
	})
}

// Resolve turns a bearer token (a session or an API key) into its actor.
func (s *Service) Resolve(ctx context.Context, token string) (Actor, error) {
	switch {
	case strings.HasPrefix(token, SessionPrefix):
		return s.resolveSession(ctx, token)
	case strings.HasPrefix(token, APIKeyPrefix):
		return s.resolveAPIKey(ctx, token)
	}
	return Actor{}, fault.New(fault.Unauthenticated, "unknown kind of token")
}

func (s *Service) resolveSession(ctx context.Context, token string) (Actor, error) {
	hash := hashToken(token)
	var kind, publicID, name string
	var actorID, programID, expires, seen int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT actor_kind, actor_id, program_id, expires_at, last_seen_at, actor_public_id, actor_name
		FROM sessions WHERE token_hash = $1`, hash).Scan(&kind, &actorID, &programID, &expires, &seen, &publicID, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, fault.New(fault.Unauthenticated, "signed out or unknown session")
	}
	if err != nil {
		return Actor{}, db.MapError(err)
	}
	now := s.DB.Now()
	if now.UnixMicro() >= expires {
		return Actor{}, fault.New(fault.Unauthenticated, "the session has expired: sign in again")
	}
	// A session in use stays alive: each touch moves its expiry SessionTTL
	// ahead. Touch at most every few minutes: a write per request is waste.
	if now.Sub(time.UnixMicro(seen)) > 5*time.Minute {
		_ = s.DB.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1`,
				hash, tx.Now.UnixMicro(), tx.Now.Add(SessionTTL).UnixMicro())
			return err
		})
	}
	switch ActorKind(kind) {
	case ActorOperator:
		o, err := s.OperatorByID(ctx, actorID)
		if err != nil {
			return Actor{}, fault.New(fault.Unauthenticated, "the operator no longer exists")
		}
		if o.Disabled {
			return Actor{}, fault.New(fault.Unauthenticated, "this operator is disabled")
		}
		return Actor{Kind: ActorOperator, ID: o.ID, PublicID: o.PublicID, Name: o.Name, Owner: o.Owner}, nil
	case ActorMember:
		return Actor{Kind: ActorMember, ID: actorID, PublicID: publicID, Name: name, ProgramID: programID, Role: RoleMember}, nil
	}
	return Actor{}, fault.New(fault.Unauthenticated, "unknown session")
}

// Scope resolves a program reference (public id or slug) for the actor in
// ctx. A program the actor has no part in answers NotFound, exactly as one
// that does not exist: ids of other programs reveal nothing.
func (s *Service) Scope(ctx context.Context, ref string) (Scope, error) {
	a, err := mustActor(ctx)
	if err != nil {
		return Scope{}, err
	}
	p, err := s.find(ctx, ref)
	if err != nil {
		return Scope{}, err
	}
	sc := Scope{Program: p, Actor: a}
	switch {
	case a.Kind == ActorOperator && a.Owner:
		sc.Role = RoleAdmin
	case a.Kind == ActorOperator:
		var role string
		err := s.DB.R.QueryRowContext(ctx, `SELECT role FROM program_operators WHERE program_id = $1 AND operator_id = $2`,
			p.ID, a.ID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return Scope{}, notFound(ref)
		}
		if err != nil {
			return Scope{}, db.MapError(err)
		}
		sc.Role = Role(role)
	case a.Kind == ActorAPIKey || a.Kind == ActorMember:
		if a.ProgramID != p.ID {
			return Scope{}, notFound(ref)
		}
		sc.Role = a.Role
	case a.Kind == ActorSystem || a.Kind == ActorJob:
		sc.Role = RoleAdmin
	default:
		return Scope{}, notFound(ref)
	}
	return sc, nil
}

func notFound(ref string) error { return fault.New(fault.NotFound, "program %q not found", ref) }

func (s *Service) find(ctx context.Context, ref string) (Program, error) {
	p, err := scan(s.DB.R.QueryRowContext(ctx, `SELECT `+cols+` FROM programs WHERE public_id = $1 OR slug = $1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, notFound(ref)
	}
	if err != nil {
		return Program{}, fmt.Errorf("program: %w", db.MapError(err))
	}
	return p, nil
}

// EndSessionsOf signs an actor out everywhere (a member who left or was
// banned).
func EndSessionsOf(ctx context.Context, tx *db.Tx, kind ActorKind, actorID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE actor_kind = $1 AND actor_id = $2`, string(kind), actorID)
	return err
}
