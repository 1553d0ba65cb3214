package web_test

import (
	"regexp"
	"strings"
	"testing"

	"net/url"

	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

var (
	itemPath       = regexp.MustCompile(`^/p/qicheng/catalog/(itm_[A-Za-z0-9]+)\?done=saved$`)
	redemptionPath = regexp.MustCompile(`^/m/redemptions/(rdm_[A-Za-z0-9]+)\?done=redeemed$`)
)

// An operator writes a coupon in the form (a unit cost with no budget line
// comes back named), fills its pool from a file (a file with a repeated
// code adds nothing and names the rows), and a member redeems it on the
// portal and sees the code; merchandise asks for an address, is shipped
// with a tracking number the member then sees, and is delivered; a member
// cancels an order not yet shipped and has their points back.
func TestCatalogConsoleAndPortalRedemption(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		rw := seedRewards(t, w.s, w.ctx, w.sc, w.me)
		op := w.s.teammate("qicheng", program.RoleOperator)

		form := url.Values{"kind": {"coupon"}, "title": {"天猫 100 元券"}, "points": {"400"}, "unit_cost": {"100.00"}}
		bad := op.do("POST", "/p/qicheng/catalog", form)
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-field="budget_line"`) || !strings.Contains(bad.body, "有单位成本的商品必须指定预算科目") ||
			!strings.Contains(bad.body, `value="天猫 100 元券"`) {
			t.Fatalf("a unit cost without a line: %d %s", bad.status, bad.body)
		}
		form.Set("budget_line", rw.gifts.PublicID)
		made := op.do("POST", "/p/qicheng/catalog", form)
		m := itemPath.FindStringSubmatch(made.header.Get("Location"))
		if made.status != 303 || m == nil {
			t.Fatalf("create coupon: %d %s %s", made.status, made.header.Get("Location"), made.body)
		}
		coupon := "/p/qicheng/catalog/" + m[1]
		dup := op.upload(coupon+"/codes", "codes.csv", "券码\nTM-1\nTM-2\nTM-1\n")
		checkPage(t, dup)
		if dup.status != 422 || !strings.Contains(dup.body, "没有导入任何券码") || !strings.Contains(dup.body, "文件中重复") {
			t.Fatalf("a repeated code: %d %s", dup.status, dup.body)
		}
		if it, _ := w.s.a.Catalog.Get(w.ctx, w.sc, m[1]); it.Stock() != 0 {
			t.Fatalf("a refused file added %d codes", it.Stock())
		}
		ok := op.upload(coupon+"/codes", "codes.csv", "券码\nTM-1\nTM-2\n")
		if ok.status != 303 {
			t.Fatalf("codes: %d %s", ok.status, ok.body)
		}
		page := op.do("GET", coupon, nil)
		checkPage(t, page)
		if !strings.Contains(page.body, "天猫 100 元券") || !strings.Contains(page.body, "未发出的券码") {
			t.Fatalf("coupon page: %s", page.body)
		}
		if p := op.do("POST", coupon+"/stock", url.Values{"units": {"5"}}); p.status == 303 {
			t.Fatal("a coupon was restocked by hand: its stock is its codes")
		}

		// The member's shelf: what they may redeem and why not.
		w.signIn(t, w.me)
		shelf := w.s.do("GET", "/m/rewards", nil)
		checkPage(t, shelf)
		if shelf.status != 200 || !strings.Contains(shelf.body, "天猫 100 元券") || !strings.Contains(shelf.body, `data-test="balance">1,700<`) {
			t.Fatalf("shelf: %d %s", shelf.status, shelf.body)
		}
		redeem := w.s.do("POST", "/m/rewards/"+m[1]+"/redeem", nil)
		rm := redemptionPath.FindStringSubmatch(redeem.header.Get("Location"))
		if redeem.status != 303 || rm == nil {
			t.Fatalf("redeem: %d %s", redeem.status, redeem.body)
		}
		mine := w.s.do("GET", "/m/redemptions/"+rm[1]+"?done=redeemed", nil)
		checkPage(t, mine)
		if !strings.Contains(mine.body, `data-test="coupon-code">TM-`) || !strings.Contains(mine.body, "兑换成功") {
			t.Fatalf("my coupon: %s", mine.body)
		}
		// Another member's redemption answers as one that does not exist.
		if p := w.s.do("GET", "/m/redemptions/"+rw.redemption.PublicID+"x", nil); p.status != 404 {
			t.Fatalf("someone else's redemption: %d", p.status)
		}

		// Merchandise: the address is asked for, named by field.
		shirt := "/m/rewards/" + rw.merch.PublicID
		noAddr := w.s.do("POST", shirt+"/redeem", url.Values{"variant": {rw.merch.Variants[1].PublicID}, "address.name": {"林小满"}})
		checkPage(t, noAddr)
		if noAddr.status != 422 || !strings.Contains(noAddr.body, `data-field="address.phone"`) || !strings.Contains(noAddr.body, `value="林小满"`) {
			t.Fatalf("no address: %d %s", noAddr.status, noAddr.body)
		}
		order := w.s.do("POST", shirt+"/redeem", url.Values{"variant": {rw.merch.Variants[1].PublicID}, "address.name": {"林小满"},
			"address.phone": {"13800000000"}, "address.address": {"杭州市西湖区 1 号"}})
		om := redemptionPath.FindStringSubmatch(order.header.Get("Location"))
		if order.status != 303 || om == nil {
			t.Fatalf("order: %d %s", order.status, order.body)
		}
		desk := "/p/qicheng/redemptions/" + om[1]
		noTracking := op.do("POST", desk+"/shipment", url.Values{"status": {"shipped"}, "carrier": {"顺丰"}})
		checkPage(t, noTracking)
		if noTracking.status != 422 || !strings.Contains(noTracking.body, `data-field="tracking"`) {
			t.Fatalf("shipping without a tracking number: %d %s", noTracking.status, noTracking.body)
		}
		if p := op.do("POST", desk+"/shipment", url.Values{"status": {"shipped"}, "carrier": {"顺丰"}, "tracking": {"SF1234567890"}}); p.status != 303 {
			t.Fatalf("ship: %d %s", p.status, p.body)
		}
		seen := w.s.do("GET", "/m/redemptions/"+om[1], nil)
		if !strings.Contains(seen.body, "顺丰 SF1234567890") || !strings.Contains(seen.body, "已发货") || strings.Contains(seen.body, `data-test="cancel-redemption"`) {
			t.Fatalf("the member's shipped order: %s", seen.body)
		}
		if p := op.do("POST", desk+"/shipment", url.Values{"status": {"delivered"}}); p.status != 303 {
			t.Fatalf("deliver: %d", p.status)
		}
		if p := op.do("POST", desk+"/cancel", nil); p.status != 409 || !strings.Contains(p.body, "不能取消") {
			t.Fatalf("cancelling a delivered order: %d", p.status)
		}
		list := op.do("GET", "/p/qicheng/redemptions?status=delivered", nil)
		checkPage(t, list)
		if !strings.Contains(list.body, "车主 T 恤") || strings.Contains(list.body, "天猫 100 元券") {
			t.Fatalf("delivered redemptions: %s", list.body)
		}

		// The seeded order is cancelled by the member: points come back.
		before := w.s.do("GET", "/m/points", nil)
		if p := w.s.do("POST", "/m/redemptions/"+rw.redemption.PublicID+"/cancel", nil); p.status != 303 {
			t.Fatalf("cancel: %d %s", p.status, p.body)
		}
		after := w.s.do("GET", "/m/points", nil)
		checkPage(t, after)
		if before.body == after.body || !strings.Contains(after.body, "兑换取消退回") || !strings.Contains(after.body, "手动发放 · 开营礼") {
			t.Fatalf("points after cancelling: %s", after.body)
		}
		r, err := w.s.a.Catalog.Redemption(w.ctx, w.sc, rw.redemption.PublicID)
		if err != nil || r.Status != catalog.Cancelled {
			t.Fatalf("the cancelled redemption: %v %v", r.Status, err)
		}
	})
}

// An operator writes a plan in the form (a bad period comes back named,
// with the lines typed), cannot approve it; finance approves it and the
// plan's page shows its charts, each with its table, and downloads its
// report; an operator asks for the reserve and finance approves it from the
// list, which keeps how long that took.
func TestBudgetConsole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		rw := seedRewards(t, w.s, w.ctx, w.sc, w.me)
		op := w.s.teammate("qicheng", program.RoleOperator)
		fin := w.s.teammate("qicheng", program.RoleFinance)
		blank := op.do("GET", "/p/qicheng/budget/plans/new", nil)
		checkPage(t, blank)
		if !strings.Contains(blank.body, `value="test_cars"`) || !strings.Contains(blank.body, "试驾车") {
			t.Fatalf("the plan form offers the usual lines: %s", blank.body)
		}
		form := url.Values{"code": {"q1"}, "name": {"2027 一季度"}, "period": {"2027-Q5"},
			"lines[0].layer": {"broad"}, "lines[0].code": {"honour"}, "lines[0].name": {"荣誉体系"}, "lines[0].amount": {"12,000.50"},
			"lines[1].layer": {"incentive"}, "lines[1].code": {"kits"}, "lines[1].name": {"礼盒"}, "lines[1].amount": {""},
			"lines[2].layer": {"exclusive"}, "lines[2].code": {"Bad Code"}, "lines[2].name": {"试驾车"}, "lines[2].amount": {"80000"}}
		bad := op.do("POST", "/p/qicheng/budget/plans", form)
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-field="period"`) || !strings.Contains(bad.body, `data-field="lines[1].code"`) ||
			!strings.Contains(bad.body, `value="12000.50"`) || strings.Count(bad.body, `data-test="field-error"`) != 2 {
			t.Fatalf("bad plan: %d %s", bad.status, bad.body)
		}
		form.Set("period", "2027-Q1")
		form.Set("lines[2].code", "test_cars")
		made := op.do("POST", "/p/qicheng/budget/plans", form)
		loc := made.header.Get("Location")
		if made.status != 303 || !strings.Contains(loc, "/budget/plans/bpl_") {
			t.Fatalf("create plan: %d %s", made.status, made.body)
		}
		plan := strings.TrimSuffix(loc, "?done=saved")
		draft := op.do("GET", plan, nil)
		checkPage(t, draft)
		if strings.Contains(draft.body, `data-test="approve-plan"`) || !strings.Contains(draft.body, "¥92,000.50") {
			t.Fatalf("an operator's view of a draft: %s", draft.body)
		}
		if p := op.do("POST", plan+"/approve", nil); p.status != 404 {
			t.Fatalf("an operator approving: %d", p.status)
		}
		if !strings.Contains(fin.do("GET", plan, nil).body, `data-test="approve-plan"`) {
			t.Fatal("finance sees no approve button")
		}
		if p := fin.do("POST", plan+"/approve", nil); p.status != 303 {
			t.Fatalf("finance approving: %d %s", p.status, p.body)
		}
		if p := fin.do("POST", plan+"/approve", nil); p.status != 409 {
			t.Fatalf("approving twice: %d", p.status)
		}
		approved := op.do("GET", plan, nil)
		checkPage(t, approved)
		if !strings.Contains(approved.body, "已批准") || strings.Count(approved.body, `data-test="chart-card"`) != 3 ||
			strings.Count(approved.body, `data-test="chart-table"`) != 3 {
			t.Fatalf("approved plan: %s", approved.body)
		}
		csv := op.do("GET", plan+"/report?format=csv", nil)
		if csv.status != 200 || !strings.HasPrefix(csv.body, "\ufeff") || !strings.Contains(csv.body, "test_cars") || !strings.Contains(csv.body, "12000.50") {
			t.Fatalf("report CSV: %d %q", csv.status, csv.body)
		}
		if x := op.do("GET", plan+"/report?format=xlsx", nil); x.status != 200 || !strings.HasPrefix(x.body, "PK") {
			t.Fatalf("report XLSX: %d", x.status)
		}

		// The reserve: asked by an operator, decided by finance in the list.
		ask := op.do("POST", "/p/qicheng/budget/requests", url.Values{"kind": {"reserve"}, "from_line": {rw.gifts.PublicID}, "amount": {"500"},
			"purpose": {"member_event"}, "reason": {"车友会自发快闪"}})
		checkPage(t, ask)
		if ask.status != 422 || !strings.Contains(ask.body, "必须是策略性储备的科目") {
			t.Fatalf("a reserve request from a line that is not the reserve: %d %s", ask.status, ask.body)
		}
		if p := op.do("POST", "/p/qicheng/budget/requests", url.Values{"kind": {"reserve"}, "from_line": {rw.reserve.PublicID}, "amount": {"500"},
			"purpose": {"member_event"}, "reason": {"车友会自发快闪"}}); p.status != 303 {
			t.Fatalf("ask: %d %s", p.status, p.body)
		}
		list := fin.do("GET", "/p/qicheng/budget/requests?status=requested", nil)
		checkPage(t, list)
		if strings.Count(list.body, `data-test="approve-request"`) != 2 || !strings.Contains(list.body, "会员自发活动 · 车友会自发快闪") {
			t.Fatalf("requests for finance: %s", list.body)
		}
		if strings.Contains(op.do("GET", "/p/qicheng/budget/requests", nil).body, `data-test="approve-request"`) {
			t.Fatal("an operator sees finance's buttons")
		}
		if p := fin.do("POST", "/p/qicheng/budget/requests/"+rw.request.PublicID+"/decision", url.Values{"approve": {"1"}}); p.status != 303 {
			t.Fatalf("decide: %d %s", p.status, p.body)
		}
		if p := fin.do("POST", "/p/qicheng/budget/requests/"+rw.request.PublicID+"/decision", url.Values{"approve": {"0"}}); p.status != 409 {
			t.Fatalf("deciding twice: %d", p.status)
		}
		done := fin.do("GET", "/p/qicheng/budget/requests?status=approved", nil)
		if !strings.Contains(done.body, "同事finance · ") || !strings.Contains(done.body, "立即支出") {
			t.Fatalf("the decided request: %s", done.body)
		}
		gifts := fin.do("GET", "/p/qicheng/budget/plans/"+rw.plan.PublicID, nil)
		if !strings.Contains(gifts.body, "储备申请已决") {
			t.Fatalf("the plan reports reserve decisions: %s", gifts.body)
		}
	})
}

// Finance sees a batch's lines with gross, tax withheld and net worked by
// the rule, approves it, downloads the bank file (the only place the
// account is whole), marks it paid once; the member sees the statement in
// the portal and keeps their payee details there, checked by field.
func TestPayoutsConsoleAndPortal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		rw := seedRewards(t, w.s, w.ctx, w.sc, w.me)
		fin := w.s.teammate("qicheng", program.RoleFinance)
		batch := "/p/qicheng/payouts/" + rw.batch.PublicID
		page := fin.do("GET", batch, nil)
		checkPage(t, page)
		// ¥5,000.00: the base is 80% (¥4,000.00), taxed at 20%.
		for _, want := range []string{"¥5,000.00", "¥4,000.00", "¥800.00", "¥4,200.00", "****5678", "林*"} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("batch page lacks %s: %s", want, page.body)
			}
		}
		if strings.Contains(page.body, "6225880112345678") {
			t.Fatal("the batch page shows the whole account")
		}
		if p := fin.do("GET", batch+"/bank-file?format=csv", nil); p.status != 409 {
			t.Fatalf("the bank file of a draft: %d", p.status)
		}
		if p := fin.do("POST", batch+"/approve", nil); p.status != 303 {
			t.Fatalf("approve: %d %s", p.status, p.body)
		}
		bank := fin.do("GET", batch+"/bank-file?format=csv", nil)
		if bank.status != 200 || !strings.Contains(bank.body, "6225880112345678") || !strings.Contains(bank.body, "4200.00") ||
			bank.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("bank file: %d %s", bank.status, bank.body)
		}
		if p := fin.do("POST", batch+"/paid", nil); p.status != 303 {
			t.Fatalf("paid: %d %s", p.status, p.body)
		}
		twice := fin.do("POST", batch+"/paid", nil)
		checkPage(t, twice)
		if twice.status != 409 || !strings.Contains(twice.body, `data-test="error"`) {
			t.Fatalf("paid twice: %d", twice.status)
		}
		if p := w.s.teammate("qicheng", program.RoleOperator).do("GET", batch, nil); p.status != 404 {
			t.Fatalf("an operator opens a batch: %d", p.status)
		}

		w.signIn(t, w.me)
		money := w.s.do("GET", "/m/money", nil)
		checkPage(t, money)
		if money.status != 200 || !strings.Contains(money.body, "¥4,200.00") || !strings.Contains(money.body, "¥800.00") ||
			!strings.Contains(money.body, "****5678") || strings.Contains(money.body, "6225880112345678") {
			t.Fatalf("my money: %s", money.body)
		}
		bad := w.s.do("POST", "/m/money/payee", url.Values{"legal_name": {"林小满"}, "id_number": {"330106199001011234"}, "bank": {"招商银行"}, "account": {"12ab"}})
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, `data-field="account"`) || !strings.Contains(bad.body, "8 到 40 位") {
			t.Fatalf("a bad account: %d %s", bad.status, bad.body)
		}
		if p := w.s.do("POST", "/m/money/payee", url.Values{"legal_name": {"林小满"}, "id_number": {"330106199001011234"}, "bank": {"工商银行"},
			"account": {"6212260011112222"}}); p.status != 303 {
			t.Fatalf("payee: %d %s", p.status, p.body)
		}
		if p := w.s.do("GET", "/m/money", nil); !strings.Contains(p.body, "****2222") || !strings.Contains(p.body, "工商银行") {
			t.Fatalf("my payee after changing it: %s", p.body)
		}
	})
}

// Points by hand: a list with an unknown member grants no one; the fixed
// list grants everyone, with the reason on each statement; a deduction
// past a balance is refused on the member's page; badges are defined and
// awarded at once to those who qualify, shown in the console and portal.
func TestPointsAndBadgesConsole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		op := w.s.teammate("qicheng", program.RoleOperator)
		bad := op.do("POST", "/p/qicheng/points/adjust", url.Values{"members": {w.me.PublicID + ", mem_nobody"}, "amount": {"300"}, "reason": {"直播抽奖"}})
		checkPage(t, bad)
		if bad.status != 422 || !strings.Contains(bad.body, "mem_nobody") {
			t.Fatalf("an unknown member: %d %s", bad.status, bad.body)
		}
		if st, _, _ := w.s.a.Points.Statement(w.ctx, w.sc, w.me.PublicID, 0, 10); st.Balance != 0 {
			t.Fatalf("a refused list granted %d", st.Balance)
		}
		if p := op.do("POST", "/p/qicheng/points/adjust", url.Values{"members": {w.me.PublicID + "\n" + w.you.PublicID}, "amount": {"300"},
			"reason": {"直播抽奖"}}); p.status != 303 {
			t.Fatalf("adjust: %d %s", p.status, p.body)
		}
		over := op.do("POST", "/p/qicheng/members/"+w.me.PublicID+"/points", url.Values{"amount": {"-500"}, "reason": {"误发"}})
		checkPage(t, over)
		if over.status != 409 || !strings.Contains(over.body, "300 积分") {
			t.Fatalf("deducting past the balance: %d %s", over.status, over.body)
		}
		if p := op.do("POST", "/p/qicheng/members/"+w.me.PublicID+"/points", url.Values{"amount": {"-100"}, "reason": {"误发"}}); p.status != 303 {
			t.Fatalf("deduct: %d %s", p.status, p.body)
		}
		if p := op.do("POST", "/p/qicheng/badges", url.Values{"code": {"pts"}, "name_zh": {"积分达人"}, "name_en": {"Point collector"},
			"criterion": {"points_earned"}, "threshold": {"300"}}); p.status != 303 {
			t.Fatalf("badge: %d %s", p.status, p.body)
		}
		badges := op.do("GET", "/p/qicheng/badges", nil)
		checkPage(t, badges)
		if !strings.Contains(badges.body, "积分达人") || !strings.Contains(badges.body, "<td>2</td>") {
			t.Fatalf("badges: %s", badges.body)
		}
		if p := op.do("GET", "/p/qicheng/members/"+w.me.PublicID, nil); !strings.Contains(p.body, "积分达人") {
			t.Fatalf("the member page shows no badge: %s", p.body)
		}
		w.signIn(t, w.me)
		pts := w.s.do("GET", "/m/points", nil)
		if !strings.Contains(pts.body, "手动发放 · 直播抽奖") || !strings.Contains(pts.body, "手动扣减 · 误发") || !strings.Contains(pts.body, `data-test="balance">200<`) {
			t.Fatalf("my points: %s", pts.body)
		}
		mine := w.s.do("GET", "/m/badges", nil)
		checkPage(t, mine)
		if !strings.Contains(mine.body, "积分达人") || !strings.Contains(mine.body, "累计获得积分 ≥ 300") {
			t.Fatalf("my badges: %s", mine.body)
		}
		// Points expire after the months set, and the statement says what goes next.
		if p := op.do("POST", "/p/qicheng/points/expiry", url.Values{"months": {"12"}}); p.status != 404 {
			t.Fatalf("an operator sets the expiry (program.update is the admin's): %d", p.status)
		}
		admin := w.s.teammate("qicheng", program.RoleAdmin)
		if p := admin.do("POST", "/p/qicheng/points/expiry", url.Values{"months": {"abc"}}); p.status != 422 {
			t.Fatalf("a bad number of months: %d", p.status)
		}
		if p := admin.do("POST", "/p/qicheng/points/expiry", url.Values{"months": {"12"}}); p.status != 303 {
			t.Fatalf("expiry: %d %s", p.status, p.body)
		}
		if p := admin.do("POST", "/p/qicheng/points/adjust", url.Values{"members": {w.me.PublicID}, "amount": {"50"}, "reason": {"签到"}}); p.status != 303 {
			t.Fatalf("grant after expiry set: %d", p.status)
		}
		if p := w.s.do("GET", "/m/points", nil); !strings.Contains(p.body, `data-test="next-expiry">`) {
			t.Fatalf("no next expiry shown: %s", p.body)
		}
	})
}
