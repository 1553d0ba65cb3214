// Package programfile is program-as-code (SPEC L2): a program, its ladders
// and tiers written as one YAML file, applied to a database (creating or
// updating, all or nothing) and exported back, so that a program can be
// reviewed, versioned and copied like code.
package programfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/ladder"
	"kox/internal/program"
	"kox/internal/task"
)

// File is a program file.
type File struct {
	Program       Program             `yaml:"program"`
	Ladders       []ladder.LadderSpec `yaml:"ladders"`
	TaskTemplates []task.Template     `yaml:"task_templates,omitempty"`
}

// Program is the program's own settings in a file.
type Program struct {
	Slug        string `yaml:"slug"`
	Name        string `yaml:"name"`
	Currency    string `yaml:"currency"`
	TimeZone    string `yaml:"time_zone"`
	Locale      string `yaml:"locale"`
	Description string `yaml:"description,omitempty"`
}

// Parse reads a program file strictly: an unknown key is an error, so that a
// typo cannot pass for a setting.
func Parse(data []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("the file is empty")
		}
		return File{}, fault.Field("file", "yaml", "{error}", fault.P{"error": err.Error()})
	}
	return f, nil
}

// Marshal writes a program file.
func Marshal(f File) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# kox program file: kox program apply FILE creates or updates the program to match it.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// Result is what an apply did, or would do.
type Result struct {
	Created bool
	Changes []string
}

var errDryRun = errors.New("dry run")

// Apply makes the database match the file in one transaction: the program is
// created when its slug is new, else updated; its ladders are applied by key.
// An invalid file changes nothing. With dryRun, it reports the changes and
// rolls them back.
func Apply(ctx context.Context, d *db.DB, f File, dryRun bool) (Result, error) {
	if err := Validate(f); err != nil {
		return Result{}, err
	}
	var res Result
	err := d.InTx(ctx, func(tx *db.Tx) error {
		res = Result{}
		p, err := program.BySlugTx(ctx, tx, f.Program.Slug)
		spec := program.Program{Slug: f.Program.Slug, Name: f.Program.Name, Currency: f.Program.Currency,
			TimeZone: f.Program.TimeZone, Locale: f.Program.Locale, Description: f.Program.Description}
		switch {
		case fault.Is(err, fault.NotFound):
			if p, err = program.CreateTx(ctx, tx, spec); err != nil {
				return prefixed("program", err)
			}
			res.Created = true
			res.Changes = append(res.Changes, "+ program "+p.Slug)
		case err != nil:
			return err
		default:
			_, changed, err := program.UpdateTx(ctx, tx, p.ID, program.Patch{Name: &spec.Name, Currency: &spec.Currency,
				TimeZone: &spec.TimeZone, Locale: &spec.Locale, Description: &spec.Description})
			if err != nil {
				return prefixed("program", err)
			}
			if changed {
				res.Changes = append(res.Changes, "~ program "+p.Slug)
			}
		}
		changes, err := ladder.ApplyTx(ctx, tx, p.ID, f.Ladders)
		if err != nil {
			return err
		}
		for _, c := range changes {
			res.Changes = append(res.Changes, c.String())
		}
		tchanges, err := task.ApplyTemplatesTx(ctx, tx, p.ID, f.TaskTemplates)
		if err != nil {
			return err
		}
		res.Changes = append(res.Changes, tchanges...)
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	return res, err
}

// Validate checks the whole file and names every problem at once.
func Validate(f File) error {
	var all fault.Fields
	collect := func(err error) error {
		var fe *fault.Error
		if errors.As(err, &fe) {
			all = append(all, fe.Fields...)
			return nil
		}
		return err
	}
	p := program.Program{Slug: f.Program.Slug, Name: f.Program.Name, Currency: f.Program.Currency,
		TimeZone: f.Program.TimeZone, Locale: f.Program.Locale, Description: f.Program.Description}
	if err := collect(prefixed("program", p.Normalize())); err != nil {
		return err
	}
	if err := collect(ladder.Validate(f.Ladders)); err != nil {
		return err
	}
	// Templates are checked against the file's ladders, not the database's.
	ls := make([]ladder.Ladder, len(f.Ladders))
	for i, spec := range f.Ladders {
		ls[i] = ladder.Ladder{Key: spec.Key, Name: spec.Name, Role: spec.Role}
		for _, t := range spec.Tiers {
			ls[i].Tiers = append(ls[i].Tiers, ladder.Tier{TierSpec: t})
		}
	}
	if err := collect(task.ValidateTemplates(f.TaskTemplates, ls)); err != nil {
		return err
	}
	return all.Err()
}

// prefixed names a program's invalid fields as they stand in the file.
func prefixed(at string, err error) error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		for i := range fe.Fields {
			if !strings.Contains(fe.Fields[i].Field, ".") {
				fe.Fields[i].Field = at + "." + fe.Fields[i].Field
			}
		}
	}
	return err
}

// Export writes the program with the slug as a program file.
func Export(ctx context.Context, d *db.DB, slug string) (File, error) {
	var f File
	err := d.InTx(ctx, func(tx *db.Tx) error {
		p, err := program.BySlugTx(ctx, tx, slug)
		if err != nil {
			return err
		}
		f.Program = Program{Slug: p.Slug, Name: p.Name, Currency: p.Currency, TimeZone: p.TimeZone, Locale: p.Locale, Description: p.Description}
		ls, err := ladder.LoadTx(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		f.Ladders = make([]ladder.LadderSpec, len(ls))
		for i, l := range ls {
			f.Ladders[i] = l.Spec()
		}
		f.TaskTemplates, err = task.LoadTemplatesTx(ctx, tx, p.ID)
		return err
	})
	if err != nil {
		return File{}, fmt.Errorf("export %s: %w", slug, err)
	}
	return f, nil
}
