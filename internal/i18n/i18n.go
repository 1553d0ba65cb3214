// Package i18n holds kox's texts in zh-CN and en, by stable code: the codes
// of domain errors (task.full) and of invalid fields (length), each with the
// {name} parameters the error carries (see package fault). It picks a
// language from a person's setting, else their browser's Accept-Language,
// and renders an error in it. Both catalogs hold every key (a test fails on
// a key in one and not the other, or with other parameters, and on a code
// the source uses that neither holds).
package i18n

import (
	"embed"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"

	"kox/internal/fault"
)

// Languages kox speaks, the default first.
var Languages = []string{"zh-CN", "en"}

// Default is the language when nothing says otherwise.
const Default = "zh-CN"

// Catalog is one language's texts: errors and fields by code, and the
// words of the web's pages by key.
type Catalog struct {
	Errors map[string]string `toml:"errors"`
	Fields map[string]string `toml:"fields"`
	Web    map[string]string `toml:"web"`
}

//go:embed locales/*.toml
var files embed.FS

var catalogs = map[string]Catalog{}

func init() {
	for _, lang := range Languages {
		c, err := load(lang)
		if err != nil {
			panic(err) // the catalogs are part of the binary; a test reads them too
		}
		catalogs[lang] = c
	}
}

func load(lang string) (Catalog, error) {
	var c Catalog
	raw, err := files.ReadFile("locales/" + lang + ".toml")
	if err != nil {
		return c, fmt.Errorf("i18n: %w", err)
	}
	if _, err := toml.Decode(string(raw), &c); err != nil {
		return c, fmt.Errorf("i18n: %s: %w", lang, err)
	}
	return c, nil
}

// CatalogOf returns a language's catalog (the default language's for one
// kox does not speak).
func CatalogOf(lang string) Catalog {
	if c, ok := catalogs[lang]; ok {
		return c
	}
	return catalogs[Default]
}

var matcher = language.NewMatcher([]language.Tag{language.MustParse("zh-CN"), language.English})

// Pick chooses the language: the person's own setting when kox speaks it,
// else the best match for the browser's Accept-Language, else Default.
func Pick(setting, acceptLanguage string) string {
	for _, l := range Languages {
		if strings.EqualFold(setting, l) {
			return l
		}
	}
	if acceptLanguage == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

// Error says err in lang: the catalog's text for its code, filled with its
// parameters; an error without a code (or a code the catalog lacks) says
// its English message, and one that is no domain error says "internal".
func Error(lang string, err error) string {
	fe, ok := fault.As(err)
	if !ok {
		return CatalogOf(lang).Errors["internal"]
	}
	if t, ok := CatalogOf(lang).Errors[fe.Code]; ok {
		return fault.Render(t, fe.Params)
	}
	return fe.Message
}

// Web says a page's word in lang. A key missing from the catalog shows as
// itself in brackets, which the tests look for on every page.
func Web(lang, key string) string {
	if t, ok := CatalogOf(lang).Web[key]; ok {
		return t
	}
	return "[" + key + "]"
}

// Field says why a field is invalid, in lang.
func Field(lang string, f fault.FieldError) string {
	if t, ok := CatalogOf(lang).Fields[f.Code]; ok {
		return fault.Render(t, f.Params)
	}
	return f.Reason
}
