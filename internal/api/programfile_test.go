package api_test

import (
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// The program file over the API: read it, preview a change (nothing
// changes), apply it; a file naming another program is refused.
func TestProgramFileOverTheAPI(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		file := e.call("GET", "/api/v1/programs/"+slug+"/file", e.owner, nil)
		if file.status != 200 || !strings.Contains(file.raw, "slug: "+slug) || !strings.Contains(file.raw, "key: experience") {
			t.Fatalf("file: %d %s", file.status, file.raw)
		}
		changed := strings.Replace(file.raw, "key: experience", "key: experience\n        # renamed below", 1)
		changed = strings.Replace(changed, "Experience", "Hands-on", 1)
		if changed == file.raw {
			t.Fatal("nothing to change in the file")
		}
		pre := e.call("PUT", "/api/v1/programs/"+slug+"/file?dry_run=true", e.owner, changed)
		if pre.status != 200 || pre.body["applied"] != false || len(pre.body["changes"].([]any)) == 0 {
			t.Fatalf("preview: %d %s", pre.status, pre.raw)
		}
		if again := e.call("GET", "/api/v1/programs/"+slug+"/file", e.owner, nil); again.raw != file.raw {
			t.Fatal("a preview changed the program")
		}
		if r := e.call("PUT", "/api/v1/programs/"+slug+"/file", e.owner, changed); r.status != 200 || r.body["applied"] != true {
			t.Fatalf("apply: %d %s", r.status, r.raw)
		}
		if after := e.call("GET", "/api/v1/programs/"+slug+"/file", e.owner, nil); !strings.Contains(after.raw, "Hands-on") {
			t.Fatal("applying did not change the program")
		}
		other := strings.Replace(changed, "slug: "+slug, "slug: someone-else", 1)
		if r := e.call("PUT", "/api/v1/programs/"+slug+"/file", e.owner, other); r.status != 422 {
			t.Fatalf("a file naming another program: %d %s", r.status, r.raw)
		}
	})
}
