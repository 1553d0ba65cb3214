package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportCountsLeavesPerEngine(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"pass","Package":"p","Test":"TestA/sqlite"}`,
		`{"Action":"skip","Package":"p","Test":"TestA/postgres"}`,
		`{"Action":"pass","Package":"p","Test":"TestA"}`,
		`{"Action":"pass","Package":"p","Test":"TestB/postgres/group-commit"}`,
		`{"Action":"pass","Package":"p","Test":"TestB/postgres"}`,
		`{"Action":"pass","Package":"p","Test":"TestB"}`,
		`{"Action":"output","Package":"p","Test":"TestC","Output":"boom\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestC"}`,
		`{"Action":"fail","Package":"p"}`,
	}, "\n")
	var out bytes.Buffer
	code := report(strings.NewReader(in), &out, true)
	s := out.String()
	for _, want := range []string{
		"sqlite:         1 passed, 0 failed, 0 skipped",
		"postgres:       1 passed, 0 failed, 1 skipped",
		"no database:    0 passed, 1 failed, 0 skipped",
		"total: 2 passed, 1 failed, 1 skipped",
		"--- FAIL: TestC (p)\nboom",
		"PostgreSQL tests were skipped",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}

func TestReportPassesClean(t *testing.T) {
	var out bytes.Buffer
	code := report(strings.NewReader(`{"Action":"pass","Package":"p","Test":"TestA/sqlite"}`+"\n"+`{"Action":"pass","Package":"p","Elapsed":1}`), &out, false)
	if code != 0 || !strings.Contains(out.String(), "total: 1 passed, 0 failed, 0 skipped") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

// A package that times out ends with no end for the test it was running;
// that test's output is printed (before, the report showed only "FAIL").
func TestReportShowsTheTestsATimeoutCut(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestDone"}`,
		`{"Action":"pass","Package":"p","Test":"TestDone"}`,
		`{"Action":"run","Package":"p","Test":"TestStuck"}`,
		`{"Action":"output","Package":"p","Test":"TestStuck","Output":"waiting on kox\n"}`,
		`{"Action":"output","Package":"p","Test":"TestStuck","Output":"panic: test timed out after 30m0s\n"}`,
		`{"Action":"fail","Package":"p","Elapsed":1800}`,
	}, "\n")
	var out bytes.Buffer
	code := report(strings.NewReader(in), &out, false)
	s := out.String()
	if code != 1 || !strings.Contains(s, "--- UNFINISHED: TestStuck (p)\nwaiting on kox\npanic: test timed out") || strings.Contains(s, "UNFINISHED: TestDone") {
		t.Fatalf("exit %d:\n%s", code, s)
	}
}
