// Package web is kox's second face: the operator console and (later) the
// member portal, server-rendered with templ over the same services and the
// same access gate as the API. Handlers hold no rule of the domain: they
// read a form, call a service, and render what it returns or the error it
// gives, in the reader's language. One file per page or action.
package web

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"kox/internal/access"
	"kox/internal/activity"
	"kox/internal/award"
	"kox/internal/badge"
	"kox/internal/briefing"
	"kox/internal/budget"
	"kox/internal/campaign"
	"kox/internal/catalog"
	"kox/internal/community"
	"kox/internal/council"
	"kox/internal/dashboard"
	"kox/internal/db"
	"kox/internal/event"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/identity"
	"kox/internal/job"
	"kox/internal/kit"
	"kox/internal/ladder"
	"kox/internal/loan"
	"kox/internal/media"
	"kox/internal/member"
	"kox/internal/middleware"
	"kox/internal/notify"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/promotion"
	"kox/internal/roster"
	"kox/internal/task"
	"kox/internal/web/components"
)

// Deps are the services the web serves.
type Deps struct {
	Gate      *access.Gate
	Programs  *program.Service
	Members   *member.Service
	Ladders   *ladder.Service
	Points    *points.Service
	Identity  *identity.Service
	Dashboard *dashboard.Service
	Roster    *roster.Service
	Media     *media.Service
	Activity  *activity.Service
	Tasks     *task.Service
	Budget    *budget.Service
	Catalog   *catalog.Service
	Payouts   *payout.Service
	Badges    *badge.Service
	Awards    *award.Service
	Kits      *kit.Service
	Events    *event.Service
	Loans     *loan.Service
	Council   *council.Service
	Community *community.Service
	Briefings *briefing.Service
	Campaigns *campaign.Service
	Jobs      *job.Service
	Promotion *promotion.Service
	Notify    *notify.Service
	Log       *slog.Logger
}

// Server is the web face.
type Server struct{ Deps }

//go:embed static
var static embed.FS

// LangCookie keeps a person's choice of language.
const LangCookie = "kox_lang"

// CSP lets pages load only kox's own scripts, styles, images and fonts: no
// inline script, no other origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// New registers the web's routes on mux.
func New(mux *http.ServeMux, d Deps) *Server {
	s := &Server{Deps: d}
	sub, _ := fs.Sub(static, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	}))
	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /signin", s.page(s.signInForm))
	mux.Handle("POST /signin", s.page(s.signIn))
	mux.Handle("POST /signout", s.page(s.signOut))
	mux.Handle("GET /lang", s.page(s.switchLang))
	for _, rt := range consoleRoutes {
		mux.Handle(rt.Pattern, s.page(s.console(rt)))
	}
	mux.Handle("GET /m", s.portal(s.memberHome))
	mux.Handle("GET /m/signin", s.portal(s.memberSignInForm))
	mux.Handle("POST /m/signin", s.portal(s.memberSignIn))
	mux.Handle("POST /m/signout", s.portal(s.memberSignOut))
	mux.Handle("GET /m/tasks", s.portal(s.memberTasks))
	mux.Handle("GET /m/tasks/{task}", s.portal(s.memberTask))
	mux.Handle("POST /m/tasks/{task}/take", s.portal(s.memberTake))
	mux.Handle("GET /m/claims/{claim}", s.portal(s.memberClaim))
	mux.Handle("POST /m/claims/{claim}/submit", s.portal(s.memberSubmit))
	mux.Handle("GET /m/points", s.portal(s.memberPoints))
	mux.Handle("GET /m/rewards", s.portal(s.memberShelf))
	mux.Handle("GET /m/rewards/{item}", s.portal(s.memberReward))
	mux.Handle("POST /m/rewards/{item}/redeem", s.portal(s.memberRedeem))
	mux.Handle("GET /m/redemptions", s.portal(s.memberRedemptions))
	mux.Handle("GET /m/redemptions/{redemption}", s.portal(s.memberRedemption))
	mux.Handle("POST /m/redemptions/{redemption}/cancel", s.portal(s.memberCancelRedemption))
	mux.Handle("POST /m/redemptions/{redemption}/address", s.portal(s.memberRedemptionAddress))
	mux.Handle("POST /m/community", s.portal(s.memberAnswerCommunity))
	mux.Handle("GET /m/events", s.portal(s.memberEvents))
	mux.Handle("GET /m/events/{event}", s.portal(s.memberEvent))
	mux.Handle("POST /m/events/{event}/rsvp", s.portal(s.memberRSVP))
	mux.Handle("POST /m/seats/{seat}/cancel", s.portal(s.memberCancelSeat))
	mux.Handle("POST /m/seats/{seat}/answer", s.portal(s.memberAnswerOffer))
	mux.Handle("GET /m/seats/{seat}/ticket.png", s.portal(s.memberTicketPNG))
	mux.Handle("GET /m/briefings", s.portal(s.memberBriefings))
	mux.Handle("GET /m/briefings/{briefing}", s.portal(s.memberBriefing))
	mux.Handle("GET /m/briefings/{briefing}/files/{file}", s.portal(s.memberBriefingFile))
	mux.Handle("GET /m/loans", s.portal(s.memberLoans))
	mux.Handle("GET /m/loans/{loan}", s.portal(s.memberLoan))
	mux.Handle("POST /m/loans/{loan}/sign", s.portal(s.memberSignLoan))
	mux.Handle("POST /m/loans/{loan}/scenarios", s.portal(s.memberTickScenario))
	mux.Handle("GET /m/loans/{loan}/photos/{photo}", s.portal(s.memberLoanPhoto))
	mux.Handle("GET /m/feedback", s.portal(s.memberFeedback))
	mux.Handle("POST /m/feedback", s.portal(s.memberRaiseFeedback))
	mux.Handle("GET /m/feedback/{feedback}", s.portal(s.memberFeedbackItem))
	mux.Handle("GET /m/council", s.portal(s.memberCouncil))
	mux.Handle("POST /m/council/sessions/{session}/answer", s.portal(s.memberAnswerSession))
	mux.Handle("GET /m/mentorships/{mentorship}", s.portal(s.memberMentorship))
	mux.Handle("POST /m/mentorships/{mentorship}/notes", s.portal(s.memberWriteNote))
	mux.Handle("POST /m/mentorships/{mentorship}/nominate", s.portal(s.memberNominate))
	mux.Handle("GET /m/badges", s.portal(s.memberBadges))
	mux.Handle("GET /m/notifications", s.portal(s.memberNotifications))
	mux.Handle("POST /m/notifications/read", s.portal(s.memberMarkRead))
	mux.Handle("POST /m/notifications/preferences", s.portal(s.memberNotifyPrefs))
	mux.Handle("GET /m/money", s.portal(s.memberMoney))
	mux.Handle("POST /m/money/payee", s.portal(s.memberSetPayee))
	mux.Handle("GET /m/images/{image}", s.portal(s.memberImage))
	mux.Handle("GET /m/card", s.portal(s.memberCard))
	mux.Handle("GET /m/card.png", s.portal(s.memberCardPNG))
	mux.Handle("GET /v/{number}", s.page(s.verify))
	mux.Handle("GET /w/{program}", s.page(s.honourWall))
	mux.Handle("/m/", s.portal(s.memberNotFound))
	mux.Handle("/", s.page(s.notFound))
	return s
}

// Route is a console page or action: its pattern and the permission the
// reader needs in the program its path names.
type Route struct {
	Pattern    string
	Permission program.Permission
	handle     func(*Server, *request, program.Scope) error
}

// consoleRoutes are the console's pages and actions, each with what it
// needs: the gate lets the reader in (or answers 404) before the handler
// runs, as the API's routes do.
var consoleRoutes = []Route{
	{"GET /p/{program}", program.PermProgramRead, (*Server).dashboard},
	{"GET /p/{program}/members", program.PermMembersRead, (*Server).members},
	{"GET /p/{program}/members/export", program.PermMembersRead, (*Server).exportMembers},
	{"GET /p/{program}/members/import", program.PermMembersWrite, (*Server).importForm},
	{"POST /p/{program}/members/import", program.PermMembersWrite, (*Server).stageImport},
	{"GET /p/{program}/member-imports/{import}", program.PermMembersWrite, (*Server).importPage},
	{"POST /p/{program}/member-imports/{import}/apply", program.PermMembersWrite, (*Server).applyImport},
	{"GET /p/{program}/members/{member}", program.PermMembersRead, (*Server).memberPage},
	{"GET /p/{program}/members/{member}/card.png", program.PermMembersRead, (*Server).memberCardConsole},
	{"POST /p/{program}/members/{member}/login-code", program.PermMembersWrite, (*Server).issueLoginCode},
	{"GET /p/{program}/tasks", program.PermTasksRead, (*Server).tasks},
	{"GET /p/{program}/tasks/new", program.PermTasksWrite, (*Server).newTask},
	{"POST /p/{program}/tasks", program.PermTasksWrite, (*Server).createTask},
	{"GET /p/{program}/tasks/{task}", program.PermTasksRead, (*Server).taskPage},
	{"GET /p/{program}/tasks/{task}/edit", program.PermTasksWrite, (*Server).editTask},
	{"POST /p/{program}/tasks/{task}", program.PermTasksWrite, (*Server).updateTask},
	{"POST /p/{program}/tasks/{task}/publish", program.PermTasksWrite, (*Server).publishTask},
	{"POST /p/{program}/tasks/{task}/cancel", program.PermTasksWrite, (*Server).cancelTask},
	{"POST /p/{program}/tasks/{task}/assign", program.PermTasksWrite, (*Server).assignTask},
	{"POST /p/{program}/tasks/{task}/claims/{claim}/select", program.PermTasksWrite, (*Server).selectApplicant},
	{"POST /p/{program}/members/{member}", program.PermMembersWrite, (*Server).editMember},
	{"POST /p/{program}/members/{member}/tier", program.PermTiersAssign, (*Server).moveTier},
	{"GET /p/{program}/ladders", program.PermProgramRead, (*Server).ladders},
	{"GET /p/{program}/program.yaml", program.PermProgramRead, (*Server).programFile},
	{"GET /p/{program}/program-file", program.PermLaddersWrite, (*Server).editProgramFile},
	{"POST /p/{program}/program-file", program.PermLaddersWrite, (*Server).saveProgramFile},
	{"GET /p/{program}/matrix", program.PermMembersRead, (*Server).matrix},
	{"GET /p/{program}/team", program.PermOperatorsRead, (*Server).team},
	{"POST /p/{program}/team", program.PermOperatorsManage, (*Server).addTeammate},
	{"POST /p/{program}/team/{operator}", program.PermOperatorsManage, (*Server).changeTeammate},
	{"GET /p/{program}/api-keys", program.PermAPIKeysManage, (*Server).apiKeys},
	{"POST /p/{program}/api-keys", program.PermAPIKeysManage, (*Server).createKey},
	{"POST /p/{program}/api-keys/{key}/revoke", program.PermAPIKeysManage, (*Server).revokeKey},
	{"GET /p/{program}/audit", program.PermAuditRead, (*Server).auditLog},
	{"GET /p/{program}/review", program.PermSubmissionsReview, (*Server).review},
	{"GET /p/{program}/images/{image}", program.PermTasksRead, (*Server).consoleImage},
	{"POST /p/{program}/review/{submission}", program.PermSubmissionsReview, (*Server).decide},
	{"POST /p/{program}/members/{member}/points", program.PermPointsAdjust, (*Server).adjustMemberPoints},
	{"POST /p/{program}/members/{member}/payee", program.PermPayoutsManage, (*Server).setMemberPayee},
	{"GET /p/{program}/catalog", program.PermRewardsRead, (*Server).catalogPage},
	{"GET /p/{program}/catalog/new", program.PermRewardsWrite, (*Server).newItem},
	{"POST /p/{program}/catalog", program.PermRewardsWrite, (*Server).saveItem},
	{"GET /p/{program}/catalog/{item}", program.PermRewardsRead, (*Server).itemPage},
	{"GET /p/{program}/catalog/{item}/edit", program.PermRewardsWrite, (*Server).editItem},
	{"POST /p/{program}/catalog/{item}", program.PermRewardsWrite, (*Server).saveItem},
	{"POST /p/{program}/catalog/{item}/stock", program.PermRewardsWrite, (*Server).restockItem},
	{"POST /p/{program}/catalog/{item}/variants", program.PermRewardsWrite, (*Server).addItemVariant},
	{"POST /p/{program}/catalog/{item}/status", program.PermRewardsWrite, (*Server).setItemStatus},
	{"POST /p/{program}/catalog/{item}/codes", program.PermRewardsWrite, (*Server).importItemCodes},
	{"GET /p/{program}/redemptions", program.PermRewardsRead, (*Server).redemptions},
	{"GET /p/{program}/redemptions/{redemption}", program.PermRewardsRead, (*Server).redemptionPage},
	{"POST /p/{program}/redemptions/{redemption}/shipment", program.PermRewardsWrite, (*Server).advanceRedemption},
	{"POST /p/{program}/redemptions/{redemption}/cancel", program.PermRewardsWrite, (*Server).cancelRedemption},
	{"GET /p/{program}/badges", program.PermProgramRead, (*Server).badges},
	{"POST /p/{program}/badges", program.PermRewardsWrite, (*Server).createBadge},
	{"GET /p/{program}/points", program.PermPointsAdjust, (*Server).pointsPage},
	{"POST /p/{program}/points/adjust", program.PermPointsAdjust, (*Server).adjustPoints},
	{"POST /p/{program}/points/expiry", program.PermProgramUpdate, (*Server).setPointsExpiry},
	{"GET /p/{program}/budget", program.PermBudgetRead, (*Server).budgetPlans},
	{"GET /p/{program}/budget/plans/new", program.PermBudgetWrite, (*Server).newPlan},
	{"POST /p/{program}/budget/plans", program.PermBudgetWrite, (*Server).createPlan},
	{"GET /p/{program}/budget/plans/{plan}", program.PermBudgetRead, (*Server).planPage},
	{"GET /p/{program}/budget/plans/{plan}/report", program.PermBudgetRead, (*Server).planReport},
	{"POST /p/{program}/budget/plans/{plan}/approve", program.PermBudgetApprove, (*Server).approvePlan},
	{"POST /p/{program}/budget/plans/{plan}/close", program.PermBudgetApprove, (*Server).closePlan},
	{"POST /p/{program}/budget/plans/{plan}/lines", program.PermBudgetWrite, (*Server).addPlanLine},
	{"POST /p/{program}/budget/plans/{plan}/line-amount", program.PermBudgetWrite, (*Server).setPlanLine},
	{"GET /p/{program}/budget/requests", program.PermBudgetRead, (*Server).budgetRequests},
	{"POST /p/{program}/budget/requests", program.PermBudgetWrite, (*Server).askBudget},
	{"POST /p/{program}/budget/requests/{request}/decision", program.PermBudgetApprove, (*Server).decideBudget},
	{"GET /p/{program}/payouts", program.PermPayoutsManage, (*Server).payoutBatches},
	{"POST /p/{program}/payouts", program.PermPayoutsManage, (*Server).createBatch},
	{"POST /p/{program}/payouts/tax-rule", program.PermPayoutsManage, (*Server).setTaxRule},
	{"GET /p/{program}/payouts/{batch}", program.PermPayoutsManage, (*Server).batchPage},
	{"GET /p/{program}/payouts/{batch}/bank-file", program.PermPayoutsManage, (*Server).bankFile},
	{"POST /p/{program}/payouts/{batch}/approve", program.PermPayoutsManage, (*Server).approveBatch},
	{"POST /p/{program}/payouts/{batch}/paid", program.PermPayoutsManage, (*Server).payBatch},
	{"POST /p/{program}/payouts/{batch}/cancel", program.PermPayoutsManage, (*Server).cancelBatch},
	{"POST /p/{program}/payouts/{batch}/exclude", program.PermPayoutsManage, (*Server).excludeLine},
	{"GET /p/{program}/jobs", program.PermProgramUpdate, (*Server).jobsPage},
	{"GET /p/{program}/promotions", program.PermMembersRead, (*Server).promotions},
	{"POST /p/{program}/promotions/evaluate", program.PermTiersAssign, (*Server).evaluatePromotions},
	{"POST /p/{program}/promotions/decide", program.PermTiersAssign, (*Server).decidePromotions},
	{"POST /p/{program}/promotions/keep", program.PermTiersAssign, (*Server).applyKeepRules},
	{"POST /p/{program}/members/{member}/strikes", program.PermMembersWrite, (*Server).strikeMember},
	{"POST /p/{program}/members/{member}/nominations", program.PermTiersAssign, (*Server).nominateMember},
	{"POST /p/{program}/jobs/run", program.PermProgramUpdate, (*Server).runJobNow},
	{"GET /p/{program}/awards", program.PermRewardsRead, (*Server).awards},
	{"POST /p/{program}/awards", program.PermRewardsWrite, (*Server).createAward},
	{"GET /p/{program}/awards/{award}", program.PermRewardsRead, (*Server).awardPage},
	{"POST /p/{program}/awards/{award}/winners", program.PermRewardsWrite, (*Server).addWinner},
	{"GET /p/{program}/events", program.PermTasksRead, (*Server).events},
	{"POST /p/{program}/events", program.PermTasksWrite, (*Server).createEvent},
	{"GET /p/{program}/events/{event}", program.PermTasksRead, (*Server).eventPage},
	{"POST /p/{program}/events/{event}/publish", program.PermTasksWrite, (*Server).publishEvent},
	{"POST /p/{program}/events/{event}/check-in", program.PermTasksWrite, (*Server).checkInEvent},
	{"GET /p/{program}/events/{event}/door", program.PermTasksWrite, (*Server).eventDoor},
	{"POST /p/{program}/events/{event}/cancel", program.PermTasksWrite, (*Server).cancelEvent},
	{"POST /p/{program}/events/{event}/door", program.PermTasksWrite, (*Server).admitAtDoor},
	{"POST /p/{program}/events/{event}/seats", program.PermTasksWrite, (*Server).assignEventSeat},
	{"POST /p/{program}/events/{event}/costs", program.PermBudgetWrite, (*Server).addEventCost},
	{"GET /p/{program}/briefings", program.PermTasksRead, (*Server).briefings},
	{"POST /p/{program}/briefings", program.PermTasksWrite, (*Server).createBriefing},
	{"GET /p/{program}/briefings/{briefing}", program.PermTasksRead, (*Server).briefingPage},
	{"POST /p/{program}/briefings/{briefing}/edit", program.PermTasksWrite, (*Server).editBriefing},
	{"POST /p/{program}/briefings/{briefing}/publish", program.PermTasksWrite, (*Server).publishBriefing},
	{"POST /p/{program}/briefings/{briefing}/withdraw", program.PermTasksWrite, (*Server).withdrawBriefing},
	{"POST /p/{program}/briefings/{briefing}/files", program.PermTasksWrite, (*Server).attachBriefingFile},
	{"GET /p/{program}/briefings/{briefing}/files/{file}", program.PermTasksRead, (*Server).briefingFile},
	{"GET /p/{program}/briefings/{briefing}/readers.csv", program.PermTasksRead, (*Server).exportBriefingReaders},
	{"GET /p/{program}/campaigns", program.PermTasksRead, (*Server).campaigns},
	{"POST /p/{program}/campaigns", program.PermTasksWrite, (*Server).createCampaign},
	{"GET /p/{program}/campaigns/{campaign}", program.PermTasksRead, (*Server).campaignPage},
	{"POST /p/{program}/campaigns/{campaign}/edit", program.PermTasksWrite, (*Server).editCampaign},
	{"POST /p/{program}/campaigns/{campaign}/schedule", program.PermTasksWrite, (*Server).scheduleCampaign},
	{"POST /p/{program}/campaigns/{campaign}/unschedule", program.PermTasksWrite, (*Server).unscheduleCampaign},
	{"GET /p/{program}/fleet", program.PermTasksRead, (*Server).fleet},
	{"POST /p/{program}/fleet", program.PermTasksWrite, (*Server).createUnit},
	{"GET /p/{program}/fleet/costs", program.PermBudgetRead, (*Server).fleetCosts},
	{"GET /p/{program}/fleet/{unit}", program.PermTasksRead, (*Server).unitPage},
	{"POST /p/{program}/fleet/{unit}/edit", program.PermTasksWrite, (*Server).editUnit},
	{"POST /p/{program}/fleet/{unit}/status", program.PermTasksWrite, (*Server).setUnitStatus},
	{"POST /p/{program}/fleet/{unit}/costs", program.PermBudgetWrite, (*Server).addUnitCost},
	{"POST /p/{program}/fleet/{unit}/loans", program.PermTasksWrite, (*Server).lendUnit},
	{"GET /p/{program}/loans", program.PermTasksRead, (*Server).loans},
	{"GET /p/{program}/loans/{loan}", program.PermTasksRead, (*Server).loanPage},
	{"POST /p/{program}/loans/{loan}/sign", program.PermTasksWrite, (*Server).signLoanOnPaper},
	{"POST /p/{program}/loans/{loan}/handover", program.PermTasksWrite, (*Server).handOverLoan},
	{"POST /p/{program}/loans/{loan}/return", program.PermTasksWrite, (*Server).returnLoan},
	{"POST /p/{program}/loans/{loan}/cancel", program.PermTasksWrite, (*Server).cancelLoan},
	{"POST /p/{program}/loans/{loan}/photos", program.PermTasksWrite, (*Server).addLoanPhoto},
	{"GET /p/{program}/loans/{loan}/photos/{photo}", program.PermTasksRead, (*Server).loanPhoto},
	{"GET /p/{program}/calendar", program.PermTasksRead, (*Server).calendar},
	{"GET /p/{program}/council", program.PermMembersRead, (*Server).councilPage},
	{"POST /p/{program}/council/seats", program.PermMembersWrite, (*Server).appointSeat},
	{"POST /p/{program}/council/seats/{councilseat}/end", program.PermMembersWrite, (*Server).endSeat},
	{"GET /p/{program}/council/sessions", program.PermMembersRead, (*Server).councilSessions},
	{"POST /p/{program}/council/sessions", program.PermMembersWrite, (*Server).createCouncilSession},
	{"GET /p/{program}/council/sessions/{session}", program.PermMembersRead, (*Server).councilSession},
	{"POST /p/{program}/council/sessions/{session}/minutes", program.PermMembersWrite, (*Server).holdCouncilSession},
	{"POST /p/{program}/council/sessions/{session}/answer", program.PermMembersWrite, (*Server).answerCouncilSession},
	{"POST /p/{program}/council/sessions/{session}/cancel", program.PermMembersWrite, (*Server).cancelCouncilSession},
	{"POST /p/{program}/council/sessions/{session}/feedback", program.PermMembersWrite, (*Server).recordSessionFeedback},
	{"GET /p/{program}/feedback", program.PermMembersRead, (*Server).feedbackQueue},
	{"GET /p/{program}/feedback/{feedback}", program.PermMembersRead, (*Server).feedbackPage},
	{"POST /p/{program}/feedback/{feedback}/answer", program.PermMembersWrite, (*Server).answerFeedback},
	{"GET /p/{program}/mentors", program.PermMembersRead, (*Server).mentors},
	{"POST /p/{program}/mentors", program.PermMembersWrite, (*Server).pairMentor},
	{"GET /p/{program}/mentors/{mentorship}", program.PermMembersRead, (*Server).mentorshipPage},
	{"POST /p/{program}/mentors/{mentorship}/end", program.PermMembersWrite, (*Server).endMentorship},
	{"POST /p/{program}/seats/{seat}/cancel", program.PermTasksWrite, (*Server).cancelEventSeat},
	{"POST /p/{program}/seats/{seat}/selection", program.PermTasksWrite, (*Server).selectEventSeat},
	{"POST /p/{program}/seats/{seat}/answer", program.PermTasksWrite, (*Server).answerForMember},
	{"GET /p/{program}/kits", program.PermRewardsRead, (*Server).kitsPage},
	{"POST /p/{program}/kits", program.PermRewardsWrite, (*Server).addKit},
	{"POST /p/{program}/kits/issue", program.PermRewardsWrite, (*Server).issueKits},
	{"POST /p/{program}/kits/{kit}/active", program.PermRewardsWrite, (*Server).setKitActive},
	{"POST /p/{program}/redemptions/{redemption}/address", program.PermRewardsWrite, (*Server).setRedemptionAddress},
	{"POST /p/{program}/members/{member}/community", program.PermMembersWrite, (*Server).setMemberCommunity},
	{"GET /p/{program}/notifications", program.PermProgramRead, (*Server).notificationsPage},
	{"POST /p/{program}/notifications/read", program.PermProgramRead, (*Server).markNotificationsRead},
	{"GET /p/{program}/channels", program.PermProgramUpdate, (*Server).channelsPage},
	{"POST /p/{program}/channels", program.PermProgramUpdate, (*Server).addChannel},
	{"POST /p/{program}/channels/{endpoint}/active", program.PermProgramUpdate, (*Server).setChannelActive},
	{"POST /p/{program}/deliveries/{delivery}/replay", program.PermProgramUpdate, (*Server).replayDelivery},
}

// ConsoleRoutes lists the console's routes (for the page × role test).
func ConsoleRoutes() []Route { return consoleRoutes }

// console runs rt's handler once the reader is let in.
func (s *Server) console(rt Route) func(*request) error {
	return func(q *request) error {
		sc, ok, err := s.enter(q, rt.Permission)
		if !ok {
			return err
		}
		// The program switcher lists the operator's programs (only GET
		// pages draw it).
		if q.r.Method == http.MethodGet {
			if q.programs, err = s.Programs.List(q.ctx); err != nil {
				return err
			}
			if q.unread, err = s.Notify.Unread(q.ctx, sc); err != nil {
				return err
			}
		}
		return rt.handle(s, q, sc)
	}
}

// request is one page request: the reader's language and, when someone is
// signed in, who.
type request struct {
	loc      *time.Location // the program's zone, once known (console or portal)
	w        http.ResponseWriter
	r        *http.Request
	ctx      context.Context
	actor    program.Actor
	signedIn bool
	portal   bool           // a member portal page
	sc       *program.Scope // the console's program, once entered
	unread   int            // the reader's unread notifications (GET pages)
	programs []program.Program
}

// page wraps a page handler: security headers, the reader's language, and
// whoever the session cookie names (a cookie that does not resolve is as
// good as none).
func (s *Server) page(h func(*request) error) http.Handler {
	return s.wrap(middleware.SessionCookie, h)
}

// portal wraps a member portal page: the same, with the member's cookie;
// the member's own program comes with their session.
func (s *Server) portal(h func(*request) error) http.Handler {
	return s.wrap(middleware.MemberCookie, h)
}

func (s *Server) wrap(cookie string, h func(*request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h2 := w.Header()
		h2.Set("Content-Security-Policy", CSP)
		h2.Set("X-Content-Type-Options", "nosniff")
		h2.Set("Referrer-Policy", "same-origin")
		setting := ""
		if c, err := r.Cookie(LangCookie); err == nil {
			setting = c.Value
		}
		ctx := components.WithLang(r.Context(), i18n.Pick(setting, r.Header.Get("Accept-Language")))
		req := &request{w: w, r: r, ctx: ctx, portal: cookie == middleware.MemberCookie}
		if c, err := r.Cookie(cookie); err == nil {
			// The program the path names comes in the same query.
			if actx, ok, err := s.Gate.SignedIn(ctx, c.Value, r.PathValue("program")); err == nil && ok {
				req.ctx = actx
				req.actor, req.signedIn = program.ActorFrom(actx)
				// The person's own setting, when they have not switched here.
				if setting == "" && req.actor.Locale != "" {
					req.ctx = components.WithLang(req.ctx, i18n.Pick(req.actor.Locale, r.Header.Get("Accept-Language")))
				}
			}
		}
		if err := h(req); err != nil {
			s.Log.ErrorContext(ctx, "web: page", "path", r.URL.Path, "err", err)
			http.Error(w, i18n.Error(components.Lang(ctx), err), http.StatusInternalServerError)
		}
	})
}

func (q *request) render(status int, c templ.Component) error {
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.WriteHeader(status)
	return c.Render(q.ctx, q.w)
}

// problem shows a domain error in the reader's language, with its status;
// anything else is the page handler's error (a 500, logged).
func (q *request) problem(err error) error {
	fe, ok := fault.As(err)
	if !ok {
		return err
	}
	if fe.Kind == fault.NotFound {
		return q.render(http.StatusNotFound, components.NotFound(q.nav()))
	}
	return q.render(middleware.StatusOf[fe.Kind], components.Problem(q.nav(), q.refusal(err)))
}

// refusal is a domain error in the reader's language, with what is wrong
// with each field (field names are the API's; a page says only why).
func (q *request) refusal(err error) string {
	lang := components.Lang(q.ctx)
	text := i18n.Error(lang, localTimes(err, q.location()))
	if fe, ok := fault.As(err); ok {
		for _, f := range fe.Fields {
			text += " — " + i18n.Field(lang, f)
		}
	}
	return text
}

// options are a select's choices: each value with its words from the
// catalog under prefix.
func (q *request) options(prefix string, values []string) []components.Option {
	out := make([]components.Option, len(values))
	for i, x := range values {
		out[i] = components.Option{Value: x, Label: components.T(q.ctx, prefix+"."+x)}
	}
	return out
}

// siteURL is the address of this kox as the request reached it, for links
// that leave the page (a sign-in link, a card's QR code).
func (q *request) siteURL() string {
	scheme := "http"
	if q.secure() {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host
}

// statusOf is the HTTP status of a domain error, as the API answers it.
func statusOf(fe *fault.Error) int { return middleware.StatusOf[fe.Kind] }

func (q *request) redirect(to string) error {
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
	return nil
}

// consoleLinks are the console's sections, each shown to the roles that
// may open it.
var consoleLinks = []struct {
	key, path, label string
	perm             program.Permission
}{
	{"dashboard", "", "nav.dashboard", program.PermProgramRead},
	{"members", "/members", "nav.members", program.PermMembersRead},
	{"tasks", "/tasks", "nav.tasks", program.PermTasksRead},
	{"campaigns", "/campaigns", "nav.campaigns", program.PermTasksRead},
	{"briefings", "/briefings", "nav.briefings", program.PermTasksRead},
	{"review", "/review", "nav.review", program.PermSubmissionsReview},
	{"catalog", "/catalog", "nav.catalog", program.PermRewardsRead},
	{"redemptions", "/redemptions", "nav.redemptions", program.PermRewardsRead},
	{"awards", "/awards", "nav.awards", program.PermRewardsRead},
	{"kits", "/kits", "nav.kits", program.PermRewardsRead},
	{"events", "/events", "nav.events", program.PermTasksRead},
	{"fleet", "/fleet", "nav.fleet", program.PermTasksRead},
	{"calendar", "/calendar", "nav.calendar", program.PermTasksRead},
	{"council", "/council", "nav.council", program.PermMembersRead},
	{"feedback", "/feedback", "nav.feedback", program.PermMembersRead},
	{"points", "/points", "nav.points", program.PermPointsAdjust},
	{"budget", "/budget", "nav.budget", program.PermBudgetRead},
	{"payouts", "/payouts", "nav.payouts", program.PermPayoutsManage},
	{"promotions", "/promotions", "nav.promotions", program.PermMembersRead},
	{"ladders", "/ladders", "nav.ladders", program.PermProgramRead},
	{"matrix", "/matrix", "nav.matrix", program.PermMembersRead},
	{"team", "/team", "nav.team", program.PermOperatorsRead},
	{"keys", "/api-keys", "nav.keys", program.PermAPIKeysManage},
	{"audit", "/audit", "nav.audit", program.PermAuditRead},
	{"jobs", "/jobs", "nav.jobs", program.PermProgramUpdate},
	{"channels", "/channels", "nav.channels", program.PermProgramUpdate},
}

// nav is the header's view of the request.
func (q *request) nav() components.Nav {
	n := components.Nav{Here: q.here()}
	if q.signedIn {
		n.Who = q.actor.Name
	}
	if q.sc != nil {
		sc := q.sc
		n.Program = sc.Program.Name
		for _, p := range q.programs {
			if p.ID != sc.Program.ID {
				n.Others = append(n.Others, components.ProgramLink{Slug: p.Slug, Name: p.Name})
			}
		}
		base := "/p/" + sc.Program.Slug
		n.Inbox, n.Unread = base+"/notifications", q.unread
		for _, l := range consoleLinks {
			if program.Can(sc.Role, l.perm) {
				href := base + l.path
				n.Links = append(n.Links, components.NavLink{Href: href, Label: components.T(q.ctx, l.label),
					Active: q.r.URL.Path == href || (l.path != "" && strings.HasPrefix(q.r.URL.Path, href+"/")), Key: l.key})
			}
		}
	}
	return n
}

// here is where the language switch comes back to: this page, or after a
// form was posted, the page the form was on.
func (q *request) here() string {
	if q.r.Method == http.MethodGet {
		return q.r.URL.RequestURI()
	}
	if ref, err := url.Parse(q.r.Referer()); err == nil && ref.Path != "" {
		return localPath(ref.RequestURI())
	}
	return "/"
}

func (q *request) secure() bool { return middleware.Secure(q.r) }

func (q *request) client() string { return middleware.ClientAddr(q.r) }

// localPath keeps a "back" address on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return "/"
	}
	return p
}

func (s *Server) notFound(q *request) error {
	return q.render(http.StatusNotFound, components.NotFound(q.nav()))
}

// switchLang keeps the chosen language for a year and goes back.
func (s *Server) switchLang(q *request) error {
	lang := i18n.Pick(q.r.URL.Query().Get("to"), "")
	http.SetCookie(q.w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", Expires: time.Now().AddDate(1, 0, 0),
		HttpOnly: true, Secure: q.secure(), SameSite: http.SameSiteLaxMode})
	return q.redirect(localPath(q.r.URL.Query().Get("back")))
}

// cursorOf is the page's ?cursor=, 0 for the first page.
func cursorOf(q *request) (int64, error) {
	c := q.r.URL.Query().Get("cursor")
	if c == "" {
		return 0, nil
	}
	return db.ParseCursor(c)
}

// cursor is the next page's cursor ("" on the last page).
func cursor(next int64) string { return db.Cursor(next) }

// location is the zone the reader's program keeps its calendar in, for
// the times a page shows (UTC before a program is known).
func (q *request) location() *time.Location {
	switch {
	case q.sc != nil:
		return q.sc.Program.Location()
	case q.loc != nil:
		return q.loc
	}
	return time.UTC
}

// localTimes is err with its times (parameters written RFC 3339, as the
// API says them) in loc, as a page says a time.
func localTimes(err error, loc *time.Location) error {
	fe, ok := fault.As(err)
	if !ok || len(fe.Params) == 0 {
		return err
	}
	x := *fe
	x.Params = fault.P{}
	for k, v := range fe.Params {
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				v = t.In(loc).Format("2006-01-02 15:04")
			}
		}
		x.Params[k] = v
	}
	return &x
}
