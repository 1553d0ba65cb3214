package api_test

import (
	"fmt"
	"sync/atomic"

	"kox/internal/loan"
)

var vins atomic.Int64

func init() {
	unit := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"unit": e.unit(slug).PublicID}, nil
	}
	reserved := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"loan": e.loan(slug, false).PublicID}, nil
	}
	for id, fx := range map[string]fixture{
		"list-units": func(*env, string) (map[string]string, any) { return nil, nil },
		"create-unit": func(*env, string) (map[string]string, any) {
			return nil, map[string]any{"vin": nextVIN(), "model": "S7"}
		},
		"get-unit": unit,
		"update-unit": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"unit": e.unit(slug).PublicID}, map[string]any{"model": "S7 Max", "mileage": 200}
		},
		"set-unit-status": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"unit": e.unit(slug).PublicID}, map[string]any{"status": "in_service"}
		},
		"list-unit-costs": unit,
		"add-unit-cost": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"unit": e.unit(slug).PublicID},
				map[string]any{"kind": "insurance", "budget_line": e.plan(slug, true).Lines[0].PublicID, "amount": 100}
		},
		"fleet-cost-report": func(*env, string) (map[string]string, any) { return nil, nil },
		"list-loans":        func(*env, string) (map[string]string, any) { return nil, nil },
		"create-loan": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"unit": e.unit(slug).PublicID, "member": e.activeMember(slug), "starts_on": "2026-06-01", "ends_on": "2026-11-30"}
		},
		"get-loan": reserved,
		"sign-loan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"loan": e.loan(slug, false).PublicID}, map[string]any{"name": "张三"}
		},
		"hand-over-loan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"loan": e.signed(slug).PublicID}, map[string]any{"mileage": 150, "items": []string{"keys"}}
		},
		"return-loan": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"loan": e.loan(slug, true).PublicID}, map[string]any{"mileage": 900}
		},
		"cancel-loan": reserved,
		"add-loan-photo": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"loan": e.loan(slug, false).PublicID, "?": "stage=handover"}, string(pngBytes)
		},
		"get-loan-photo": func(e *env, slug string) (map[string]string, any) {
			l := e.loan(slug, false)
			ctx, sc := e.scope(slug)
			p, err := e.a.Loans.AddPhoto(ctx, sc, l.PublicID, loan.Handover, pngBytes)
			if err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"loan": l.PublicID, "photo": p.PublicID}, nil
		},
		"tick-loan-scenario": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"loan": e.loan(slug, true).PublicID}, map[string]any{"scenario": "commute", "url": "https://weibo.com/1/2"}
		},
	} {
		fixtures[id] = fx
	}
	memberExpect["list-loans"] = 200 // their own
	for _, id := range []string{"get-loan", "sign-loan", "get-loan-photo", "tick-loan-scenario"} {
		memberExpect[id] = 404 // another member's loan
	}
}

// pngBytes is a one-pixel PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func nextVIN() string { return fmt.Sprintf("LRWYGCEK0TC%06d", vins.Add(1)) }

// unit is a fresh unit of the program's fleet.
func (e *env) unit(slug string) loan.Unit {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	u, err := e.a.Loans.CreateUnit(ctx, sc, loan.UnitInput{VIN: nextVIN(), Model: "S7", Mileage: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// loan is a fresh loan of a fresh unit to a fresh member: reserved, or
// signed and handed over.
func (e *env) loan(slug string, out bool) loan.Loan {
	e.t.Helper()
	l := e.reservedLoan(slug)
	if out {
		ctx, sc := e.scope(slug)
		var err error
		if _, err = e.a.Loans.Sign(ctx, sc, l.PublicID, "张三"); err == nil {
			l, err = e.a.Loans.HandOver(ctx, sc, l.PublicID, loan.LoanCheckInput{Mileage: 150})
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return l
}

// signed is a fresh reserved loan, its agreement signed.
func (e *env) signed(slug string) loan.Loan {
	e.t.Helper()
	l := e.reservedLoan(slug)
	ctx, sc := e.scope(slug)
	l, err := e.a.Loans.Sign(ctx, sc, l.PublicID, "张三")
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

func (e *env) reservedLoan(slug string) loan.Loan {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	l, err := e.a.Loans.Create(ctx, sc, loan.LoanInput{Unit: e.unit(slug).PublicID, Member: e.activeMember(slug), StartsOn: "2026-06-01", EndsOn: "2026-11-30"})
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}
