package i18n

import "testing"

func TestMoneyIsExactAndInTheLocalesForm(t *testing.T) {
	for _, c := range []struct {
		lang, cur string
		fen       int64
		want      string
	}{
		{"zh-CN", "CNY", 123450, "¥1,234.50"},
		{"en", "CNY", 123450, "¥1,234.50"},
		{"en", "CNY", 5, "¥0.05"},
		{"zh-CN", "CNY", -100000001, "-¥1,000,000.01"},
		{"en", "USD", 99, "$0.99"},
		{"en", "XYZ", 100, "XYZ 1.00"},
		{"en", "CNY", 9007199254740993, "¥90,071,992,547,409.93"}, // past float64's exact integers
	} {
		if got := Money(c.lang, c.cur, c.fen); got != c.want {
			t.Errorf("Money(%s, %s, %d) = %q, want %q", c.lang, c.cur, c.fen, got, c.want)
		}
	}
	if got := Number("zh-CN", 1234567); got != "1,234,567" {
		t.Errorf("Number = %q", got)
	}
}

func TestParseMoneyIsExact(t *testing.T) {
	for in, want := range map[string]int64{"1,234.5": 123450, "¥20": 2000, "0.05": 5, "": 0, " 7 ": 700, "0.1": 10, "19.99": 1999} {
		if got, ok := ParseMoney(in); !ok || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"1.234", "abc", "-5", "1e3", "1.", ".5", "12345678901234"} {
		if _, ok := ParseMoney(in); ok {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
}
