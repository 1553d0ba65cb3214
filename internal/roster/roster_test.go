package roster_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kox/internal/app"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/roster"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func world(t *testing.T, d *db.DB) (*app.App, context.Context, program.Scope) {
	a := app.Assemble(app.Config{Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, d)
	t.Cleanup(a.Ledger.Close)
	ctx := program.WithActor(context.Background(), program.System("test"))
	if _, err := a.Programs.Create(ctx, program.Program{Slug: "qicheng", Name: "启程"}); err != nil {
		t.Fatal(err)
	}
	sc, err := a.Programs.Scope(ctx, "qicheng")
	if err != nil {
		t.Fatal(err)
	}
	return a, ctx, sc
}

// file is n members as rows, with the rows bad names (1-based among the
// members) broken: a role kox does not know.
func file(n int, bad map[int]bool, phones string) [][]string {
	rows := [][]string{roster.Columns}
	for i := 1; i <= n; i++ {
		role, source := "koc", "fan"
		if bad[i] {
			role, source = "fan", "" // a source for a role
		}
		rows = append(rows, []string{fmt.Sprintf("车主%05d", i), fmt.Sprintf("%s%08d", phones, i), "", role, source, "public", "浙江", "杭州", "active", "露营|自驾"})
	}
	return rows
}

func csvOf(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

func xlsxOf(t *testing.T, rows [][]string) []byte {
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func count(t *testing.T, d *db.DB) int {
	var n int
	if err := d.R.QueryRow(`SELECT count(*) FROM members`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A 10,000-row file with a few bad rows: every error named by row and
// column, nothing written, and applying it refused; the fixed file goes in
// whole. For CSV and for XLSX.
func TestImportTenThousandAllOrNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a, ctx, sc := world(t, d)
		r := &roster.Service{DB: d, Members: a.Members}
		bad := map[int]bool{17: true, 4242: true, 9999: true}
		for _, f := range []struct {
			format roster.Format
			phones string
			data   func([][]string) []byte
		}{{roster.CSV, "138", csvOf}, {roster.XLSX, "139", func(rows [][]string) []byte { return xlsxOf(t, rows) }}} {
			before := count(t, d)
			imp, err := r.Stage(ctx, sc, "members."+string(f.format), f.format, f.data(file(10000, bad, f.phones)))
			if err != nil {
				t.Fatal(err)
			}
			if imp.Rows != 10000 || len(imp.Errors) != 3 || imp.Ready() {
				t.Fatalf("%s: %d rows, errors %+v", f.format, imp.Rows, imp.Errors)
			}
			for i, want := range []int{18, 4243, 10000} {
				if e := imp.Errors[i]; e.Row != want || e.Column != "role" || e.Code != "one_of" {
					t.Errorf("%s: error %d: %+v, want row %d, column role", f.format, i, e, want)
				}
			}
			if _, err := r.Apply(ctx, sc, imp.ID); fault.KindOf(err) != fault.Conflict {
				t.Fatalf("%s: applying a file with errors: %v", f.format, err)
			}
			if got := count(t, d); got != before {
				t.Fatalf("%s: %d members written from a file with errors", f.format, got-before)
			}
			if f.format == roster.XLSX {
				// The CSV's phones, now members'.
				imp, err := r.Stage(ctx, sc, "again.xlsx", f.format, f.data(file(10000, nil, "138")))
				if err != nil || len(imp.Errors) != 10000 || imp.Errors[0].Code != "import.phone_taken" {
					t.Fatalf("phones already members': %d errors, %v", len(imp.Errors), err)
				}
			}
			fixed, err := r.Stage(ctx, sc, "fixed."+string(f.format), f.format, f.data(file(10000, nil, f.phones)))
			if err != nil || !fixed.Ready() {
				t.Fatalf("the fixed file: %+v %v", fixed.Errors, err)
			}
			if _, err := r.Apply(ctx, sc, fixed.ID); err != nil {
				t.Fatal(err)
			}
			if got := count(t, d); got != before+10000 {
				t.Fatalf("applied: %d members, want 10000", got-before)
			}
			if _, err := r.Apply(ctx, sc, fixed.ID); fault.KindOf(err) != fault.Conflict {
				t.Fatalf("applying twice: %v", err)
			}
		}
	})
}

// A CSV saved by Excel in Chinese (GB18030, Chinese headings) reads.
func TestImportGB18030WithChineseHeadings(t *testing.T) {
	a, ctx, sc := world(t, dbtest.Open(t, db.SQLite))
	r := &roster.Service{DB: a.DB, Members: a.Members}
	text := "姓名,手机,角色,城市,标签\n林小满,13800000001,koc,杭州,露营、自驾\n周一鸣,13800000002,kos,上海,\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := r.Stage(ctx, sc, "名单.csv", roster.CSV, []byte(gb))
	if err != nil || !imp.Ready() || imp.Rows != 2 || imp.Sample[0].Name != "林小满" || imp.Sample[0].City != "杭州" || len(imp.Sample[0].Tags) != 2 {
		t.Fatalf("GB18030: %+v %v", imp, err)
	}
}

// Exported cells that a spreadsheet would take for a formula come out as
// text, and come back in as they were.
func TestExportKeepsFormulasText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		a, ctx, sc := world(t, d)
		r := &roster.Service{DB: d, Members: a.Members}
		names := []string{`=HYPERLINK("http://evil.example","点我")`, "+861380000", "@SUM(A1)", "-1+2", "林小满"}
		for _, n := range names {
			if _, err := a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: n, Role: member.KOC, City: "杭州"}}); err != nil {
				t.Fatal(err)
			}
		}
		var c bytes.Buffer
		if err := r.Export(ctx, sc, member.Filter{}, roster.CSV, &c); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(c.Bytes(), []byte("\uFEFF")) {
			t.Fatal("the CSV has no BOM: Excel would garble the Chinese")
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Bytes(), []byte("\uFEFF")))).ReadAll()
		if err != nil || len(rows) != 6 {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		for _, r := range rows[1:] {
			if strings.ContainsRune("=+-@", rune(r[0][0])) {
				t.Errorf("CSV cell %q starts a formula", r[0])
			}
		}
		var x bytes.Buffer
		if err := r.Export(ctx, sc, member.Filter{}, roster.XLSX, &x); err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= 6; i++ {
			cell := fmt.Sprintf("A%d", i)
			f, _ := book.GetCellFormula("Sheet1", cell)
			typ, _ := book.GetCellType("Sheet1", cell)
			v, _ := book.GetCellValue("Sheet1", cell)
			if f != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
				t.Errorf("XLSX %s = %q: formula %q, type %v; want text", cell, v, f, typ)
			}
		}
		// Both come back in as they went out.
		for _, format := range roster.Formats {
			var b bytes.Buffer
			if err := r.Export(ctx, sc, member.Filter{}, format, &b); err != nil {
				t.Fatal(err)
			}
			imp, err := r.Stage(ctx, sc, "back", format, b.Bytes())
			if err != nil || imp.Rows != 5 {
				t.Fatalf("%s back in: %v", format, err)
			}
			got := map[string]bool{}
			for _, m := range imp.Sample {
				got[m.Name] = true
			}
			for _, n := range names {
				if !got[n] {
					t.Errorf("%s: %q did not come back as it was: %v", format, n, got)
				}
			}
		}
	})
}
