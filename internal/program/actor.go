package program

import (
	"context"
	"slices"

	"kox/internal/fault"
)

// ActorKind says who is acting.
type ActorKind string

const (
	ActorOperator ActorKind = "operator"
	ActorMember   ActorKind = "member"
	ActorAPIKey   ActorKind = "api_key"
	ActorJob      ActorKind = "job"    // a scheduled job
	ActorSystem   ActorKind = "system" // the kox command line
)

// Actor is who a change is made by; it travels in the context, and the audit
// log records it.
type Actor struct {
	Kind      ActorKind
	ID        int64  // operator, member or API key id
	PublicID  string // what the audit log shows
	Name      string
	Owner     bool  // an operator who administers the installation
	ProgramID int64 // members and API keys belong to one program
	Role      Role  // an API key's role
	RequestID string
	Locale    string // an operator's language setting ("" for none)
}

type actorKey struct{}

// WithActor puts the actor in ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// System is the actor for changes made from the command line.
func System(name string) Actor {
	return Actor{Kind: ActorSystem, PublicID: "system", Name: name}
}

func mustActor(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Actor{}, fault.New(fault.Unauthenticated, "auth.required", "sign in first")
	}
	return a, nil
}

// Role is an operator's (or API key's) role in a program.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleOperator Role = "operator"
	RoleReviewer Role = "reviewer"
	RoleFinance  Role = "finance"
	RoleViewer   Role = "viewer"
	// RoleMember is what a member acting for themselves holds; it grants
	// nothing over other members' data.
	RoleMember Role = "member"
)

// Roles an operator or API key may hold, most powerful first.
var Roles = []Role{RoleAdmin, RoleOperator, RoleReviewer, RoleFinance, RoleViewer}

func roleNames() []string { return fault.Names(Roles) }

// ValidRole reports whether r may be given to an operator or API key.
func ValidRole(r Role) bool { return slices.Contains(Roles, r) }

// Permission names one thing an actor may do in a program.
type Permission string

const (
	PermProgramRead       Permission = "program.read"
	PermProgramUpdate     Permission = "program.update"
	PermOperatorsRead     Permission = "operators.read"
	PermOperatorsManage   Permission = "operators.manage"
	PermAPIKeysManage     Permission = "api_keys.manage"
	PermAuditRead         Permission = "audit.read"
	PermMembersRead       Permission = "members.read"
	PermMembersWrite      Permission = "members.write"
	PermLaddersWrite      Permission = "ladders.write"
	PermTiersAssign       Permission = "tiers.assign"
	PermTasksRead         Permission = "tasks.read"
	PermTasksWrite        Permission = "tasks.write"
	PermSubmissionsReview Permission = "submissions.review"
	PermLedgerRead        Permission = "ledger.read"
	PermRewardsRead       Permission = "rewards.read"
	PermRewardsWrite      Permission = "rewards.write"
	PermPointsAdjust      Permission = "points.adjust"
	PermBudgetRead        Permission = "budget.read"
	PermBudgetWrite       Permission = "budget.write"
	PermBudgetApprove     Permission = "budget.approve"
	PermPayoutsManage     Permission = "payouts.manage"
)

// grants is the one policy: what each role may do.
var grants = map[Role][]Permission{
	RoleAdmin: {PermProgramRead, PermProgramUpdate, PermOperatorsRead, PermOperatorsManage, PermAPIKeysManage,
		PermAuditRead, PermMembersRead, PermMembersWrite, PermLaddersWrite, PermTiersAssign, PermTasksRead,
		PermTasksWrite, PermSubmissionsReview, PermLedgerRead, PermRewardsRead, PermRewardsWrite, PermPointsAdjust,
		PermBudgetRead, PermBudgetWrite, PermBudgetApprove, PermPayoutsManage},
	// Operators spend budgets but never approve them or pay anyone: that is
	// finance's (an admin holds both, for a program run by one person).
	RoleOperator: {PermProgramRead, PermOperatorsRead, PermAuditRead, PermMembersRead, PermMembersWrite,
		PermLaddersWrite, PermTiersAssign, PermTasksRead, PermTasksWrite, PermSubmissionsReview, PermLedgerRead,
		PermRewardsRead, PermRewardsWrite, PermPointsAdjust, PermBudgetRead, PermBudgetWrite},
	RoleReviewer: {PermProgramRead, PermMembersRead, PermTasksRead, PermSubmissionsReview},
	RoleFinance: {PermProgramRead, PermAuditRead, PermMembersRead, PermTasksRead, PermLedgerRead, PermRewardsRead,
		PermBudgetRead, PermBudgetWrite, PermBudgetApprove, PermPayoutsManage},
	RoleViewer: {PermProgramRead, PermMembersRead, PermTasksRead, PermLedgerRead, PermRewardsRead, PermBudgetRead},
	RoleMember: {PermProgramRead},
}

// Can reports whether role grants p.
func Can(role Role, p Permission) bool { return slices.Contains(grants[role], p) }

// Scope is an actor inside one program: the program, and the role the actor
// holds there.
type Scope struct {
	Program Program
	Actor   Actor
	Role    Role
}

// Require returns a Forbidden error unless the scope's role grants p.
func (s Scope) Require(p Permission) error {
	if Can(s.Role, p) {
		return nil
	}
	return fault.New(fault.Forbidden, "auth.forbidden", "your role ({role}) may not {permission}", fault.P{"role": string(s.Role), "permission": string(p)})
}
