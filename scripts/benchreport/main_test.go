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
BenchmarkHTTP/sqlite/baseline-2         	       1	 849709770 ns/op	      2000 req/s
BenchmarkHTTP/sqlite/claims-spread-2    	       1	2640081346 ns/op	       400.0 req/s
BenchmarkHTTP/sqlite/claims-hot-2       	       1	2846803834 ns/op	       300 req/s
BenchmarkHTTP/sqlite/flash-crowd-2         	       1	4040904221 ns/op	      1131 claim-p50-ms	       255.5 claims/s	      3196 refusal-p50-ms	         9.278 refusal/claim	      2370 refusals/s	      2495 req/s
BenchmarkEvaluation/sqlite-2         	       1	11402600982 ns/op	       650.5 aggregate-ms	      1133 evaluation-ms
BenchmarkHTTP/sqlite/half-load-2        	       1	6981332946 ns/op	       814.8 capacity-req/s	         10.0 half-load-p99-ms	         2.5 half/lone	         2.0 lone-p99-ms
`
	var out bytes.Buffer
	if err := write(strings.NewReader(in), &out, "15", "abc"); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"| single transfers, one caller | 3000 ops/s | plain insert, 1 row per transaction | 5000 ops/s | 0.60 | ≥ 0.50 | met |",
		"| 64 callers, one hot account | 200 ops/s | the same 64 callers on their own accounts | 1000 ops/s | 0.20 |  |  |",
		"| batches of 1,000 | – |",
		"| claims, 2,000 members on one task | 300 req/s | the same claims spread over 100 tasks | 400 req/s | 0.75 | ≥ 0.50 | met |",
		"| claims spread over 100 tasks | 400 req/s | an endpoint that inserts one row per request | 2000 req/s | 0.20 | ≥ 0.25 | **missed** |",
		"| flash crowd: refusals of the full task | 2370 refusals/s | claims answered until the last slot went | 256 claims/s | 9.28 | ≥ 5.00 | met |",
		"| p99 of a claim at half the capacity | 10.0 ms | p99 of a lone claim | 2.0 ms | 5.00 | ≤ 4.00 | **missed** |",
		"| weighing 100,000 members against a rule of four criteria | 1133.0 ms | a plain aggregate over the same rows and columns | 650.5 ms | 1.74 | ≤ 2.00 | met |",
		"Targets missed: 2.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
}
