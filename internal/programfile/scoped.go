package programfile

import (
	"context"
	"strings"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
)

// ApplyIn applies a program file to the program the operator is in (the
// console's editor): the file must name that program, the operator must
// be allowed to change ladders and task templates, and to change the
// program's own fields when the file changes them. With dryRun it only
// says what would change.
func ApplyIn(ctx context.Context, d *db.DB, sc program.Scope, data []byte, dryRun bool) (Result, error) {
	if err := sc.Require(program.PermLaddersWrite); err != nil {
		return Result{}, err
	}
	if err := sc.Require(program.PermTasksWrite); err != nil {
		return Result{}, err
	}
	f, err := Parse(data)
	if err != nil {
		return Result{}, err
	}
	if f.Program.Slug != sc.Program.Slug {
		return Result{}, fault.Field("program.slug", "programfile.other_program", "names program {slug}, not this one ({this})",
			fault.P{"slug": f.Program.Slug, "this": sc.Program.Slug})
	}
	preview, err := Apply(ctx, d, f, true)
	if err != nil || dryRun {
		return preview, err
	}
	for _, c := range preview.Changes {
		if strings.HasPrefix(c, "~ program ") && !program.Can(sc.Role, program.PermProgramUpdate) {
			return Result{}, fault.New(fault.Forbidden, "programfile.program_fields", "only an admin may change the program's own fields")
		}
	}
	return Apply(ctx, d, f, false)
}
