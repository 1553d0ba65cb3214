package api_test

import (
	"fmt"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// Uploads larger than the API's default body limit (1 MB) reach their own
// limits: a 2 MB image and a member file of 30,000 rows go in; a body past
// the limit is refused with 413, not read whole.
func TestUploadsPastOneMegabyte(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		img := tinyPNG() + strings.Repeat("\x00", 2<<20)
		if r := e.call("POST", "/api/v1/programs/"+slug+"/images", e.owner, img); r.status != 201 {
			t.Fatalf("a 2 MB image: %d %s", r.status, r.raw)
		}
		if r := e.call("POST", "/api/v1/programs/"+slug+"/images", e.owner, tinyPNG()+strings.Repeat("\x00", 6<<20)); r.status != 413 {
			t.Fatalf("a 6 MB image: %d", r.status)
		}
		var b strings.Builder
		b.WriteString("name,phone,role,city\n")
		for i := range 30000 {
			fmt.Fprintf(&b, "车主%05d,139%08d,koc,杭州\n", i, i)
		}
		if b.Len() < 1<<20 {
			t.Fatalf("the file is only %d bytes", b.Len())
		}
		r := e.call("POST", "/api/v1/programs/"+slug+"/member-imports?format=csv", e.owner, b.String())
		if r.status != 201 || r.body["rows"] != float64(30000) {
			t.Fatalf("a %d-byte member file: %d %.300s", b.Len(), r.status, r.raw)
		}
	})
}

// The export takes the member list's filters, tier and sort included.
func TestExportTakesTheListsFilters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		up := e.member(slug, map[string]any{"name": "升级的", "status": "active"})["id"].(string)
		e.member(slug, map[string]any{"name": "没升级", "status": "active"})
		if r := e.call("PUT", "/api/v1/programs/"+slug+"/members/"+up+"/tiers/main", e.owner, map[string]any{"tier": "experience", "reason": "试驾"}); r.status != 200 {
			t.Fatalf("tier: %d %s", r.status, r.raw)
		}
		r := e.call("GET", "/api/v1/programs/"+slug+"/members/export?format=csv&tier=main/experience&sort=name", e.owner, nil)
		if r.status != 200 || !strings.Contains(r.raw, "升级的") || strings.Contains(r.raw, "没升级") {
			t.Fatalf("export on a tier: %d %s", r.status, r.raw)
		}
	})
}
