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
	var token string
	var expires time.Time
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		token, expires, err = StartSessionTx(ctx, tx, kind, actorID, programID, who)
		return err
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("start session: %w", err)
	}
	return token, expires, nil
}

// StartSessionTx starts a session inside tx.
func StartSessionTx(ctx context.Context, tx *db.Tx, kind ActorKind, actorID, programID int64, who Actor) (string, time.Time, error) {
	token, hash := secret(SessionPrefix)
	expires := tx.Now.Add(SessionTTL)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, actor_kind, actor_id, program_id, created_at, expires_at,
		last_seen_at, actor_public_id, actor_name) VALUES ($1, $2, $3, $4, $5, $6, $5, $7, $8)`,
		hash, string(kind), actorID, programID, tx.Now.UnixMicro(), expires.UnixMicro(), who.PublicID, who.Name)
	return token, expires, err
}

// EndSession signs out the session with the token.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token))
		return err
	})
}

// ResolveIn turns a bearer token into its actor and, where it can in the
// same query, resolves programRef for that actor as Scope does; the scope
// is nil when it could not (then call Scope).
func (s *Service) ResolveIn(ctx context.Context, token, programRef string) (Actor, *Scope, error) {
	switch {
	case strings.HasPrefix(token, SessionPrefix):
		return s.resolveSession(ctx, token, programRef)
	case strings.HasPrefix(token, APIKeyPrefix):
		a, err := s.resolveAPIKey(ctx, token)
		return a, nil, err
	}
	return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.unknown_token", "unknown kind of token")
}

// nullableProgram is cols of a program that a LEFT JOIN may not find.
const nullableProgram = `coalesce(p.id, 0), coalesce(p.public_id, ''), coalesce(p.slug, ''), coalesce(p.name, ''),
	coalesce(p.currency, ''), coalesce(p.time_zone, ''), coalesce(p.locale, ''), coalesce(p.description, ''),
	coalesce(p.created_at, 0), coalesce(p.updated_at, 0)`

// resolveSession reads a session, for an operator the operator, and — when
// programRef names one — the program and the operator's role in it, in one
// query: it runs on every request. A member's session with no program named
// resolves the member's own program (the portal's). The scope is nil when
// no program was asked for or found (Scope then answers as it does).
func (s *Service) resolveSession(ctx context.Context, token, programRef string) (Actor, *Scope, error) {
	hash := hashToken(token)
	var kind, publicID, name string
	var actorID, programID, expires, seen int64
	var opPublic, opName, role, locale sql.NullString
	var owner, disabled sql.NullBool
	p, err := scan(s.DB.R.QueryRowContext(ctx, `SELECT `+nullableProgram+`, s.actor_kind, s.actor_id, s.program_id, s.expires_at,
		s.last_seen_at, s.actor_public_id, s.actor_name, o.public_id, o.name, o.owner, o.disabled, po.role, o.locale
		FROM sessions s LEFT JOIN operators o ON s.actor_kind = 'operator' AND o.id = s.actor_id
		LEFT JOIN programs p ON ($2 <> '' AND (p.public_id = $2 OR p.slug = $2)) OR ($2 = '' AND s.actor_kind = 'member' AND p.id = s.program_id)
		LEFT JOIN program_operators po ON s.actor_kind = 'operator' AND po.program_id = p.id AND po.operator_id = s.actor_id
		WHERE s.token_hash = $1`, hash, programRef),
		&kind, &actorID, &programID, &expires, &seen, &publicID, &name, &opPublic, &opName, &owner, &disabled, &role, &locale)
	if errors.Is(err, sql.ErrNoRows) {
		return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.unknown_session", "signed out or unknown session")
	}
	if err != nil {
		return Actor{}, nil, unavailable(err)
	}
	now := s.DB.Now()
	if now.UnixMicro() >= expires {
		return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.expired", "the session has expired: sign in again")
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
	var a Actor
	switch ActorKind(kind) {
	case ActorOperator:
		if !opPublic.Valid {
			return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.unknown_session", "the operator no longer exists")
		}
		if disabled.Bool {
			return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.disabled", "this operator is disabled")
		}
		a = Actor{Kind: ActorOperator, ID: actorID, PublicID: opPublic.String, Name: opName.String, Owner: owner.Bool, Locale: locale.String}
	case ActorMember:
		a = Actor{Kind: ActorMember, ID: actorID, PublicID: publicID, Name: name, ProgramID: programID, Role: RoleMember}
	default:
		return Actor{}, nil, fault.New(fault.Unauthenticated, "auth.unknown_session", "unknown session")
	}
	if p.ID == 0 {
		return a, nil, nil
	}
	sc, err := scopeOf(a, p, role, programRef)
	if err != nil {
		// The credential is good; the program is not theirs, which Scope
		// says when asked.
		return a, nil, nil
	}
	return a, &sc, nil
}

// unavailable reports a failure to read credentials as the service being
// unavailable: a caller must not be told their credentials are wrong, nor
// be shown the driver's words, when the database could not be asked.
func unavailable(err error) error {
	if fe, ok := fault.As(db.MapError(err)); ok && fe.Kind != fault.NotFound {
		if fe.Kind == fault.Unavailable {
			return fe
		}
	}
	return fault.Wrap(fault.Unavailable, err, "auth.unavailable", "signing in is not possible right now; try again shortly")
}

// Scope resolves a program reference (public id or slug) for the actor in
// ctx. A program the actor has no part in answers NotFound, exactly as one
// that does not exist: ids of other programs reveal nothing. The program and
// an operator's role in it come in one query: it runs on every request.
func (s *Service) Scope(ctx context.Context, ref string) (Scope, error) {
	a, err := mustActor(ctx)
	if err != nil {
		return Scope{}, err
	}
	var role sql.NullString
	p, err := scan(s.DB.R.QueryRowContext(ctx, `SELECT `+prefixed("p.", cols)+`, po.role FROM programs p
		LEFT JOIN program_operators po ON po.program_id = p.id AND po.operator_id = $2
		WHERE p.public_id = $1 OR p.slug = $1`, ref, a.ID), &role)
	if errors.Is(err, sql.ErrNoRows) {
		return Scope{}, notFound(ref)
	}
	if err != nil {
		return Scope{}, fmt.Errorf("program: %w", db.MapError(err))
	}
	return scopeOf(a, p, role, ref)
}

// scopeOf is the actor's scope in program p, given the operator's role
// there (NULL when they have none): the one rule of who stands where.
func scopeOf(a Actor, p Program, role sql.NullString, ref string) (Scope, error) {
	sc := Scope{Program: p, Actor: a}
	switch {
	case a.Kind == ActorOperator && a.Owner:
		sc.Role = RoleAdmin
	case a.Kind == ActorOperator:
		if !role.Valid {
			return Scope{}, notFound(ref)
		}
		sc.Role = Role(role.String)
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

func notFound(ref string) error {
	return fault.New(fault.NotFound, "program.not_found", "program {ref} not found", fault.P{"ref": ref})
}

// EndSessionsOf signs an actor out everywhere (a member who left or was
// banned).
func EndSessionsOf(ctx context.Context, tx *db.Tx, kind ActorKind, actorID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE actor_kind = $1 AND actor_id = $2`, string(kind), actorID)
	return err
}
