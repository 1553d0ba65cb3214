// Command testreport reads `go test -json` on standard input and prints, as
// the run goes, one line per package; at the end, the output of every failed
// test and how many tests passed, failed and were skipped on each database
// engine. A test belongs to an engine when a part of its name is "sqlite" or
// "postgres" (dbtest.Run names subtests so). Exits 1 when anything failed, or
// when -require-postgres is set and a PostgreSQL test was skipped.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type tally struct{ passed, failed, skipped int }

func main() {
	requirePG := flag.Bool("require-postgres", false, "fail when any PostgreSQL test was skipped")
	flag.Parse()
	os.Exit(report(os.Stdin, os.Stdout, *requirePG))
}

func report(in io.Reader, out io.Writer, requirePG bool) int {
	final := map[string]string{}     // package + test → pass, fail, skip
	output := map[string][]string{}  // package + test → lines
	started := map[string][]string{} // package → its tests in the order they began
	var order []string
	pkgFailed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // build errors come as plain text
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "run":
			started[e.Package] = append(started[e.Package], key)
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				status := map[string]string{"pass": "ok  ", "fail": "FAIL", "skip": "?   "}[e.Action]
				fmt.Fprintf(out, "%s %s %.1fs\n", status, e.Package, e.Elapsed)
				if e.Action == "fail" {
					pkgFailed = true
					if !hasFailedTest(final, e.Package) {
						fmt.Fprint(out, strings.Join(output[key], ""))
					}
					// A package that timed out or crashed leaves the tests
					// it was running without an end: they are what to read.
					for _, k := range started[e.Package] {
						if _, ended := final[k]; !ended {
							lines := output[k]
							if len(lines) > 200 {
								lines = lines[len(lines)-200:]
							}
							fmt.Fprintf(out, "\n--- UNFINISHED: %s (%s)\n%s", strings.SplitN(k, "\x00", 2)[1], e.Package, strings.Join(lines, ""))
						}
					}
				}
				continue
			}
			if _, seen := final[key]; !seen {
				order = append(order, key)
			}
			final[key] = e.Action
		}
	}
	// Count leaves only: a test with subtests passes when they do.
	parent := map[string]bool{}
	for key := range final {
		if i := strings.LastIndex(key, "/"); i > 0 {
			for k := key[:i]; ; {
				parent[k] = true
				j := strings.LastIndex(k, "/")
				if j < 0 || j < strings.Index(k, "\x00") {
					break
				}
				k = k[:j]
			}
		}
	}
	engines := map[string]*tally{"sqlite": {}, "postgres": {}, "no database": {}}
	var total tally
	var failures []string
	for _, key := range order {
		if parent[key] {
			continue
		}
		eng := "no database"
		for _, part := range strings.Split(strings.SplitN(key, "\x00", 2)[1], "/") {
			if part == "sqlite" || part == "postgres" {
				eng = part
			}
		}
		t := engines[eng]
		switch final[key] {
		case "pass":
			t.passed++
			total.passed++
		case "fail":
			t.failed++
			total.failed++
			failures = append(failures, key)
		case "skip":
			t.skipped++
			total.skipped++
		}
	}
	sort.Strings(failures)
	for _, key := range failures {
		pkg, test, _ := strings.Cut(key, "\x00")
		fmt.Fprintf(out, "\n--- FAIL: %s (%s)\n%s", test, pkg, strings.Join(output[key], ""))
	}
	fmt.Fprintln(out)
	for _, name := range []string{"sqlite", "postgres", "no database"} {
		t := engines[name]
		fmt.Fprintf(out, "%-12s %4d passed, %d failed, %d skipped\n", name+":", t.passed, t.failed, t.skipped)
	}
	fmt.Fprintf(out, "total: %d passed, %d failed, %d skipped\n", total.passed, total.failed, total.skipped)
	code := 0
	if total.failed > 0 || pkgFailed {
		code = 1
	}
	if requirePG && engines["postgres"].skipped > 0 {
		fmt.Fprintf(out, "FAIL: %d PostgreSQL tests were skipped, but PostgreSQL was configured\n", engines["postgres"].skipped)
		code = 1
	}
	if total.passed == 0 {
		fmt.Fprintln(out, "FAIL: no test ran")
		code = 1
	}
	return code
}

func hasFailedTest(final map[string]string, pkg string) bool {
	for key, action := range final {
		if action == "fail" && strings.HasPrefix(key, pkg+"\x00") {
			return true
		}
	}
	return false
}
