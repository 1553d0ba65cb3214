package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"kox/internal/api"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/ladder"
	"kox/internal/program"
)

// fixture fills a route's path and body for one call, making fresh objects
// (as the owner) where the call would use them up.
type fixture func(e *env, slug string) (params map[string]string, body any)

var fixtures = map[string]fixture{
	"login":         nil, // public; tested in TestLockOutAfterWrongPasswords
	"logout":        func(*env, string) (map[string]string, any) { return nil, nil },
	"me":            func(*env, string) (map[string]string, any) { return nil, nil },
	"list-programs": func(*env, string) (map[string]string, any) { return nil, nil },
	"create-program": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"slug": fmt.Sprintf("m%d", seq.Add(1)), "name": "m"}
	},
	"get-program":    func(*env, string) (map[string]string, any) { return nil, nil },
	"update-program": func(*env, string) (map[string]string, any) { return nil, map[string]any{"description": "changed"} },
	"list-operators": func(*env, string) (map[string]string, any) { return nil, nil },
	"add-operator": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"email": fmt.Sprintf("new%d@test.kox", seq.Add(1)), "name": "New", "password": "password-123", "role": "viewer"}
	},
	"set-operator-role": func(e *env, slug string) (map[string]string, any) {
		_, id := e.operator(slug, program.RoleViewer)
		return map[string]string{"operator": id}, map[string]any{"role": "reviewer"}
	},
	"remove-operator": func(e *env, slug string) (map[string]string, any) {
		_, id := e.operator(slug, program.RoleViewer)
		return map[string]string{"operator": id}, nil
	},
	"list-api-keys":  func(*env, string) (map[string]string, any) { return nil, nil },
	"create-api-key": func(*env, string) (map[string]string, any) { return nil, map[string]any{"name": "k", "role": "viewer"} },
	"revoke-api-key": func(e *env, slug string) (map[string]string, any) {
		_, id := e.apiKey(slug, program.RoleViewer)
		return map[string]string{"key": id}, nil
	},
	"list-audit":   func(*env, string) (map[string]string, any) { return nil, nil },
	"list-members": func(*env, string) (map[string]string, any) { return nil, nil },
	"create-member": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"name": "王芳", "role": "koc", "source": "fan", "city": "上海"}
	},
	"get-member":    memberFixture(nil),
	"update-member": memberFixture(map[string]any{"city": "杭州"}),
	"add-social-account": memberFixture(func() any {
		return map[string]any{"platform": "douyin", "handle": fmt.Sprintf("h%d", seq.Add(1)), "followers": 10}
	}),
	"remove-social-account": func(e *env, slug string) (map[string]string, any) {
		m := e.member(slug, map[string]any{"social_accounts": []any{map[string]any{"platform": "weibo", "handle": fmt.Sprintf("w%d", seq.Add(1))}}})
		acc := m["social_accounts"].([]any)[0].(map[string]any)["id"].(string)
		return map[string]string{"member": m["id"].(string), "account": acc}, nil
	},
	"list-consents":       memberFixture(nil),
	"record-consent":      memberFixture(map[string]any{"kind": "content_reuse", "granted": true}),
	"list-notes":          memberFixture(nil),
	"add-note":            memberFixture(map[string]any{"body": "回复很快"}),
	"list-account-matrix": func(*env, string) (map[string]string, any) { return nil, nil },
	"add-matrix-account": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"platform": "xiaohongshu", "layer": "official", "name": "官方号", "handle": fmt.Sprintf("o%d", seq.Add(1))}
	},
	"remove-matrix-account": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"entry": e.matrixEntry(slug)}, nil
	},
	"list-ladders": func(*env, string) (map[string]string, any) { return nil, nil },
	"apply-ladders": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"ladders": ladder.DefaultTemplate()}
	},
	"member-tiers": memberFixture(nil),
	"list-tasks":   func(*env, string) (map[string]string, any) { return nil, nil },
	"create-task": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"title": "t", "kind": "content", "mode": "open", "capacity": 1}
	},
	"get-task": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"task": e.task(slug, nil)["id"].(string)}, nil
	},
	"update-task": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"task": e.draftTask(slug, nil)}, map[string]any{"title": "改", "kind": "content", "mode": "open", "capacity": 2}
	},
	"publish-task": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"task": e.draftTask(slug, nil)}, nil
	},
	"cancel-task": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"task": e.task(slug, nil)["id"].(string)}, map[string]any{"reason": "取消"}
	},
	"claim-task": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"task": e.task(slug, nil)["id"].(string)}, map[string]any{"member_id": e.activeMember(slug)}
	},
	"list-claims": func(*env, string) (map[string]string, any) { return nil, nil },
	"list-offers": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"?": "member=" + e.activeMember(slug)}, nil
	},
	"get-claim": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"claim": e.claimFor(slug, "open")}, nil
	},
	"select-applicant": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"claim": e.claimFor(slug, "apply")}, map[string]any{"accept": true}
	},
	"withdraw-claim": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"claim": e.claimFor(slug, "open")}, nil
	},
	"submit": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"claim": e.claimFor(slug, "open")}, map[string]any{"text": "作品"}
	},
	"list-submissions": func(*env, string) (map[string]string, any) { return nil, nil },
	"get-submission": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"submission": e.submissionFor(slug)}, nil
	},
	"review-submission": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"submission": e.submissionFor(slug)}, map[string]any{"decision": "approved", "score": 4}
	},
	"list-task-templates": func(*env, string) (map[string]string, any) { return nil, nil },
	"apply-task-templates": func(*env, string) (map[string]string, any) {
		return nil, map[string]any{"templates": []any{map[string]any{"key": "share", "title": "分享", "kind": "content", "mode": "open", "capacity": 5,
			"reward": map[string]any{"points": 10}, "brief": map[string]any{}, "eligibility": map[string]any{}}}}
	},
	"task-from-template": func(e *env, slug string) (map[string]string, any) {
		r := e.call("PUT", "/api/v1/programs/"+slug+"/task-templates", e.owner, map[string]any{"templates": []any{map[string]any{"key": "share",
			"title": "分享", "kind": "content", "mode": "open", "capacity": 5, "reward": map[string]any{"points": 10}, "brief": map[string]any{}, "eligibility": map[string]any{}}}})
		if r.status != 200 {
			e.t.Fatalf("templates: %d %s", r.status, r.raw)
		}
		return map[string]string{"template": "share"}, nil
	},
	"member-points":       memberFixture(nil),
	"member-card":         memberFixture(nil),
	"member-tier-history": memberFixture(nil),
	"member-activity":     memberFixture(nil),
	"get-program-file":    func(*env, string) (map[string]string, any) { return nil, nil },
	"apply-program-file": func(e *env, slug string) (map[string]string, any) {
		r := e.call("GET", "/api/v1/programs/"+slug+"/file", e.owner, nil)
		if r.status != 200 {
			e.t.Fatalf("program file: %d %s", r.status, r.raw)
		}
		return map[string]string{"?": "dry_run=true"}, r.raw
	},
	"upload-image": func(*env, string) (map[string]string, any) { return nil, tinyPNG() },
	"get-image": func(e *env, slug string) (map[string]string, any) {
		r := e.call("POST", "/api/v1/programs/"+slug+"/images", e.owner, tinyPNG())
		if r.status != 201 {
			e.t.Fatalf("upload: %d %s", r.status, r.raw)
		}
		return map[string]string{"image": r.str("ref")}, nil
	},
	"program-overview": func(*env, string) (map[string]string, any) { return nil, nil },
	"export-members":   func(*env, string) (map[string]string, any) { return nil, nil },
	"stage-member-import": func(*env, string) (map[string]string, any) {
		return map[string]string{"?": "format=csv"}, "name,role\n甲,koc\n"
	},
	"get-member-import": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"import": e.stagedImport(slug)}, nil
	},
	"apply-member-import": func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"import": e.stagedImport(slug)}, nil
	},
	"verify-card":      func(*env, string) (map[string]string, any) { return map[string]string{"number": "AAAAA-BBBBB"}, nil },
	"issue-login-code": memberFixture(nil),
	"member-login":     nil, // public; tested in TestTaskFlow
	"set-member-tier": func(e *env, slug string) (map[string]string, any) {
		m := e.member(slug, nil)
		return map[string]string{"member": m["id"].(string), "ladder": "main"}, map[string]any{"tier": "experience", "reason": "表现优秀"}
	},
}

// memberFixture makes a fresh member for each call; body is sent as is, or
// called when it is a func() any.
func memberFixture(body any) fixture {
	return func(e *env, slug string) (map[string]string, any) {
		m := e.member(slug, nil)
		b := body
		if f, ok := body.(func() any); ok {
			b = f()
		}
		return map[string]string{"member": m["id"].(string)}, b
	}
}

type caller struct {
	name     string
	token    func(fresh bool) string // fresh: a new session (logout ends the one it is given)
	role     program.Role            // "" for no role in the program
	owner    bool
	apiKey   bool
	anon     bool
	outsider bool // an operator of another program
	member   bool // a member of the program, acting on other members' objects
}

// Every route × every role, as operator and as API key, in the program and
// from another program, and without signing in: the status the permission
// table says. Other programs' objects answer 404, not 403.
func TestAuthorizationMatrix(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		slug := e.program()
		other := e.program()
		var callers []caller
		session := func(tok, email, password string) func(bool) string {
			return func(fresh bool) string {
				if fresh {
					return e.login(email, password)
				}
				return tok
			}
		}
		callers = append(callers, caller{name: "owner", owner: true, role: program.RoleAdmin, token: session(e.owner, e.ownerOp.Email, ownerPassword)})
		for _, role := range program.Roles {
			tok, id := e.operator(slug, role)
			callers = append(callers, caller{name: "operator/" + string(role), role: role, token: session(tok, emailOf(e, slug, id), "password-123")})
			secret, _ := e.apiKey(slug, role)
			callers = append(callers, caller{name: "api-key/" + string(role), role: role, apiKey: true, token: func(bool) string { return secret }})
		}
		outTok, outID := e.operator(other, program.RoleAdmin)
		callers = append(callers, caller{name: "admin of another program", outsider: true, token: session(outTok, emailOf(e, other, outID), "password-123")})
		callers = append(callers, caller{name: "anonymous", anon: true, token: func(bool) string { return "" }})
		memberID := e.activeMember(slug)
		memberTok := e.memberToken(slug, memberID)
		callers = append(callers, caller{name: "member", member: true, role: program.RoleMember, token: func(fresh bool) string {
			if fresh {
				return e.memberToken(slug, memberID)
			}
			return memberTok
		}})

		routes := e.a.API.Routes()
		checked := 0
		for _, rt := range routes {
			id := opID(e, rt)
			fx, known := fixtures[id]
			if !known {
				t.Errorf("route %s %s (%s) has no fixture in the authorization matrix", rt.Method, rt.Path, id)
				continue
			}
			if rt.Public {
				continue
			}
			for _, c := range callers {
				params, body := fx(e, slug)
				path := strings.ReplaceAll(rt.Path, "{program}", slug)
				for k, v := range params {
					path = strings.ReplaceAll(path, "{"+k+"}", v)
				}
				if query, ok := params["?"]; ok {
					path += "?" + query
				}
				want := expect(rt, c, id)
				got := e.call(rt.Method, path, c.token(id == "logout"), body)
				checked++
				if !want(got.status) {
					t.Errorf("%s %s as %s: status %d: %s", rt.Method, rt.Path, c.name, got.status, got.raw)
				}
			}
		}
		if checked < 100 {
			t.Fatalf("only %d calls checked", checked)
		}
	})
}

func expect(rt api.Route, c caller, opID string) func(int) bool {
	is := func(code int) func(int) bool { return func(s int) bool { return s == code } }
	ok := func(s int) bool { return s >= 200 && s < 300 }
	programScoped := strings.Contains(rt.Path, "{program}")
	switch {
	case c.anon:
		return is(401)
	case opID == "logout" && c.apiKey:
		return is(422)
	case c.apiKey && apiKeyExpect[opID] != 0 && program.Can(c.role, rt.Permission):
		return is(apiKeyExpect[opID])
	case opID == "logout" || opID == "me" || opID == "list-programs":
		return ok
	case rt.OwnerOnly:
		if c.owner {
			return ok
		}
		return is(403)
	case !programScoped:
		return ok
	case c.outsider:
		return is(404)
	case rt.MembersOnly && !c.member:
		return is(403)
	case c.member:
		if want, ok := memberExpect[opID]; ok {
			return is(want)
		}
		if rt.Permission == program.PermProgramRead {
			return ok
		}
		return is(403)
	case program.Can(c.role, rt.Permission):
		return ok
	}
	return is(403)
}

// What a member gets on each route where it is not the plain rule (reads
// everyone in the program may make: 200; anything else: 403). The fixtures'
// objects are other members', which a member cannot see: 404.
var memberExpect = map[string]int{
	"list-claims":         200,
	"list-submissions":    200,
	"get-claim":           404,
	"withdraw-claim":      404,
	"submit":              404,
	"get-submission":      404,
	"member-points":       404,
	"get-member":          404,
	"member-tiers":        404,
	"list-consents":       404,
	"claim-task":          403, // for another member
	"list-offers":         403, // another member's
	"member-card":         404,
	"member-tier-history": 404,
	"member-activity":     404,
	"upload-image":        201,
	"get-image":           404, // an operator's upload
}

// What an API key gets where it is not its role's: routes for people.
var apiKeyExpect = map[string]int{}

func opID(e *env, rt api.Route) string {
	op := e.a.API.OpenAPI().Paths[rt.Path]
	switch rt.Method {
	case "GET":
		return op.Get.OperationID
	case "POST":
		return op.Post.OperationID
	case "PUT":
		return op.Put.OperationID
	case "PATCH":
		return op.Patch.OperationID
	case "DELETE":
		return op.Delete.OperationID
	}
	return ""
}

func emailOf(e *env, slug, operatorID string) string {
	for _, m := range e.call("GET", "/api/v1/programs/"+slug+"/operators", e.owner, nil).items() {
		if op, _ := m["operator"].(map[string]any); op["id"] == operatorID {
			return op["email"].(string)
		}
	}
	e.t.Fatalf("operator %s not in %s", operatorID, slug)
	return ""
}

// stagedImport stages a one-member file as the owner.
func (e *env) stagedImport(slug string) string {
	r := e.call("POST", "/api/v1/programs/"+slug+"/member-imports?format=csv", e.owner, "name,role\n乙,koc\n")
	if r.status != 201 {
		e.t.Fatalf("stage an import: %d %s", r.status, r.raw)
	}
	return r.str("id")
}

// tinyPNG is a 1×1 PNG.
func tinyPNG() string {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 1, 1)))
	return b.String()
}
