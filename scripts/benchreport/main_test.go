package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportPairsFiguresWithTheirBaselines(t *testing.T) {
	in := `BenchmarkLedger/sqlite/single-2        3124    428426 ns/op    2000 ops/s
BenchmarkLedger/sqlite/single-2        3124    428426 ns/op    3000 ops/s
BenchmarkLedger/sqlite/single-2        3124    428426 ns/op    9000 ops/s
BenchmarkBaseline/sqlite/single-2      6241    175483 ns/op    5000 ops/s
BenchmarkLedger/sqlite/uncontended-64-2   10000  1 ns/op  1000 ops/s
BenchmarkLedger/sqlite/hot-account-64-2   10000  1 ns/op  200 ops/s
`
	var out bytes.Buffer
	if err := write(strings.NewReader(in), &out, "15", "abc"); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"| single transfers, one caller | 3000 | plain insert, 1 row per transaction | 5000 | 0.60 | ≥ 0.50 | met |",
		"| 64 callers, one hot account | 200 | the same 64 callers on their own accounts | 1000 | 0.20 | ≥ 0.25 | **missed** |",
		"| batches of 1,000 | – |",
		"Targets missed: 1.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
}
