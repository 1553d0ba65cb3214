package program_test

import (
	"context"
	"os"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func TestCreateProgram(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		create := func(p program.Program) (program.Program, error) {
			var out program.Program
			err := d.InTx(ctx, func(tx *db.Tx) error {
				var err error
				out, err = program.CreateTx(ctx, tx, p)
				return err
			})
			return out, err
		}
		p, err := create(program.Program{Slug: "qicheng", Name: "启程汽车"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Currency != "CNY" || p.TimeZone != "Asia/Shanghai" || p.Locale != "zh-CN" || !pubid.Valid("prg", p.PublicID) {
			t.Fatalf("defaults: %+v", p)
		}
		got, err := program.BySlug(ctx, d, "qicheng")
		if err != nil || got != p {
			t.Fatalf("BySlug = %+v, %v; want %+v", got, err, p)
		}
		_, err = create(program.Program{Slug: "qicheng", Name: "again"})
		var fe *fault.Error
		if e, ok := err.(*fault.Error); !ok || e.Kind != fault.Invalid || e.Fields[0].Field != "slug" {
			t.Fatalf("duplicate slug: %v", err)
		}
		_, err = create(program.Program{Slug: "X", Name: "", Currency: "yuan", TimeZone: "Mars/Base", Locale: "fr"})
		fe, _ = err.(*fault.Error)
		if fe == nil || len(fe.Fields) != 5 {
			t.Fatalf("bad program: %v, want five invalid fields", err)
		}
		if _, err := program.BySlug(ctx, d, "nope"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("BySlug(nope) = %v", err)
		}
	})
}
