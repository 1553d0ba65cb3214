package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
)

// upload posts a file to the import form as a browser would.
func (s *site) upload(path, filename, content string) page {
	s.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, _ := w.CreateFormFile("file", filename)
	_, _ = part.Write([]byte(content))
	_ = w.Close()
	req, _ := http.NewRequest("POST", s.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.send(req)
}

var importPath = regexp.MustCompile(`^/p/qicheng/member-imports/(imp_[A-Za-z0-9]+)$`)

// An operator uploads a file with a bad row: the page names the row,
// column and reason and writes nothing; the fixed file shows its members
// and goes in on confirming; the table exports as CSV with a BOM.
func TestMemberImportAndExportPages(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d)
		s.signIn("owner@web.kox")
		form := s.do("GET", "/p/qicheng/members/import", nil)
		checkPage(t, form)
		if form.status != 200 || !strings.Contains(form.body, `enctype="multipart/form-data"`) {
			t.Fatalf("import form: %d", form.status)
		}
		bad := s.upload("/p/qicheng/members/import", "名单.csv", "姓名,手机,角色,城市\n林小满,13800000001,koc,杭州\n周一鸣,not-a-phone,koc,上海\n")
		m := importPath.FindStringSubmatch(bad.header.Get("Location"))
		if bad.status != 303 || m == nil {
			t.Fatalf("upload: %d %s", bad.status, bad.body)
		}
		preview := s.do("GET", bad.header.Get("Location"), nil)
		checkPage(t, preview)
		if !strings.Contains(preview.body, `data-test="import-errors">1<`) || !strings.Contains(preview.body, "<td>3</td><td>phone</td>") ||
			strings.Contains(preview.body, `data-test="apply"`) {
			t.Fatalf("preview of a file with an error: %s", preview.body)
		}
		if p := s.do("POST", bad.header.Get("Location")+"/apply", nil); p.status != 409 {
			t.Fatalf("applying a file with errors: %d", p.status)
		}
		if list := s.do("GET", "/p/qicheng/members", nil); strings.Contains(list.body, "林小满") {
			t.Fatal("a file with errors wrote members")
		}
		good := s.upload("/p/qicheng/members/import", "名单.csv", "姓名,手机,角色,城市\n林小满,13800000001,koc,杭州\n周一鸣,13800000002,koc,上海\n")
		preview = s.do("GET", good.header.Get("Location"), nil)
		if !strings.Contains(preview.body, `data-test="apply"`) || !strings.Contains(preview.body, "周一鸣") {
			t.Fatalf("preview of a good file: %s", preview.body)
		}
		if p := s.do("POST", good.header.Get("Location")+"/apply", nil); p.status != 303 {
			t.Fatalf("apply: %d %s", p.status, p.body)
		}
		list := s.do("GET", "/p/qicheng/members?done=imported", nil)
		checkPage(t, list)
		if !strings.Contains(list.body, "林小满") || !strings.Contains(list.body, "周一鸣") || !strings.Contains(list.body, `data-test="flash"`) {
			t.Fatalf("members after the import: %s", list.body)
		}
		csv := s.do("GET", "/p/qicheng/members/export?format=csv&city=%E6%9D%AD%E5%B7%9E", nil)
		if csv.status != 200 || !strings.HasPrefix(csv.body, "\uFEFFname,phone") || !strings.Contains(csv.body, "林小满") || strings.Contains(csv.body, "周一鸣") {
			t.Fatalf("CSV export of 杭州: %d %q", csv.status, csv.body)
		}
		x := s.do("GET", "/p/qicheng/members/export?format=xlsx", nil)
		if x.status != 200 || !strings.HasPrefix(x.body, "PK") || !strings.Contains(x.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("XLSX export: %d %v", x.status, x.header)
		}
		empty := s.upload("/p/qicheng/members/import", "empty.csv", "")
		checkPage(t, empty)
		if empty.status != 422 || !strings.Contains(empty.body, `data-test="error"`) {
			t.Fatalf("an empty file: %d", empty.status)
		}
	})
}
