package api_test

import (
	"kox/internal/catalog"
	"kox/internal/db"
	"kox/internal/kit"
)

func init() {
	for id, fx := range map[string]fixture{
		"list-kits": func(*env, string) (map[string]string, any) { return nil, nil },
		"add-kit": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"occasion": "welcome", "item": e.item(slug, "virtual")}
		},
		"set-kit-active": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"kit": e.kit(slug)}, map[string]any{"active": false}
		},
		"issue-kits":      func(*env, string) (map[string]string, any) { return nil, nil },
		"list-kit-issues": func(*env, string) (map[string]string, any) { return nil, nil },
		"set-redemption-address": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"redemption": e.unaddressed(slug)}, map[string]any{"name": "林", "phone": "13800000000", "address": "杭州市西湖区"}
		},
		"get-member-community": memberFixture(nil),
		"set-member-community": memberFixture(map[string]any{"status": "invited", "group": "车主核心群"}),
	} {
		fixtures[id] = fx
	}
	memberExpect["list-kit-issues"] = 200 // their own
	memberExpect["set-redemption-address"] = 404
	memberExpect["get-member-community"] = 404 // another member's
	memberExpect["set-member-community"] = 404
}

// kit is a fresh welcome kit of the program.
func (e *env) kit(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	k, err := e.a.Kits.Add(ctx, sc, kit.KitInput{Occasion: kit.Welcome, Item: e.item(slug, "virtual")})
	if err != nil {
		e.t.Fatal(err)
	}
	return k.PublicID
}

// unaddressed is another member's gift of merchandise, waiting for an
// address.
func (e *env) unaddressed(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	item, memberRef := e.item(slug, "merchandise"), e.activeMember(slug)
	var ref string
	if err := e.a.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		ref, err = e.a.Catalog.GiftTx(ctx, tx, sc, catalog.RedeemInput{Item: item, Member: memberRef})
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return ref
}
