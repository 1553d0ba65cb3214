package i18n

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Number writes n in the language's form (1,234 in both of kox's).
func Number(lang string, n int64) string {
	return message.NewPrinter(language.Make(lang)).Sprintf("%d", n)
}

// symbols are the currencies' signs; an unknown currency shows its code.
var symbols = map[string]string{"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥"}

// Money writes an amount in fen (hundredths) of the currency in the
// language's form: ¥1,234.50. Integer arithmetic only: money is exact.
func Money(lang, currency string, fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	sym, ok := symbols[currency]
	if !ok {
		sym = currency + " "
	}
	return fmt.Sprintf("%s%s%s.%02d", sign, sym, Number(lang, fen/100), fen%100)
}

// ParseMoney reads an amount typed in yuan ("1,234.5", "¥20", "0.05") into
// fen, exactly: digits only, at most two after the point. ok is false for
// anything else (a form says so on the field).
func ParseMoney(s string) (fen int64, ok bool) {
	s = strings.TrimSpace(s)
	for _, sym := range []string{"¥", "￥", "$", "€"} {
		s = strings.TrimPrefix(s, sym)
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), "，", "")
	if s == "" {
		return 0, true
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "0")[:2], 10, 64)
	}
	return w*100 + f, true
}
