package i18n

import (
	"fmt"

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
