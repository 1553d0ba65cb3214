// Package access is the one way in for every face of kox: who the caller is
// (a bearer token or the session cookie), which program they act in, and
// whether the route lets them — decided here, for the API and the web alike,
// before any handler runs. It also signs people in: operators with a
// password, members with a one-time code, both throttled per account and per
// client address before any password is hashed.
//
// It knows nothing of HTTP types: faces hand it header values and an
// address. Services check the actor again for what only they can see (a
// member's own claims).
package access

import (
	"context"
	"strings"
	"sync"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
)

// Need is what a route asks of its caller.
type Need struct {
	// Permission the caller's role must grant in the program; "" lets any
	// actor of the program in.
	Permission program.Permission
	// Members may call the route, acting for themselves; the service keeps
	// them to their own objects. A route without it refuses members unless
	// its permission is one every member holds.
	Members bool
	// MembersOnly: only members, for what is theirs to do (a mentor's
	// word to their newcomer); operators and keys are refused.
	MembersOnly bool
	// OwnerOnly: only an owner of the installation.
	OwnerOnly bool
	// Public: no sign-in; a credential sent anyway is used when it resolves
	// and ignored when it does not.
	Public bool
}

// Gate resolves actors and scopes.
type Gate struct {
	Programs *program.Service
	Members  *member.Service
	// Throttle limits sign-in attempts per client address and per account;
	// nil means DefaultThrottle's limits.
	Throttle *Throttle

	once sync.Once
}

// Token is the caller's credential: the Authorization header's bearer
// token, else the session cookie's value.
func Token(authorization, cookie string) string {
	if authorization != "" {
		if t, ok := strings.CutPrefix(authorization, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	return cookie
}

// SignedIn resolves a credential and, in the same query where it can, the
// program the request names (programRef, "" for none). It returns ctx with
// the actor (and that scope, for Enter); an empty token is no actor and no
// error.
func (g *Gate) SignedIn(ctx context.Context, token, programRef string) (context.Context, bool, error) {
	if token == "" {
		return ctx, false, nil
	}
	a, sc, err := g.Programs.ResolveIn(ctx, token, programRef)
	if err != nil {
		return ctx, false, err
	}
	ctx = program.WithActor(ctx, a)
	if sc != nil {
		ctx = context.WithValue(ctx, scopeKey{}, resolved{ref: programRef, scope: *sc})
	}
	return ctx, true, nil
}

type scopeKey struct{}

type resolved struct {
	ref   string
	scope program.Scope
}

// Enter lets an actor into a route: the program named by programRef ("" for
// a route outside any program) and what the route needs. ctx must carry the
// actor (program.WithActor) unless the route is public.
func (g *Gate) Enter(ctx context.Context, programRef string, need Need) (program.Scope, error) {
	a, signedIn := program.ActorFrom(ctx)
	if !signedIn {
		if need.Public {
			return program.Scope{}, nil
		}
		return program.Scope{}, fault.New(fault.Unauthenticated, "auth.required", "sign in first")
	}
	if need.OwnerOnly && !(a.Kind == program.ActorOperator && a.Owner) && a.Kind != program.ActorSystem {
		return program.Scope{}, fault.New(fault.Forbidden, "auth.owner_only", "only an owner of this installation may do this")
	}
	if programRef == "" {
		return program.Scope{Actor: a}, nil
	}
	var sc program.Scope
	if r, ok := ctx.Value(scopeKey{}).(resolved); ok && r.ref == programRef && r.scope.Actor.ID == a.ID && r.scope.Actor.Kind == a.Kind {
		sc = r.scope
		sc.Actor = a // with the request id the face added
	} else {
		var err error
		if sc, err = g.Programs.Scope(ctx, programRef); err != nil {
			return program.Scope{}, err
		}
	}
	if need.MembersOnly && a.Kind != program.ActorMember {
		return program.Scope{}, fault.New(fault.Forbidden, "auth.members_only", "this is for the program's members, acting for themselves")
	}
	if need.Permission == "" {
		return sc, nil
	}
	if a.Kind == program.ActorMember {
		if need.Members || program.Can(program.RoleMember, need.Permission) {
			return sc, nil
		}
		return program.Scope{}, fault.New(fault.Forbidden, "auth.operators_only", "this is for the program's operators")
	}
	return sc, sc.Require(need.Permission)
}

// Own is a signed-in member's scope in their own program: the portal's,
// since a member belongs to one program. SignedIn with no program named
// resolved it in the same query as the session.
func (g *Gate) Own(ctx context.Context) (program.Scope, error) {
	a, ok := program.ActorFrom(ctx)
	if !ok || a.Kind != program.ActorMember {
		return program.Scope{}, fault.New(fault.Unauthenticated, "auth.required", "sign in first")
	}
	if r, ok := ctx.Value(scopeKey{}).(resolved); ok && r.scope.Program.ID == a.ProgramID {
		sc := r.scope
		sc.Actor = a
		return sc, nil
	}
	return program.Scope{}, fault.New(fault.Unauthenticated, "auth.required", "sign in first")
}

// Session is a started sign-in: the bearer token, shown once, and when it
// ends unless used.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// SignIn checks an operator's email and password and starts a session.
// client is the caller's address, for throttling.
func (g *Gate) SignIn(ctx context.Context, email, password, client string) (program.Operator, Session, error) {
	var f fault.Fields
	if strings.TrimSpace(email) == "" {
		f.Required("email")
	}
	if password == "" {
		f.Required("password")
	}
	if err := f.Err(); err != nil {
		return program.Operator{}, Session{}, err
	}
	if err := g.throttle().Allow("address:"+client, "account:"+strings.ToLower(strings.TrimSpace(email))); err != nil {
		return program.Operator{}, Session{}, err
	}
	o, err := g.Programs.Authenticate(ctx, email, password)
	if err != nil {
		return program.Operator{}, Session{}, err
	}
	token, expires, err := g.Programs.StartSession(ctx, program.ActorOperator, o.ID, 0, program.Actor{PublicID: o.PublicID, Name: o.Name})
	if err != nil {
		return program.Operator{}, Session{}, err
	}
	return o, Session{Token: token, ExpiresAt: expires}, nil
}

// MemberSignIn redeems a member's one-time code and starts their session,
// in one transaction: a code is used up exactly when a session starts.
func (g *Gate) MemberSignIn(ctx context.Context, code, client string) (member.Member, Session, error) {
	if strings.TrimSpace(code) == "" {
		return member.Member{}, Session{}, fault.Field("code", "required", "is required")
	}
	if err := g.throttle().Allow("address:" + client); err != nil {
		return member.Member{}, Session{}, err
	}
	var m member.Member
	var s Session
	err := g.Members.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if m, err = member.RedeemLoginCodeTx(ctx, tx, code); err != nil {
			return err
		}
		s.Token, s.ExpiresAt, err = program.StartSessionTx(ctx, tx, program.ActorMember, m.ID, m.ProgramID,
			program.Actor{PublicID: m.PublicID, Name: m.Name})
		return err
	})
	if err != nil {
		return member.Member{}, Session{}, err
	}
	return m, s, nil
}

// SignOut ends the session the token names; an API key cannot sign out.
func (g *Gate) SignOut(ctx context.Context, token string) error {
	if strings.HasPrefix(token, program.APIKeyPrefix) {
		return fault.New(fault.Invalid, "auth.key_sign_out", "an API key cannot sign out: revoke it instead")
	}
	return g.Programs.EndSession(ctx, token)
}

func (g *Gate) throttle() *Throttle {
	g.once.Do(func() {
		if g.Throttle == nil {
			g.Throttle = NewThrottle(DefaultSignInsPerMinute, time.Minute)
		}
	})
	return g.Throttle
}
