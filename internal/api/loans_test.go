package api_test

import (
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Over HTTP: a unit with a bad VIN names its field; a loan goes from its
// agreement (signed by the member with their own token) through the
// handover and a scenario ticked to its return; another member reads
// none of it; the same unit cannot be lent twice.
func TestLoansOverHTTP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		base := "/api/v1/programs/" + slug
		if r := e.call("POST", base+"/units", e.owner, map[string]any{"vin": "", "model": "S7"}); r.status != 422 || !strings.Contains(r.raw, `"body.vin"`) {
			t.Fatalf("no VIN: %d %s", r.status, r.raw)
		}
		u := e.call("POST", base+"/units", e.owner, map[string]any{"vin": nextVIN(), "model": "S7", "colour": "冰川白", "mileage": 10})
		if u.status != 201 || u.str("status") != "available" {
			t.Fatalf("unit: %d %s", u.status, u.raw)
		}
		a, b := e.activeMember(slug), e.activeMember(slug)
		ta, tb := e.memberToken(slug, a), e.memberToken(slug, b)
		body := map[string]any{"unit": u.str("id"), "member": a, "starts_on": "2026-06-01", "ends_on": "2026-11-30", "terms": "六个月"}
		l := e.call("POST", base+"/loans", e.owner, body)
		if l.status != 201 || l.str("status") != "reserved" {
			t.Fatalf("loan: %d %s", l.status, l.raw)
		}
		body["member"] = b
		if r := e.call("POST", base+"/loans", e.owner, body); r.status != 409 || r.str("code") != "loan.unit_unavailable" {
			t.Fatalf("the unit twice: %d %s", r.status, r.raw)
		}
		id := l.str("id")
		if r := e.call("GET", base+"/loans/"+id, tb, nil); r.status != 404 {
			t.Fatalf("b reads a's loan: %d", r.status)
		}
		if r := e.call("POST", base+"/loans/"+id+"/signature", tb, map[string]any{"name": "李四"}); r.status != 404 {
			t.Fatalf("b signs a's loan: %d", r.status)
		}
		if r := e.call("POST", base+"/loans/"+id+"/signature", ta, map[string]any{"name": "张三"}); r.status != 200 || r.str("signed_at") == "" {
			t.Fatalf("sign: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/loans/"+id+"/handover", e.owner, map[string]any{"mileage": 5}); r.status != 422 || !strings.Contains(r.raw, "loan.mileage_back") {
			t.Fatalf("mileage back: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/loans/"+id+"/handover", e.owner, map[string]any{"mileage": 12, "items": []string{"keys", "documents"}}); r.status != 200 || r.str("status") != "on_loan" {
			t.Fatalf("handover: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/loans/"+id+"/photos?stage=return", e.owner, string(pngBytes)); r.status != 201 {
			t.Fatalf("photo: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", base+"/loans/"+id+"/scenarios", ta, map[string]any{"scenario": "school_run", "url": "https://www.xiaohongshu.com/explore/9"}); r.status != 200 {
			t.Fatalf("tick: %d %s", r.status, r.raw)
		}
		mine := e.call("GET", base+"/loans", ta, nil)
		if mine.status != 200 || len(mine.items()) != 1 {
			t.Fatalf("a's loans: %d %s", mine.status, mine.raw)
		}
		if theirs := e.call("GET", base+"/loans", tb, nil); theirs.status != 200 || len(theirs.items()) != 0 {
			t.Fatalf("b's loans: %d %s", theirs.status, theirs.raw)
		}
		if r := e.call("POST", base+"/loans/"+id+"/return", e.owner, map[string]any{"mileage": 3_200, "to_service": true}); r.status != 200 || r.str("status") != "returned" {
			t.Fatalf("return: %d %s", r.status, r.raw)
		}
		if r := e.call("GET", base+"/units/"+u.str("id"), e.owner, nil); r.str("status") != "in_service" || r.body["mileage"].(float64) != 3_200 {
			t.Fatalf("unit after: %s", r.raw)
		}
		if r := e.call("GET", base+"/fleet-costs", e.owner, nil); r.status != 200 || !strings.Contains(r.raw, `"units"`) {
			t.Fatalf("report: %d %s", r.status, r.raw)
		}
	})
}
