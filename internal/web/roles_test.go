package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kox/internal/award"
	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/council"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/event"
	"kox/internal/kit"
	"kox/internal/loan"
	"kox/internal/member"
	"kox/internal/middleware"
	"kox/internal/notify"
	"kox/internal/program"
	"kox/internal/roster"
	"kox/internal/task"
	"kox/internal/web"
)

// Every console page and action × every role, an admin of another program,
// a member's session and no one: a role that may gets the page (an action
// is at least not refused as absent), one that may not gets 404 as if the
// page did not exist, and those not signed in into the console go to sign
// in. Pages show only the actions the role may take.
func TestConsolePagesByRole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		ctx := program.WithActor(context.Background(), program.System("test"))
		if _, err := s.a.Programs.Create(ctx, program.Program{Slug: "other", Name: "别家"}); err != nil {
			t.Fatal(err)
		}
		sc, _ := s.a.Programs.Scope(ctx, "qicheng")
		m, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "林小满", Role: member.KOC, Status: member.Active}})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(mode task.Mode, publish bool) task.Task {
			tk, err := s.a.Tasks.Create(ctx, sc, task.Input{Title: "任务" + string(mode), Kind: task.Content, Mode: mode, Capacity: 50})
			if err == nil && publish {
				tk, err = s.a.Tasks.Publish(ctx, sc, tk.PublicID)
			}
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		draft, open, apply := mk(task.Open, false), mk(task.Open, true), mk(task.Apply, true)
		c, err := s.a.Tasks.Take(ctx, sc, open.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		sub, err := s.a.Tasks.Submit(ctx, sc, c.PublicID, task.SubmissionInput{Text: "作品"})
		if err != nil {
			t.Fatal(err)
		}
		applied, err := s.a.Tasks.Take(ctx, sc, apply.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		staged, err := s.a.Roster.Stage(ctx, sc, "名单.csv", roster.CSV, []byte("name,role\n丙,koc\n"))
		if err != nil {
			t.Fatal(err)
		}
		mate, err := s.a.Programs.AddToTeam(ctx, sc, program.NewOperator{Email: "mate@web.kox", Name: "同事", Password: password}, program.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		key, _, err := s.a.Programs.CreateAPIKey(ctx, sc, "导出脚本", program.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		pic, err := s.a.Media.Put(ctx, sc, pngBytes())
		if err != nil {
			t.Fatal(err)
		}
		rw := seedRewards(t, s, ctx, sc, m)
		if _, err := s.a.Payouts.Approve(ctx, sc, rw.batch.PublicID); err != nil { // its bank file opens
			t.Fatal(err)
		}
		ep, err := s.a.Notify.AddEndpoint(ctx, sc, notify.EndpointInput{Kind: notify.Webhook, Name: "商城", URL: "http://127.0.0.1:9/hooks", Secret: "a-secret-of-twenty-chars"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.a.DB.InTx(ctx, func(tx *db.Tx) error {
			return notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.CandidatesFound, Params: map[string]any{"count": 2}})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Notify.Dispatch(ctx); err != nil {
			t.Fatal(err)
		}
		dls, _, err := s.a.Notify.Deliveries(ctx, sc, "", 0, 1)
		if err != nil || len(dls) != 1 {
			t.Fatalf("deliveries: %v %v", dls, err)
		}
		aw, err := s.a.Awards.Create(ctx, sc, award.RoundInput{Kind: award.Honorary, Period: "2026", TitleZh: "年度荣誉顾问"})
		if err != nil {
			t.Fatal(err)
		}
		kt, err := s.a.Kits.Add(ctx, sc, kit.KitInput{Occasion: kit.Welcome, Item: rw.merch.PublicID, Variant: rw.merch.Variants[0].PublicID})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := s.a.Events.Create(ctx, sc, event.EventInput{Kind: event.TrackDay, Title: "赛道日", StartsAt: time.Now().Add(240 * time.Hour), Capacity: 5,
			Allocation: event.FirstCome})
		if err == nil {
			ev, err = s.a.Events.Publish(ctx, sc, ev.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		seat, err := s.a.Events.RSVP(ctx, sc, ev.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		brf, err := s.a.Briefings.Create(ctx, sc, briefing.BriefingInput{Title: "OTA 5.0 更新说明", ReleaseAt: time.Now().Add(-time.Minute)})
		if err == nil {
			_, err = s.a.Briefings.Attach(ctx, sc, brf.PublicID, "notes.txt", []byte("release notes\n"))
		}
		if err == nil {
			brf, err = s.a.Briefings.Get(ctx, sc, brf.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		cmp, err := s.a.Campaigns.Create(ctx, sc, campaign.CampaignInput{Label: "OTA 5.0", Kind: campaign.OTA, Title: "OTA 5.0", GoLiveAt: time.Now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		unit, err := s.a.Loans.CreateUnit(ctx, sc, loan.UnitInput{VIN: "LRWYGCEK0TC900001", Model: "S7"})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := s.a.Loans.Create(ctx, sc, loan.LoanInput{Unit: unit.PublicID, Member: m.PublicID, StartsOn: "2026-06-01", EndsOn: "2026-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		photo, err := s.a.Loans.AddPhoto(ctx, sc, ln.PublicID, loan.Handover, pngBytes())
		if err != nil {
			t.Fatal(err)
		}
		sage, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: "顾问", Role: member.KOC, Status: member.Active}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.a.Ladders.SetTier(ctx, sc, sage.PublicID, "main", "relationship", "顾问"); err != nil {
			t.Fatal(err)
		}
		cseat, err := s.a.Council.Appoint(ctx, sc, council.CouncilSeatInput{Member: sage.PublicID, TermFrom: time.Now().Format(time.DateOnly),
			TermTo: time.Now().AddDate(1, 0, 0).Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		csession, err := s.a.Council.CreateSession(ctx, sc, council.CouncilSessionInput{Title: "闭门会", StartsAt: time.Now().Add(48 * time.Hour), Council: true})
		if err != nil {
			t.Fatal(err)
		}
		fbItem, err := s.a.Council.Raise(ctx, sc, council.FeedbackInput{Title: "儿童座椅提醒", Member: m.PublicID})
		if err != nil {
			t.Fatal(err)
		}
		mship, err := s.a.Council.Pair(ctx, sc, sage.PublicID, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		params := map[string]string{"{councilseat}": cseat.PublicID, "{session}": csession.PublicID, "{feedback}": fbItem.PublicID, "{mentorship}": mship.PublicID, "{unit}": unit.PublicID, "{loan}": ln.PublicID, "{photo}": photo.PublicID, "{briefing}": brf.PublicID, "{file}": brf.Attachments[0].PublicID, "{campaign}": cmp.PublicID, "{event}": ev.PublicID, "{seat}": seat.PublicID, "{kit}": kt.PublicID, "{award}": aw.PublicID, "{endpoint}": ep.PublicID, "{delivery}": dls[0].PublicID, "{item}": rw.merch.PublicID, "{redemption}": rw.redemption.PublicID, "{plan}": rw.plan.PublicID,
			"{request}": rw.request.PublicID, "{batch}": rw.batch.PublicID, "{image}": pic.Ref, "{operator}": mate.PublicID, "{key}": key.PublicID, "{program}": "qicheng", "{member}": m.PublicID, "{task}": draft.PublicID,
			"{claim}": applied.PublicID, "{submission}": sub.PublicID, "{import}": staged.ID}

		type caller struct {
			name     string
			b        *site
			role     program.Role
			outsider bool
			none     bool // not signed in to the console
		}
		var callers []caller
		for _, role := range program.Roles {
			callers = append(callers, caller{name: string(role), b: s.teammate("qicheng", role), role: role})
		}
		callers = append(callers, caller{name: "admin of another program", b: s.teammate("other", program.RoleAdmin), outsider: true})
		callers = append(callers, caller{name: "no one", b: s.another(), none: true})
		code, _, err := s.a.Members.IssueLoginCode(ctx, sc, m.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		_, sess, err := s.a.Gate.MemberSignIn(ctx, code, "test")
		if err != nil {
			t.Fatal(err)
		}
		memberBrowser := s.another()
		memberBrowser.client.Jar.SetCookies(nil, []*http.Cookie{{Name: middleware.MemberCookie, Value: sess.Token}, {Name: middleware.SessionCookie, Value: sess.Token}})
		callers = append(callers, caller{name: "member", b: memberBrowser, none: true})

		checked := 0
		routes := web.ConsoleRoutes()
		if len(routes) != len(pagePermissions) {
			t.Errorf("%d console routes, %d in the test's table: add the new ones", len(routes), len(pagePermissions))
		}
		for _, rt := range routes {
			if want, ok := pagePermissions[rt.Pattern]; !ok || want != rt.Permission {
				t.Errorf("%s needs %q; the table says %q", rt.Pattern, rt.Permission, want)
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			for k, v := range params {
				path = strings.ReplaceAll(path, k, v)
			}
			for _, c := range callers {
				var form url.Values
				if method == "POST" {
					form = url.Values{}
				}
				p := c.b.do(method, path, form)
				checked++
				switch {
				case c.none:
					if p.status != 303 || p.header.Get("Location") != "/signin" {
						t.Errorf("%s as %s: %d → %s, want to sign in", rt.Pattern, c.name, p.status, p.header.Get("Location"))
					}
				case c.outsider || !program.Can(c.role, rt.Permission):
					if p.status != 404 {
						t.Errorf("%s as %s: %d, want 404", rt.Pattern, c.name, p.status)
					}
					checkPage(t, p)
				case p.status == 404 || p.status >= 500:
					t.Errorf("%s as %s: %d: %s", rt.Pattern, c.name, p.status, p.body)
				case method == "GET" && p.status != 200 && p.status != 303:
					t.Errorf("%s as %s: %d", rt.Pattern, c.name, p.status)
				default:
					if p.status == 200 {
						checkPage(t, p)
					}
				}
			}
		}
		if checked < 100 {
			t.Fatalf("only %d calls", checked)
		}

		// Actions show only to the roles that may take them.
		fresh := mk(task.Open, false)
		shows := []struct {
			path, marker string
			perm         program.Permission
		}{
			{"/p/qicheng/tasks", `data-test="new-task"`, program.PermTasksWrite},
			{"/p/qicheng/tasks/" + fresh.PublicID, `data-test="publish"`, program.PermTasksWrite},
			{"/p/qicheng/tasks/" + fresh.PublicID, `data-test="edit-task"`, program.PermTasksWrite},
			{"/p/qicheng/tasks/" + fresh.PublicID, `data-test="cancel"`, program.PermTasksWrite},
			{"/p/qicheng/members", `data-test="nav-review"`, program.PermSubmissionsReview},
			{"/p/qicheng/members", `data-test="nav-tasks"`, program.PermTasksRead},
		}
		for _, c := range callers[:len(program.Roles)] {
			for _, sh := range shows {
				p := c.b.do("GET", sh.path, nil)
				if p.status != 200 {
					if program.Can(c.role, program.PermTasksRead) {
						t.Errorf("%s as %s: %d", sh.path, c.name, p.status)
					}
					continue
				}
				if got, want := strings.Contains(p.body, sh.marker), program.Can(c.role, sh.perm); got != want {
					t.Errorf("%s as %s: %s shown %v, want %v", sh.path, c.name, sh.marker, got, want)
				}
			}
		}
	})
}

// pagePermissions is what each console route should need, written out
// here apart from the routes' own table, so that a wrong permission there
// fails.
var pagePermissions = map[string]program.Permission{
	"GET /p/{program}":                                      program.PermProgramRead,
	"GET /p/{program}/members":                              program.PermMembersRead,
	"GET /p/{program}/members/{member}":                     program.PermMembersRead,
	"GET /p/{program}/members/export":                       program.PermMembersRead,
	"GET /p/{program}/members/import":                       program.PermMembersWrite,
	"POST /p/{program}/members/import":                      program.PermMembersWrite,
	"GET /p/{program}/member-imports/{import}":              program.PermMembersWrite,
	"POST /p/{program}/member-imports/{import}/apply":       program.PermMembersWrite,
	"GET /p/{program}/members/{member}/card.png":            program.PermMembersRead,
	"POST /p/{program}/members/{member}/login-code":         program.PermMembersWrite,
	"GET /p/{program}/tasks":                                program.PermTasksRead,
	"GET /p/{program}/tasks/new":                            program.PermTasksWrite,
	"POST /p/{program}/tasks":                               program.PermTasksWrite,
	"GET /p/{program}/tasks/{task}":                         program.PermTasksRead,
	"GET /p/{program}/tasks/{task}/edit":                    program.PermTasksWrite,
	"POST /p/{program}/tasks/{task}":                        program.PermTasksWrite,
	"POST /p/{program}/tasks/{task}/publish":                program.PermTasksWrite,
	"POST /p/{program}/tasks/{task}/cancel":                 program.PermTasksWrite,
	"POST /p/{program}/tasks/{task}/assign":                 program.PermTasksWrite,
	"POST /p/{program}/tasks/{task}/claims/{claim}/select":  program.PermTasksWrite,
	"POST /p/{program}/members/{member}":                    program.PermMembersWrite,
	"POST /p/{program}/members/{member}/tier":               program.PermTiersAssign,
	"GET /p/{program}/ladders":                              program.PermProgramRead,
	"GET /p/{program}/program.yaml":                         program.PermProgramRead,
	"GET /p/{program}/program-file":                         program.PermLaddersWrite,
	"POST /p/{program}/program-file":                        program.PermLaddersWrite,
	"GET /p/{program}/matrix":                               program.PermMembersRead,
	"GET /p/{program}/team":                                 program.PermOperatorsRead,
	"POST /p/{program}/team":                                program.PermOperatorsManage,
	"POST /p/{program}/team/{operator}":                     program.PermOperatorsManage,
	"GET /p/{program}/api-keys":                             program.PermAPIKeysManage,
	"POST /p/{program}/api-keys":                            program.PermAPIKeysManage,
	"POST /p/{program}/api-keys/{key}/revoke":               program.PermAPIKeysManage,
	"GET /p/{program}/audit":                                program.PermAuditRead,
	"GET /p/{program}/review":                               program.PermSubmissionsReview,
	"GET /p/{program}/images/{image}":                       program.PermTasksRead,
	"POST /p/{program}/review/{submission}":                 program.PermSubmissionsReview,
	"POST /p/{program}/members/{member}/points":             program.PermPointsAdjust,
	"POST /p/{program}/members/{member}/payee":              program.PermPayoutsManage,
	"GET /p/{program}/catalog":                              program.PermRewardsRead,
	"GET /p/{program}/catalog/new":                          program.PermRewardsWrite,
	"POST /p/{program}/catalog":                             program.PermRewardsWrite,
	"GET /p/{program}/catalog/{item}":                       program.PermRewardsRead,
	"GET /p/{program}/catalog/{item}/edit":                  program.PermRewardsWrite,
	"POST /p/{program}/catalog/{item}":                      program.PermRewardsWrite,
	"POST /p/{program}/catalog/{item}/stock":                program.PermRewardsWrite,
	"POST /p/{program}/catalog/{item}/variants":             program.PermRewardsWrite,
	"POST /p/{program}/catalog/{item}/status":               program.PermRewardsWrite,
	"POST /p/{program}/catalog/{item}/codes":                program.PermRewardsWrite,
	"GET /p/{program}/redemptions":                          program.PermRewardsRead,
	"GET /p/{program}/redemptions/{redemption}":             program.PermRewardsRead,
	"POST /p/{program}/redemptions/{redemption}/shipment":   program.PermRewardsWrite,
	"POST /p/{program}/redemptions/{redemption}/cancel":     program.PermRewardsWrite,
	"GET /p/{program}/badges":                               program.PermProgramRead,
	"POST /p/{program}/badges":                              program.PermRewardsWrite,
	"GET /p/{program}/points":                               program.PermPointsAdjust,
	"POST /p/{program}/points/adjust":                       program.PermPointsAdjust,
	"POST /p/{program}/points/expiry":                       program.PermProgramUpdate,
	"GET /p/{program}/budget":                               program.PermBudgetRead,
	"GET /p/{program}/budget/plans/new":                     program.PermBudgetWrite,
	"POST /p/{program}/budget/plans":                        program.PermBudgetWrite,
	"GET /p/{program}/budget/plans/{plan}":                  program.PermBudgetRead,
	"GET /p/{program}/budget/plans/{plan}/report":           program.PermBudgetRead,
	"POST /p/{program}/budget/plans/{plan}/approve":         program.PermBudgetApprove,
	"POST /p/{program}/budget/plans/{plan}/close":           program.PermBudgetApprove,
	"POST /p/{program}/budget/plans/{plan}/lines":           program.PermBudgetWrite,
	"POST /p/{program}/budget/plans/{plan}/line-amount":     program.PermBudgetWrite,
	"GET /p/{program}/budget/requests":                      program.PermBudgetRead,
	"POST /p/{program}/budget/requests":                     program.PermBudgetWrite,
	"POST /p/{program}/budget/requests/{request}/decision":  program.PermBudgetApprove,
	"GET /p/{program}/payouts":                              program.PermPayoutsManage,
	"POST /p/{program}/payouts":                             program.PermPayoutsManage,
	"POST /p/{program}/payouts/tax-rule":                    program.PermPayoutsManage,
	"GET /p/{program}/payouts/{batch}":                      program.PermPayoutsManage,
	"GET /p/{program}/payouts/{batch}/bank-file":            program.PermPayoutsManage,
	"POST /p/{program}/payouts/{batch}/approve":             program.PermPayoutsManage,
	"POST /p/{program}/payouts/{batch}/paid":                program.PermPayoutsManage,
	"POST /p/{program}/payouts/{batch}/cancel":              program.PermPayoutsManage,
	"POST /p/{program}/payouts/{batch}/exclude":             program.PermPayoutsManage,
	"GET /p/{program}/jobs":                                 program.PermProgramUpdate,
	"POST /p/{program}/jobs/run":                            program.PermProgramUpdate,
	"GET /p/{program}/promotions":                           program.PermMembersRead,
	"POST /p/{program}/promotions/evaluate":                 program.PermTiersAssign,
	"POST /p/{program}/promotions/decide":                   program.PermTiersAssign,
	"POST /p/{program}/promotions/keep":                     program.PermTiersAssign,
	"POST /p/{program}/members/{member}/strikes":            program.PermMembersWrite,
	"POST /p/{program}/members/{member}/nominations":        program.PermTiersAssign,
	"GET /p/{program}/awards":                               program.PermRewardsRead,
	"POST /p/{program}/awards":                              program.PermRewardsWrite,
	"GET /p/{program}/awards/{award}":                       program.PermRewardsRead,
	"POST /p/{program}/awards/{award}/winners":              program.PermRewardsWrite,
	"GET /p/{program}/events":                               program.PermTasksRead,
	"POST /p/{program}/events":                              program.PermTasksWrite,
	"GET /p/{program}/events/{event}":                       program.PermTasksRead,
	"POST /p/{program}/events/{event}/publish":              program.PermTasksWrite,
	"POST /p/{program}/events/{event}/check-in":             program.PermTasksWrite,
	"POST /p/{program}/events/{event}/seats":                program.PermTasksWrite,
	"POST /p/{program}/events/{event}/costs":                program.PermBudgetWrite,
	"GET /p/{program}/briefings":                            program.PermTasksRead,
	"POST /p/{program}/briefings":                           program.PermTasksWrite,
	"GET /p/{program}/briefings/{briefing}":                 program.PermTasksRead,
	"POST /p/{program}/briefings/{briefing}/edit":           program.PermTasksWrite,
	"POST /p/{program}/briefings/{briefing}/publish":        program.PermTasksWrite,
	"POST /p/{program}/briefings/{briefing}/withdraw":       program.PermTasksWrite,
	"POST /p/{program}/briefings/{briefing}/files":          program.PermTasksWrite,
	"GET /p/{program}/briefings/{briefing}/files/{file}":    program.PermTasksRead,
	"GET /p/{program}/briefings/{briefing}/readers.csv":     program.PermTasksRead,
	"GET /p/{program}/campaigns":                            program.PermTasksRead,
	"POST /p/{program}/campaigns":                           program.PermTasksWrite,
	"GET /p/{program}/campaigns/{campaign}":                 program.PermTasksRead,
	"POST /p/{program}/campaigns/{campaign}/edit":           program.PermTasksWrite,
	"POST /p/{program}/campaigns/{campaign}/schedule":       program.PermTasksWrite,
	"POST /p/{program}/campaigns/{campaign}/unschedule":     program.PermTasksWrite,
	"GET /p/{program}/fleet":                                program.PermTasksRead,
	"POST /p/{program}/fleet":                               program.PermTasksWrite,
	"GET /p/{program}/fleet/costs":                          program.PermBudgetRead,
	"GET /p/{program}/fleet/{unit}":                         program.PermTasksRead,
	"POST /p/{program}/fleet/{unit}/edit":                   program.PermTasksWrite,
	"POST /p/{program}/fleet/{unit}/status":                 program.PermTasksWrite,
	"POST /p/{program}/fleet/{unit}/costs":                  program.PermBudgetWrite,
	"POST /p/{program}/fleet/{unit}/loans":                  program.PermTasksWrite,
	"GET /p/{program}/loans":                                program.PermTasksRead,
	"GET /p/{program}/loans/{loan}":                         program.PermTasksRead,
	"POST /p/{program}/loans/{loan}/sign":                   program.PermTasksWrite,
	"POST /p/{program}/loans/{loan}/handover":               program.PermTasksWrite,
	"POST /p/{program}/loans/{loan}/return":                 program.PermTasksWrite,
	"POST /p/{program}/loans/{loan}/cancel":                 program.PermTasksWrite,
	"POST /p/{program}/loans/{loan}/photos":                 program.PermTasksWrite,
	"GET /p/{program}/loans/{loan}/photos/{photo}":          program.PermTasksRead,
	"GET /p/{program}/events/{event}/door":                  program.PermTasksWrite,
	"POST /p/{program}/events/{event}/door":                 program.PermTasksWrite,
	"POST /p/{program}/events/{event}/cancel":               program.PermTasksWrite,
	"GET /p/{program}/council":                              program.PermMembersRead,
	"POST /p/{program}/council/seats":                       program.PermMembersWrite,
	"POST /p/{program}/council/seats/{councilseat}/end":     program.PermMembersWrite,
	"GET /p/{program}/council/sessions":                     program.PermMembersRead,
	"POST /p/{program}/council/sessions":                    program.PermMembersWrite,
	"GET /p/{program}/council/sessions/{session}":           program.PermMembersRead,
	"POST /p/{program}/council/sessions/{session}/minutes":  program.PermMembersWrite,
	"POST /p/{program}/council/sessions/{session}/answer":   program.PermMembersWrite,
	"POST /p/{program}/council/sessions/{session}/cancel":   program.PermMembersWrite,
	"POST /p/{program}/council/sessions/{session}/feedback": program.PermMembersWrite,
	"GET /p/{program}/feedback":                             program.PermMembersRead,
	"GET /p/{program}/feedback/{feedback}":                  program.PermMembersRead,
	"POST /p/{program}/feedback/{feedback}/answer":          program.PermMembersWrite,
	"GET /p/{program}/mentors":                              program.PermMembersRead,
	"POST /p/{program}/mentors":                             program.PermMembersWrite,
	"GET /p/{program}/mentors/{mentorship}":                 program.PermMembersRead,
	"POST /p/{program}/mentors/{mentorship}/end":            program.PermMembersWrite,
	"GET /p/{program}/calendar":                             program.PermTasksRead,
	"POST /p/{program}/seats/{seat}/cancel":                 program.PermTasksWrite,
	"POST /p/{program}/seats/{seat}/selection":              program.PermTasksWrite,
	"POST /p/{program}/seats/{seat}/answer":                 program.PermTasksWrite,
	"GET /p/{program}/kits":                                 program.PermRewardsRead,
	"POST /p/{program}/kits":                                program.PermRewardsWrite,
	"POST /p/{program}/kits/issue":                          program.PermRewardsWrite,
	"POST /p/{program}/kits/{kit}/active":                   program.PermRewardsWrite,
	"POST /p/{program}/redemptions/{redemption}/address":    program.PermRewardsWrite,
	"POST /p/{program}/members/{member}/community":          program.PermMembersWrite,
	"GET /p/{program}/notifications":                        program.PermProgramRead,
	"POST /p/{program}/notifications/read":                  program.PermProgramRead,
	"GET /p/{program}/channels":                             program.PermProgramUpdate,
	"POST /p/{program}/channels":                            program.PermProgramUpdate,
	"POST /p/{program}/channels/{endpoint}/active":          program.PermProgramUpdate,
	"POST /p/{program}/deliveries/{delivery}/replay":        program.PermProgramUpdate,
}
