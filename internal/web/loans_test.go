package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kox/internal/budget"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/loan"
	"kox/internal/program"
)

// Both faces of a loan: an operator adds a unit on the fleet board (a
// taken VIN is named on the form) and lends it; the member signs the
// agreement in the portal; the operator hands the car over with its
// checklist; the member ticks a scenario off with a post; the board, the
// calendar and the cost report show it; another member reaches none of it.
func TestLoansOnBothFaces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		p, err := w.s.a.Budget.CreatePlan(w.ctx, w.sc, budget.PlanInput{Code: "fy2026", Name: "2026", Period: "2026",
			Lines: []budget.LineInput{{Layer: budget.Exclusive, Code: "test_cars", Name: "试驾车", Amount: 10_000_000}}})
		if err == nil {
			_, err = w.s.a.Budget.ApprovePlan(w.ctx, w.sc, p.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.a.Ladders.SetTier(w.ctx, w.sc, w.me.PublicID, "main", "product", "测试"); err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		form := url.Values{"vin": {"LRWYGCEK0TC700001"}, "model": {"S7"}, "colour": {"星云灰"}, "mileage": {"35"}}
		made := op.do("POST", "/p/qicheng/fleet", form)
		if made.status != 303 {
			t.Fatalf("add a unit: %d %s", made.status, made.body)
		}
		if r := op.do("POST", "/p/qicheng/fleet", form); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) || !strings.Contains(r.body, "车架号") {
			t.Fatalf("a VIN twice: %d", r.status)
		}
		unitPage := strings.Split(made.header.Get("Location"), "?")[0]
		up := op.do("GET", unitPage, nil)
		checkPage(t, up)
		if !strings.Contains(up.body, `data-test="lend-form"`) {
			t.Fatal("no lend form on an available unit")
		}
		if r := op.do("POST", unitPage+"/loans", url.Values{"member": {w.you.PublicID}, "tier": {"main/product"}, "starts_on": {"2026-06-01"},
			"ends_on": {"2026-11-30"}}); r.status != 403 || !strings.Contains(r.body, "产品授权") {
			t.Fatalf("a member below the rung: %d", r.status)
		}
		lent := op.do("POST", unitPage+"/loans", url.Values{"member": {w.me.PublicID}, "tier": {"main/product"}, "starts_on": {"2026-06-01"},
			"ends_on": {"2026-11-30"}, "terms": {"家庭唯一用车六个月；每周一篇日记"}})
		if lent.status != 303 {
			t.Fatalf("lend: %d %s", lent.status, lent.body)
		}
		loanPage := strings.Split(lent.header.Get("Location"), "?")[0]
		ref := loanPage[strings.LastIndex(loanPage, "/")+1:]
		if r := op.do("POST", loanPage+"/handover", url.Values{"mileage": {"40"}}); r.status != 409 || !strings.Contains(r.body, "尚未签署") {
			t.Fatalf("handover before signing: %d", r.status)
		}

		w.signIn(t, w.you)
		if r := w.s.do("GET", "/m/loans/"+ref, nil); r.status != 404 {
			t.Fatalf("another member's loan: %d", r.status)
		}
		if r := w.s.do("POST", "/m/loans/"+ref+"/sign", url.Values{"name": {w.you.Name}}); r.status != 404 {
			t.Fatalf("another member signs: %d", r.status)
		}
		w.s.do("POST", "/m/signout", nil)
		w.signIn(t, w.me)
		mine := w.s.do("GET", "/m/loans", nil)
		if mine.status != 303 || mine.header.Get("Location") != "/m/loans/"+ref {
			t.Fatalf("my loans: %d %s", mine.status, mine.header.Get("Location"))
		}
		lp := w.s.do("GET", "/m/loans/"+ref, nil)
		checkPage(t, lp)
		if !strings.Contains(lp.body, `data-test="sign-form"`) || !strings.Contains(lp.body, "家庭唯一用车六个月") || strings.Contains(lp.body, `data-test="tick-commute"`) {
			t.Fatalf("my loan before signing: %s", lp.body)
		}
		if r := w.s.do("POST", "/m/loans/"+ref+"/sign", url.Values{"name": {w.me.Name}}); r.status != 303 {
			t.Fatalf("sign: %d %s", r.status, r.body)
		}
		if r := op.do("POST", loanPage+"/handover", url.Values{"mileage": {"20"}}); r.status != 422 || !strings.Contains(r.body, "35") {
			t.Fatalf("mileage back: %d", r.status)
		}
		if r := op.do("POST", loanPage+"/handover", url.Values{"mileage": {"40"}, "items": {"keys", "exterior", "charging_cable"}, "note": {"左前门轻微划痕"}}); r.status != 303 {
			t.Fatalf("handover: %d %s", r.status, r.body)
		}
		lp = w.s.do("GET", "/m/loans/"+ref, nil)
		if !strings.Contains(lp.body, `data-test="tick-commute"`) || !strings.Contains(lp.body, "左前门轻微划痕") || !strings.Contains(lp.body, `data-test="signed"`) {
			t.Fatalf("my loan on loan: %s", lp.body)
		}
		if r := w.s.do("POST", "/m/loans/"+ref+"/scenarios", url.Values{"scenario": {"commute"}, "url": {"not a link"}}); r.status != 422 {
			t.Fatalf("a bad link: %d", r.status)
		}
		if r := w.s.do("POST", "/m/loans/"+ref+"/scenarios", url.Values{"scenario": {"commute"}, "url": {"https://www.xiaohongshu.com/explore/abc"}}); r.status != 303 {
			t.Fatalf("tick: %d %s", r.status, r.body)
		}
		if lp = w.s.do("GET", "/m/loans/"+ref, nil); !strings.Contains(lp.body, `data-test="ticked-commute"`) {
			t.Fatal("the tick is not shown")
		}

		board := op.do("GET", "/p/qicheng/fleet", nil)
		checkPage(t, board)
		onLoan := board.body[strings.Index(board.body, `data-test="column-on_loan"`):strings.Index(board.body, `data-test="column-in_service"`)]
		if !strings.Contains(onLoan, "LRWYGCEK0TC700001") || !strings.Contains(onLoan, w.me.Name) {
			t.Fatalf("the board's on-loan column: %s", onLoan)
		}
		cal := op.do("GET", "/p/qicheng/calendar?month=2026-11", nil)
		checkPage(t, cal)
		if !strings.Contains(cal.body, "2026-11-30") || !strings.Contains(cal.body, w.me.Name) {
			t.Fatalf("the calendar: %s", cal.body)
		}
		fin := w.s.teammate("qicheng", program.RoleAdmin)
		if r := fin.do("POST", unitPage+"/costs", url.Values{"kind": {"insurance"}, "budget_line": {p.Lines[0].PublicID}, "amount": {"3,800.00"}, "loan": {ref}}); r.status != 303 {
			t.Fatalf("a cost: %d %s", r.status, r.body)
		}
		rep := fin.do("GET", "/p/qicheng/fleet/costs", nil)
		checkPage(t, rep)
		if !strings.Contains(rep.body, "3,800.00") || !strings.Contains(rep.body, `data-test="chart-card"`) {
			t.Fatalf("the cost report: %s", rep.body)
		}
		if r := op.do("POST", loanPage+"/return", url.Values{"mileage": {"2400"}, "to_service": {"1"}}); r.status != 303 {
			t.Fatalf("return: %d %s", r.status, r.body)
		}
		u, _ := w.s.a.Loans.Units(w.ctx, w.sc, loan.UnitFilter{})
		if len(u) != 1 || u[0].Status != loan.InService || u[0].Mileage != 2400 || u[0].CostTotal != 380_000 {
			t.Fatalf("the unit after: %+v", u)
		}
	})
}
