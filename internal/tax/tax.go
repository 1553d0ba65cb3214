// Package tax holds the withholding rules a program pays money under
// (SPEC R10). Amounts are fen; the arithmetic is integer and exact.
package tax

import "slices"

// Rule names a withholding rule.
type Rule string

const (
	// LabourRemuneration is China's individual income tax withheld on
	// labour remuneration (劳务报酬所得预扣预缴), applied to each payment:
	//
	//   - the taxable base is the payment less ¥800 when the payment is at
	//     most ¥4,000, and 80% of the payment above ¥4,000;
	//   - the base is taxed at 20% up to ¥20,000; 30% less a quick
	//     deduction of ¥2,000 above ¥20,000 up to ¥50,000; 40% less ¥7,000
	//     above ¥50,000.
	//
	// The base is rounded to the fen (half up) first, then the tax on it;
	// a base below zero is zero. internal/tax/tax_test.go works the edges by
	// hand; docs/decisions.md records the rule.
	LabourRemuneration Rule = "cn_labour"
	// None withholds nothing (members paid by a party that withholds itself).
	None Rule = "none"
)

// Rules kox knows, the default first.
var Rules = []Rule{LabourRemuneration, None}

// Valid reports whether r is a known rule.
func Valid(r Rule) bool { return slices.Contains(Rules, r) }

// Withholding is one payment's split.
type Withholding struct {
	Gross   int64 `json:"gross"`
	Taxable int64 `json:"taxable"`
	Tax     int64 `json:"tax"`
	Net     int64 `json:"net"`
}

// Withhold splits a gross payment (fen) under the rule.
func Withhold(r Rule, gross int64) Withholding {
	w := Withholding{Gross: gross}
	if r == LabourRemuneration && gross > 0 {
		w.Taxable, w.Tax = labour(gross)
	}
	w.Net = gross - w.Tax
	return w
}

// labour is LabourRemuneration: all sums in fen.
func labour(gross int64) (base, tax int64) {
	if gross <= 400_000 {
		base = max(gross-80_000, 0)
	} else {
		base = div(gross*4, 5) // 80%, to the fen
	}
	switch {
	case base <= 2_000_000:
		tax = div(base*20, 100)
	case base <= 5_000_000:
		tax = div(base*30, 100) - 200_000
	default:
		tax = div(base*40, 100) - 700_000
	}
	return base, tax
}

// div divides non-negative a by b, rounding half up.
func div(a, b int64) int64 { return (2*a + b) / (2 * b) }
