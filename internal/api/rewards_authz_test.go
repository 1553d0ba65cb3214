package api_test

import (
	"context"
	"fmt"
	"testing"

	"kox/internal/budget"
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/payout"
	"kox/internal/program"
)

// The rewards routes' fixtures for the authorization matrix: objects are
// made through the services, as the system, fresh for each call where the
// call uses them up.
func init() {
	for id, fx := range map[string]fixture{
		"list-budget-plans":  func(*env, string) (map[string]string, any) { return nil, nil },
		"create-budget-plan": func(*env, string) (map[string]string, any) { return nil, planBody() },
		"get-budget-plan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"plan": e.plan(slug, true).PublicID}, nil
		},
		"approve-budget-plan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"plan": e.plan(slug, false).PublicID}, nil
		},
		"close-budget-plan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"plan": e.plan(slug, true).PublicID}, nil
		},
		"add-budget-line": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"plan": e.plan(slug, false).PublicID}, map[string]any{"layer": "broad", "code": "extra", "name": "新增", "amount": 100}
		},
		"list-open-budget-lines": func(*env, string) (map[string]string, any) { return nil, nil },
		"set-budget-line": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"line": e.plan(slug, false).Lines[0].PublicID}, map[string]any{"amount": 5000}
		},
		"list-budget-requests": func(*env, string) (map[string]string, any) { return nil, nil },
		"create-budget-request": func(e *env, slug string) (map[string]string, any) {
			p := e.plan(slug, true)
			return nil, map[string]any{"kind": "move", "from_line": p.Lines[0].PublicID, "to_line": p.Lines[1].PublicID, "amount": 100, "reason": "调剂"}
		},
		"decide-budget-request": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"request": e.budgetRequest(slug)}, map[string]any{"approve": true}
		},
		"budget-report": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"plan": e.plan(slug, true).PublicID}, nil
		},

		"list-catalog":        func(*env, string) (map[string]string, any) { return nil, nil },
		"create-catalog-item": func(*env, string) (map[string]string, any) { return nil, itemBody("virtual") },
		"get-catalog-item": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "virtual")}, nil
		},
		"update-catalog-item": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "virtual")}, itemBody("virtual")
		},
		"set-catalog-item-status": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "virtual")}, map[string]any{"status": "archived"}
		},
		"add-catalog-variant": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "merchandise")}, map[string]any{"label": fmt.Sprintf("XL %d", seq.Add(1)), "stock": 3}
		},
		"restock-catalog-item": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "virtual")}, map[string]any{"units": 5, "reason": "补货"}
		},
		"import-coupon-codes": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.item(slug, "coupon"), "?": "format=csv"}, fmt.Sprintf("code\nC-%d\nC-%d\n", seq.Add(1), seq.Add(1))
		},
		"member-shelf": memberFixture(nil),
		"redeem": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"item": e.item(slug, "virtual"), "member": e.activeMember(slug)}
		},
		"list-redemptions": func(*env, string) (map[string]string, any) { return nil, nil },
		"get-redemption": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"redemption": e.redemption(slug)}, nil
		},
		"cancel-redemption": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"redemption": e.redemption(slug)}, map[string]any{"reason": "不要了"}
		},
		"advance-redemption": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"redemption": e.redemption(slug)}, map[string]any{"status": "fulfilled"}
		},

		"adjust-points": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"members": []string{e.activeMember(slug)}, "amount": 5, "reason": "活动补发"}
		},
		"get-reward-settings": func(*env, string) (map[string]string, any) { return nil, nil },
		"set-points-expiry":   func(*env, string) (map[string]string, any) { return nil, map[string]any{"months": 12} },
		"set-tax-rule":        func(*env, string) (map[string]string, any) { return nil, map[string]any{"tax_rule": "cn_labour"} },
		"get-payee": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"member": e.payee(slug)}, nil
		},
		"set-payee":           memberFixture(payeeBody()),
		"member-payouts":      memberFixture(nil),
		"list-payout-batches": func(*env, string) (map[string]string, any) { return nil, nil },
		"create-payout-batch": func(e *env, slug string) (map[string]string, any) {
			e.owed(slug)
			return nil, map[string]any{"period": "2026-11"}
		},
		"get-payout-batch": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"batch": e.batch(slug, false)}, nil
		},
		"approve-payout-batch": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"batch": e.batch(slug, false)}, nil
		},
		"mark-payout-batch-paid": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"batch": e.batch(slug, true)}, nil
		},
		"cancel-payout-batch": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"batch": e.batch(slug, false)}, nil
		},
		"exclude-payout-line": func(e *env, slug string) (map[string]string, any) {
			ref := e.batch(slug, false)
			ctx, sc := e.scope(slug)
			b, err := e.a.Payouts.Batch(ctx, sc, ref)
			if err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"batch": ref}, map[string]any{"member": b.Lines[0].Member}
		},
		"export-payout-batch": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"batch": e.batch(slug, true)}, nil
		},

		"list-badges": func(*env, string) (map[string]string, any) { return nil, nil },
		"create-badge": func(*env, string) (map[string]string, any) {
			return nil, map[string]any{"code": fmt.Sprintf("b%d", seq.Add(1)), "name_zh": "首个任务", "name_en": "First task", "criterion": "first_approved_task"}
		},
		"member-badges": memberFixture(nil),
	} {
		fixtures[id] = fx
	}
	for id, status := range map[string]int{
		"member-shelf":      200, // their own shelf, whoever is named
		"redeem":            201, // for themselves
		"list-redemptions":  200,
		"get-redemption":    404,
		"cancel-redemption": 404,
		"get-payee":         404,
		"set-payee":         404,
		"member-payouts":    404,
		"member-badges":     404,
	} {
		memberExpect[id] = status
	}
}

func planBody() map[string]any {
	return map[string]any{"code": fmt.Sprintf("p%d", seq.Add(1)), "name": "2026", "period": "2026", "lines": []map[string]any{
		{"layer": "broad", "code": "honour", "name": "荣誉体系", "amount": 1_000_000},
		{"layer": "reserve", "code": "reserve", "name": "储备", "amount": 1_000_000}}}
}

func itemBody(kind string) map[string]any {
	b := map[string]any{"kind": kind, "title": "限定壁纸", "points": 0}
	if kind != "coupon" {
		b["variants"] = []map[string]any{{"label": "", "stock": 1000}}
	}
	return b
}

func payeeBody() map[string]any {
	return map[string]any{"legal_name": "王芳", "id_number": "110101199001011234", "bank": "招商银行", "account": "6222021234567890"}
}

func (e *env) scope(slug string) (context.Context, program.Scope) {
	e.t.Helper()
	ctx := program.WithActor(context.Background(), program.System("test"))
	sc, err := e.a.Programs.Scope(ctx, slug)
	if err != nil {
		e.t.Fatal(err)
	}
	return ctx, sc
}

func (e *env) plan(slug string, approve bool) budget.Plan {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	in := planBody()
	p, err := e.a.Budget.CreatePlan(ctx, sc, budget.PlanInput{Code: in["code"].(string), Name: "2026", Period: "2026", Lines: []budget.LineInput{
		{Layer: budget.Broad, Code: "honour", Name: "荣誉体系", Amount: 1_000_000}, {Layer: budget.Reserve, Code: "reserve", Name: "储备", Amount: 1_000_000}}})
	if err == nil && approve {
		p, err = e.a.Budget.ApprovePlan(ctx, sc, p.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) budgetRequest(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	p := e.plan(slug, true)
	r, err := e.a.Budget.Ask(ctx, sc, budget.RequestInput{Kind: budget.ReserveUse, From: p.Lines[1].PublicID, Amount: 100, Purpose: "viral_boost", Reason: "爆文"})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.PublicID
}

func (e *env) item(slug, kind string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	in := catalog.ItemInput{Kind: catalog.Kind(kind), Title: "限定周边"}
	if kind != "coupon" {
		in.Variants = []catalog.VariantInput{{Stock: 1000}}
	}
	it, err := e.a.Catalog.Create(ctx, sc, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return it.PublicID
}

// redemption is another member's redemption of an experience, waiting to
// be fulfilled.
func (e *env) redemption(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	r, err := e.a.Catalog.Redeem(ctx, sc, catalog.RedeemInput{Item: e.item(slug, "experience"), Member: e.activeMember(slug)})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.PublicID
}

func (e *env) payee(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	m := e.activeMember(slug)
	in := payeeBody()
	if _, err := e.a.Payouts.SetPayee(ctx, sc, m, payout.PayeeInput{LegalName: in["legal_name"].(string), IDNumber: in["id_number"].(string),
		Bank: in["bank"].(string), Account: in["account"].(string)}); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// owed makes a member with payee details who is owed ¥100, and cancels any
// open batch (a program has one at a time).
func (e *env) owed(slug string) {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	bs, _, err := e.a.Payouts.Batches(ctx, sc, 0, 500)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, b := range bs {
		if b.Status == payout.Draft || b.Status == payout.Approved {
			if _, err := e.a.Payouts.Cancel(ctx, sc, b.PublicID); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	m := e.payee(slug)
	if err := e.a.DB.InTx(ctx, func(tx *db.Tx) error {
		return payout.OweTx(ctx, tx, e.a.Ledger, sc.Program.ID, m, 10_000, fmt.Sprintf("owe:%d", seq.Add(1)), "task_reward", "test")
	}); err != nil {
		e.t.Fatal(err)
	}
}

// batch is a fresh draft batch, or an approved one.
func (e *env) batch(slug string, approved bool) string {
	e.t.Helper()
	e.owed(slug)
	ctx, sc := e.scope(slug)
	b, err := e.a.Payouts.CreateBatch(ctx, sc, payout.BatchInput{Period: "2026-11"})
	if err == nil && approved {
		b, err = e.a.Payouts.Approve(ctx, sc, b.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return b.PublicID
}

// A refused bank file is a problem with its status, never an empty 200:
// the service decides before the file starts streaming.
func TestBankFileOfADraftBatchIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		draft := e.batch(slug, false)
		r := e.call("GET", "/api/v1/programs/"+slug+"/payout-batches/"+draft+"/bank-file?format=csv", e.owner, nil)
		if r.status != 409 || r.str("code") != "payout.batch_not_approved" {
			t.Fatalf("bank file of a draft: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", "/api/v1/programs/"+slug+"/payout-batches/"+draft+"/bank-file?format=pdf", e.owner, nil); r.status != 422 {
			t.Fatalf("an unknown format: %d %s", r.status, r.raw)
		}
	})
}
