package programfile_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/programfile"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func ctx() context.Context {
	return program.WithActor(context.Background(), program.System("test"))
}

// Export, apply to an empty database, export again: identical.
func TestRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		const slug = "round-trip"
		var p program.Program
		if err := d.InTx(ctx(), func(tx *db.Tx) error {
			var err error
			p, err = program.CreateTx(ctx(), tx, program.Program{Slug: slug, Name: "启程汽车 · 车主体验官计划", Description: "往返"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The default ladder with rules, and a second ladder, so the round
		// trip carries every field.
		specs := ladder.DefaultTemplate()
		specs[0].Tiers[1].Entry = &ladder.EntryRule{Match: "all", Auto: true, Criteria: []ladder.Criterion{
			{Kind: ladder.ApprovedTasks, Min: 3, Kinds: []string{"content"}}, {Kind: ladder.AverageScore, Min: 4.2}, {Kind: ladder.NoStrikes, Days: 90}}}
		specs = append(specs, ladder.LadderSpec{Key: "kos", Name: ladder.Text{Zh: "导购", En: "Sales"}, Role: "kos",
			Tiers: []ladder.TierSpec{{Key: "starter", Name: ladder.Text{Zh: "新人", En: "Starter"}, Resource: ladder.Information,
				ValueExchange: ladder.Perks, BudgetLayer: ladder.Broad, Keep: &ladder.KeepRule{InactiveDays: 60, GraceDays: 14}}}})
		templates := []task.Template{
			{Key: "ota-share", Title: "OTA 初体验", Kind: task.LightInteraction, Mode: task.Open, Capacity: 300, Reward: task.Reward{Points: 100},
				Brief: task.Brief{Hashtags: []string{"启程OTA"}}, Eligibility: task.Eligibility{Ladder: "main", MinTier: "information"}},
			{Key: "diary", Title: "26 周用车日记", Kind: task.Diary, Mode: task.Assigned, Capacity: 6, Reward: task.Reward{Points: 150, Perks: []string{"长测用车"}},
				Recurrence: &task.Recurrence{IntervalDays: 7, Count: 26}, SubmitWithinHours: 48},
		}
		if err := d.InTx(ctx(), func(tx *db.Tx) error {
			if _, err := ladder.ApplyTx(ctx(), tx, p.ID, specs); err != nil {
				return err
			}
			_, err := task.ApplyTemplatesTx(ctx(), tx, p.ID, templates)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		first := export(t, d, slug)
		if !strings.Contains(string(first), "key: ota-share") || !strings.Contains(string(first), "interval_days: 7") {
			t.Fatalf("export lacks the templates:\n%s", first)
		}

		empty := dbtest.Open(t, d.Engine)
		f, err := programfile.Parse(first)
		if err != nil {
			t.Fatal(err)
		}
		res, err := programfile.Apply(ctx(), empty, f, false)
		if err != nil || !res.Created {
			t.Fatalf("apply to an empty database: %+v %v", res, err)
		}
		second := export(t, empty, slug)
		if string(first) != string(second) {
			t.Fatalf("round trip differs:\n--- first\n%s\n--- second\n%s", first, second)
		}
		if res, err := programfile.Apply(ctx(), empty, f, false); err != nil || len(res.Changes) != 0 {
			t.Fatalf("applying again: %+v %v, want no changes", res, err)
		}
	})
}

func export(t *testing.T, d *db.DB, slug string) []byte {
	t.Helper()
	f, err := programfile.Export(ctx(), d, slug)
	if err != nil {
		t.Fatal(err)
	}
	b, err := programfile.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An invalid file is reported whole and changes nothing; a dry run changes
// nothing either.
func TestInvalidFileAndDryRunChangeNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		good := programfile.File{Program: programfile.Program{Slug: "shop", Name: "衣尚", Currency: "CNY", TimeZone: "Asia/Shanghai", Locale: "zh-CN"},
			Ladders: ladder.DefaultTemplate()}
		res, err := programfile.Apply(ctx(), d, good, true)
		if err != nil || !res.Created || len(res.Changes) != 6 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if _, err := program.BySlug(ctx(), d, "shop"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a dry run created the program: %v", err)
		}
		bad := good
		bad.Program.Locale = "fr"
		bad.Ladders = ladder.DefaultTemplate()
		bad.Ladders[0].Tiers[2].Resource = "money"
		bad.TaskTemplates = []task.Template{{Key: "x", Title: "t", Kind: "essay", Mode: task.Open, Capacity: 1,
			Eligibility: task.Eligibility{Ladder: "main", MinTier: "platinum"}}}
		_, err = programfile.Apply(ctx(), d, bad, false)
		var fields []string
		if fe, ok := err.(*fault.Error); ok {
			for _, f := range fe.Fields {
				fields = append(fields, f.Field)
			}
		}
		if !slices.Contains(fields, "program.locale") || !slices.Contains(fields, "ladders[0].tiers[2].resource") ||
			!slices.Contains(fields, "task_templates[0].kind") || !slices.Contains(fields, "task_templates[0].eligibility.min_tier") {
			t.Fatalf("invalid file: %v, want both problems named", err)
		}
		if _, err := program.BySlug(ctx(), d, "shop"); !fault.Is(err, fault.NotFound) {
			t.Fatalf("an invalid file created the program: %v", err)
		}
		if _, err := programfile.Parse([]byte("program:\n  slug: x\n  colour: red\n")); err == nil || !strings.Contains(err.Error(), "colour") {
			t.Fatalf("unknown key: %v", err)
		}
		if _, err := programfile.Parse(nil); err == nil {
			t.Fatal("an empty file parsed")
		}
	})
}
