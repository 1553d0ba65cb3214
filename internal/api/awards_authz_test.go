package api_test

import (
	"fmt"

	"kox/internal/award"
)

func init() {
	for id, fx := range map[string]fixture{
		"list-awards":  func(*env, string) (map[string]string, any) { return nil, nil },
		"create-award": func(*env, string) (map[string]string, any) { return nil, honoraryBody() },
		"get-award": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"award": e.award(slug)}, nil
		},
		"award-candidates": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"award": e.award(slug)}, nil
		},
		"add-award-winner": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"award": e.award(slug)}, map[string]any{"member": e.activeMember(slug), "citation": "三年陪伴", "prize_kind": "none"}
		},
		"member-honours": memberFixture(nil),
		"honour-wall":    func(*env, string) (map[string]string, any) { return nil, nil },
	} {
		fixtures[id] = fx
	}
	memberExpect["member-honours"] = 404 // another member's
}

// honoraryBody is a fresh honorary title (titles of a year are unique).
func honoraryBody() map[string]any {
	return map[string]any{"kind": "honorary", "period": "2026", "title_zh": fmt.Sprintf("荣誉顾问 %d", seq.Add(1))}
}

// award is a fresh honorary title of the program.
func (e *env) award(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	a, err := e.a.Awards.Create(ctx, sc, award.RoundInput{Kind: award.Honorary, Period: "2026", TitleZh: fmt.Sprintf("荣誉顾问 %d", seq.Add(1))})
	if err != nil {
		e.t.Fatal(err)
	}
	return a.PublicID
}
