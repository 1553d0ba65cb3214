package tax

import "testing"

// Figures worked by hand (yuan): base = P − 800 up to ¥4,000, else 80% of P;
// tax = 20% of the base up to ¥20,000, 30% − 2,000 up to ¥50,000, then
// 40% − 7,000.
func TestLabourRemunerationByHand(t *testing.T) {
	for _, c := range []struct {
		name               string
		gross, base, taxed int64
	}{
		{"nothing", 0, 0, 0},
		{"below the deduction", 50_000, 0, 0},
		{"exactly ¥800", 80_000, 0, 0},
		{"¥800.01", 80_001, 1, 0},                    // base 0.01, tax 0.002 → 0.00
		{"¥803", 80_300, 300, 60},                    // base 3.00, tax 0.60
		{"¥1,000", 100_000, 20_000, 4_000},           // base 200, tax 40
		{"exactly ¥4,000", 400_000, 320_000, 64_000}, // base 3,200, tax 640
		{"¥4,000.01", 400_001, 320_001, 64_000},      // base 3,200.008 → 3,200.01; tax 640.002 → 640.00
		{"¥4,000.04", 400_004, 320_003, 64_001},      // base 3,200.032 → 3,200.03; tax 640.006 → 640.01
		{"¥5,000", 500_000, 400_000, 80_000},
		{"base exactly ¥20,000", 2_500_000, 2_000_000, 400_000},   // 20%: 4,000
		{"base ¥20,000.01", 2_500_001, 2_000_001, 400_000},        // 25,000.01 × 0.8 = 20,000.008 → .01; 30% − 2,000 = 4,000.003 → 4,000.00
		{"¥30,000", 3_000_000, 2_400_000, 520_000},                // base 24,000; 7,200 − 2,000 = 5,200
		{"base exactly ¥50,000", 6_250_000, 5_000_000, 1_300_000}, // 15,000 − 2,000 = 13,000
		{"base ¥50,000.01", 6_250_001, 5_000_001, 1_300_000},      // 40%: 20,000.004 − 7,000 = 13,000.004 → 13,000.00
		{"¥100,000", 10_000_000, 8_000_000, 2_500_000},            // 32,000 − 7,000 = 25,000
		{"odd fen", 1_234_567, 987_654, 197_531},                  // 12,345.67 × 0.8 = 9,876.536 → 9,876.54; × 0.2 = 1,975.308 → 1,975.31
	} {
		w := Withhold(LabourRemuneration, c.gross)
		if w.Taxable != c.base || w.Tax != c.taxed || w.Net != c.gross-c.taxed || w.Gross != c.gross {
			t.Errorf("%s: gross %d → base %d tax %d net %d; want base %d tax %d net %d", c.name, c.gross, w.Taxable, w.Tax, w.Net,
				c.base, c.taxed, c.gross-c.taxed)
		}
	}
}

func TestNoneWithholdsNothing(t *testing.T) {
	if w := Withhold(None, 1_000_000); w.Tax != 0 || w.Net != 1_000_000 {
		t.Fatalf("%+v", w)
	}
}

// The tax never falls when the payment grows, across every boundary.
func TestTaxNeverFallsAsPaymentGrows(t *testing.T) {
	prev := int64(0)
	for g := int64(0); g <= 8_000_000; g += 37 {
		w := Withhold(LabourRemuneration, g)
		if w.Tax < prev || w.Net < 0 {
			t.Fatalf("at %d: tax %d after %d", g, w.Tax, prev)
		}
		prev = w.Tax
	}
}
