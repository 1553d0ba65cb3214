// Package components holds the web's templ components: the page shell and
// the few parts every page is made of, so that the console and the portal
// look like one product. Every word comes from the i18n catalogs, in the
// reader's language.
package components

import (
	"context"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"kox/internal/i18n"
)

type langKey struct{}

// WithLang puts the reader's language in ctx.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// Lang is the reader's language.
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return i18n.Default
}

// T says the catalog's web text for key in the reader's language.
func T(ctx context.Context, key string) string { return i18n.Web(Lang(ctx), key) }

// Other is the language a switch offers.
func Other(ctx context.Context) string {
	if Lang(ctx) == "en" {
		return "zh-CN"
	}
	return "en"
}

func itoa(i int) string { return strconv.Itoa(i) }

// switchURL is the language switch's address: the other language, and this
// page to come back to.
func switchURL(ctx context.Context, here string) templ.SafeURL {
	return templ.SafeURL("/lang?to=" + url.QueryEscape(Other(ctx)) + "&back=" + url.QueryEscape(here))
}

// honourIcon is the Icon of an award's kind.
func honourIcon(kind string) string {
	switch kind {
	case "monthly_best":
		return "trophy"
	case "quarterly_star":
		return "star"
	}
	return "medal"
}
