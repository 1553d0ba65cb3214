package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"kox/internal/fault"
)

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

func params(s string) string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// Both catalogs hold the same keys with the same parameters, and none is
// empty.
func TestCatalogsMatch(t *testing.T) {
	en, zh := CatalogOf("en"), CatalogOf("zh-CN")
	for _, part := range []struct {
		name   string
		en, zh map[string]string
	}{{"errors", en.Errors, zh.Errors}, {"fields", en.Fields, zh.Fields}, {"web", en.Web, zh.Web}} {
		if len(part.en) < 5 {
			t.Fatalf("%s: only %d keys in en", part.name, len(part.en))
		}
		for k, v := range part.en {
			z, ok := part.zh[k]
			switch {
			case !ok:
				t.Errorf("%s.%s is in en and not in zh-CN", part.name, k)
			case strings.TrimSpace(v) == "" || strings.TrimSpace(z) == "":
				t.Errorf("%s.%s is empty in a catalog", part.name, k)
			case params(v) != params(z):
				t.Errorf("%s.%s: en names {%s}, zh-CN {%s}", part.name, k, params(v), params(z))
			}
		}
		for k := range part.zh {
			if _, ok := part.en[k]; !ok {
				t.Errorf("%s.%s is in zh-CN and not in en", part.name, k)
			}
		}
	}
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// Every code the source gives an error or a field has a text in the
// catalogs: the source is read for fault.New, fault.Wrap, fault.Field,
// Fields.Add and the Fields helpers.
func TestEveryCodeIsTranslated(t *testing.T) {
	errs, fields := map[string]string{}, map[string]string{}
	for _, code := range []string{"required", "length", "max_length", "max_items", "one_of", "range", "url"} {
		fields[code] = "a Fields helper"
	}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "scripts" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			lit := func(i int) (string, bool) {
				if i >= len(c.Args) {
					return "", false
				}
				b, ok := c.Args[i].(*ast.BasicLit)
				if !ok || b.Kind != token.STRING {
					return "", false
				}
				s, _ := strconv.Unquote(b.Value)
				return s, true
			}
			name := ""
			switch fn := c.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "fault" {
					name = "fault." + name
				}
			case *ast.Ident:
				name = fn.Name
			}
			where := p
			switch name {
			case "fault.New":
				if code, ok := lit(1); ok {
					errs[code] = where
				}
			case "fault.Wrap":
				if code, ok := lit(2); ok {
					errs[code] = where
				}
			case "fault.Field":
				if code, ok := lit(1); ok {
					fields[code] = where
				}
			case "Add":
				// Fields.Add(field, code, reason, …): three or more
				// arguments, the code and reason as literals.
				code, ok1 := lit(1)
				_, ok2 := lit(2)
				if ok1 && ok2 && codeRE.MatchString(code) {
					fields[code] = where
				}
			default:
				// A helper that makes an error from a code and its message,
				// such as task's no(code, message, params).
				code, ok1 := lit(0)
				msg, ok2 := lit(1)
				if ok1 && ok2 && strings.Contains(code, ".") && codeRE.MatchString(code) && strings.Contains(msg, " ") {
					errs[code] = where
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 40 || len(fields) < 20 {
		t.Fatalf("read %d error codes and %d field codes: too few, the reading is broken", len(errs), len(fields))
	}
	for _, lang := range Languages {
		c := CatalogOf(lang)
		for code, where := range errs {
			if _, ok := c.Errors[code]; !ok {
				t.Errorf("%s: error code %s (%s) has no text", lang, code, where)
			}
		}
		for code, where := range fields {
			if _, ok := c.Fields[code]; !ok {
				t.Errorf("%s: field code %s (%s) has no text", lang, code, where)
			}
		}
	}
}

func TestPick(t *testing.T) {
	cases := []struct{ setting, accept, want string }{
		{"en", "zh-CN,zh;q=0.9", "en"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "zh-TW,zh;q=0.8", "zh-CN"},
		{"", "fr-FR", "zh-CN"},
		{"", "", "zh-CN"},
		{"fr", "en", "en"},
		{"", "garbage;;", "zh-CN"},
	}
	for _, c := range cases {
		if got := Pick(c.setting, c.accept); got != c.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", c.setting, c.accept, got, c.want)
		}
	}
}

func TestErrorsInBothLanguages(t *testing.T) {
	err := fault.New(fault.LimitExceeded, "task.full", "the task is full: all {capacity} slots are taken", fault.P{"capacity": 50})
	if got := Error("zh-CN", err); got != "任务已满：50 个名额都已被领取" {
		t.Errorf("zh-CN: %q", got)
	}
	if got := Error("en", err); got != "the task is full: all 50 slots are taken" {
		t.Errorf("en: %q", got)
	}
	f := fault.FieldError{Field: "title", Code: "length", Params: fault.P{"min": 1, "max": 200}}
	if got := Field("zh-CN", f); got != "长度须为 1 到 200 个字符" {
		t.Errorf("field: %q", got)
	}
	if got := Error("en", fault.New(fault.Conflict, "no.such_code", "as written")); got != "as written" {
		t.Errorf("unknown code: %q", got)
	}
}

var webKey = regexp.MustCompile(`\bT\((?:q\.)?ctx, "([a-z_.]+)"\)`)

// Every word a page asks for by key is in both catalogs.
func TestEveryWebKeyIsTranslated(t *testing.T) {
	seen := 0
	err := filepath.WalkDir(filepath.Join("..", "web"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".templ") || strings.HasSuffix(p, ".go")) || strings.HasSuffix(p, "_templ.go") {
			return err
		}
		raw, err := fs.ReadFile(os.DirFS(filepath.Dir(p)), filepath.Base(p))
		if err != nil {
			return err
		}
		for _, m := range webKey.FindAllStringSubmatch(string(raw), -1) {
			seen++
			for _, lang := range Languages {
				if _, ok := CatalogOf(lang).Web[m[1]]; !ok {
					t.Errorf("%s: %s asks for %q, which %s lacks", p, m[0], m[1], lang)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("found %d keys in the web's files: the reading is broken", seen)
	}
}
