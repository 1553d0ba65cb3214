package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/program"
	"kox/internal/task"
)

// portalWorld is a program with two members and tasks, as the system
// made them.
type portalWorld struct {
	s       *site
	ctx     context.Context
	sc      program.Scope
	me, you member.Member
}

func newPortalWorld(t *testing.T, d *db.DB) *portalWorld {
	s := newSite(t, d)
	ctx := program.WithActor(context.Background(), program.System("test"))
	sc, err := s.a.Programs.Scope(ctx, "qicheng")
	if err != nil {
		t.Fatal(err)
	}
	w := &portalWorld{s: s, ctx: ctx, sc: sc}
	for i, name := range []string{"林小满", "周一鸣"} {
		m, err := s.a.Members.Create(ctx, sc, member.NewMember{Fields: member.Fields{Name: name, Role: member.KOC, Status: member.Active, City: "杭州"}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.me = m
		} else {
			w.you = m
		}
	}
	return w
}

func (w *portalWorld) task(t *testing.T, in task.Input) task.Task {
	t.Helper()
	tk, err := w.s.a.Tasks.Create(w.ctx, w.sc, in)
	if err == nil {
		tk, err = w.s.a.Tasks.Publish(w.ctx, w.sc, tk.PublicID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// signIn signs the member in through the portal with a fresh code, from
// the link the brand sends.
func (w *portalWorld) signIn(t *testing.T, m member.Member) {
	t.Helper()
	code, _, err := w.s.a.Members.IssueLoginCode(w.ctx, w.sc, m.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	link := w.s.do("GET", "/m/signin?code="+url.QueryEscape(code), nil)
	checkPage(t, link)
	if link.status != 200 || !strings.Contains(link.body, `value="`+code+`"`) {
		t.Fatalf("sign-in link: %d, the code is not filled in", link.status)
	}
	in := w.s.do("POST", "/m/signin", url.Values{"code": {code}})
	if in.status != 303 || in.header.Get("Location") != "/m" || !strings.Contains(in.header.Get("Set-Cookie"), "kox_member=") {
		t.Fatalf("member sign in: %d %v", in.status, in.header)
	}
}

var claimPath = regexp.MustCompile(`^/m/claims/(clm_[A-Za-z0-9]+)$`)

func TestPortalClaimSubmitAndResubmit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		s := w.s
		if p := s.do("GET", "/m", nil); p.status != 303 || p.header.Get("Location") != "/m/signin" {
			t.Fatalf("portal before signing in: %d %s", p.status, p.header.Get("Location"))
		}
		bad := s.do("POST", "/m/signin", url.Values{"code": {"AAAAA-BBBBB"}})
		checkPage(t, bad)
		if bad.status != 401 || !strings.Contains(bad.body, `data-test="error"`) {
			t.Fatalf("a wrong code: %d", bad.status)
		}
		open := w.task(t, task.Input{Title: "春季试驾分享", Kind: task.Content, Mode: task.Open, Capacity: 5, Reward: task.Reward{Points: 120},
			Brief: task.Brief{Description: "分享试驾感受", Hashtags: []string{"#启程春季试驾"}, Platforms: []string{"xiaohongshu"}}})
		w.task(t, task.Input{Title: "门店直播", Kind: task.Content, Mode: task.Open, Capacity: 5, Eligibility: task.Eligibility{Roles: []string{"kos"}}})
		w.signIn(t, w.me)

		home := s.do("GET", "/m", nil)
		checkPage(t, home)
		if home.status != 200 || !strings.Contains(home.body, "林小满") || !strings.Contains(home.body, `data-test="open-tasks">1<`) {
			t.Fatalf("home: %d %s", home.status, home.body)
		}
		list := s.do("GET", "/m/tasks", nil)
		checkPage(t, list)
		if !strings.Contains(list.body, "春季试驾分享") || !strings.Contains(list.body, "该任务面向") {
			t.Fatalf("tasks: the open one and why not the other: %s", list.body)
		}
		detail := s.do("GET", "/m/tasks/"+open.PublicID, nil)
		checkPage(t, detail)
		if !strings.Contains(detail.body, "#启程春季试驾") || !strings.Contains(detail.body, `data-test="take"`) {
			t.Fatalf("task page: %s", detail.body)
		}
		take := s.do("POST", "/m/tasks/"+open.PublicID+"/take", nil)
		m := claimPath.FindStringSubmatch(take.header.Get("Location"))
		if take.status != 303 || m == nil {
			t.Fatalf("take: %d %s", take.status, take.header.Get("Location"))
		}
		claim := m[1]
		again := s.do("POST", "/m/tasks/"+open.PublicID+"/take", nil)
		if again.status != 409 {
			t.Fatalf("taking it twice: %d", again.status)
		}

		// A bad link comes back on the form with what was typed.
		badPost := s.do("POST", "/m/claims/"+claim+"/submit", url.Values{"post_platform": {"xiaohongshu"}, "post_url": {"not a link"}, "text": {"我的分享"}})
		checkPage(t, badPost)
		if badPost.status != 422 || !strings.Contains(badPost.body, `data-test="error"`) || !strings.Contains(badPost.body, "我的分享") {
			t.Fatalf("bad link: %d %s", badPost.status, badPost.body)
		}
		if xs, _, _ := s.a.Tasks.Submissions(w.ctx, w.sc, task.SubmissionFilter{Claim: claim, Limit: 5}); len(xs) != 0 {
			t.Fatal("a refused hand-in wrote a submission")
		}
		sent := s.do("POST", "/m/claims/"+claim+"/submit", url.Values{"post_platform": {"xiaohongshu", "douyin", "weibo"},
			"post_url": {"https://www.xiaohongshu.com/explore/65f1a2b3c4d5e6f7a8b9c0d1", "https://www.douyin.com/video/7300000000000000001", ""},
			"text":     {"#启程春季试驾 很稳"}})
		if sent.status != 303 {
			t.Fatalf("submit: %d %s", sent.status, sent.body)
		}
		xs, _, err := s.a.Tasks.Submissions(w.ctx, w.sc, task.SubmissionFilter{Claim: claim, Limit: 5})
		if err != nil || len(xs) != 1 || len(xs[0].Posts) != 2 {
			t.Fatalf("submission: %+v %v, want two posts", xs, err)
		}
		if _, err := s.a.Tasks.Review(w.ctx, w.sc, xs[0].PublicID, "changes_requested", 0, "请补充续航数据"); err != nil {
			t.Fatal(err)
		}
		page := s.do("GET", "/m/claims/"+claim, nil)
		checkPage(t, page)
		if !strings.Contains(page.body, "请补充续航数据") || !strings.Contains(page.body, `data-test="submit-form"`) {
			t.Fatalf("the feedback and the form to hand in again: %s", page.body)
		}
		if p := s.do("POST", "/m/claims/"+claim+"/submit", url.Values{"post_platform": {"xiaohongshu"},
			"post_url": {"https://www.xiaohongshu.com/explore/65f1a2b3c4d5e6f7a8b9c0d2"}, "text": {"续航 520 公里"}}); p.status != 303 {
			t.Fatalf("resubmit: %d", p.status)
		}
		xs, _, _ = s.a.Tasks.Submissions(w.ctx, w.sc, task.SubmissionFilter{Claim: claim, Status: "pending", Limit: 5})
		if len(xs) != 1 {
			t.Fatalf("pending after resubmitting: %d", len(xs))
		}
		if _, err := s.a.Tasks.Review(w.ctx, w.sc, xs[0].PublicID, "approved", 5, ""); err != nil {
			t.Fatal(err)
		}
		pts := s.do("GET", "/m/points", nil)
		checkPage(t, pts)
		if !strings.Contains(pts.body, `data-test="balance">120<`) {
			t.Fatalf("points after approval: %s", pts.body)
		}
		if home := s.do("GET", "/m", nil); !strings.Contains(home.body, `data-test="points">120<`) {
			t.Fatalf("home points: %s", home.body)
		}

		// Another member's claim is not there for me.
		yours, err := s.a.Tasks.Take(w.ctx, w.sc, open.PublicID, w.you.PublicID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/m/claims/" + yours.PublicID, "/m/no-such-page"} {
			if got := s.do("GET", p, nil); got.status != 404 {
				t.Errorf("%s: %d, want 404", p, got.status)
			}
		}
		if got := s.do("POST", "/m/claims/"+yours.PublicID+"/submit", url.Values{"text": {"冒名"}}); got.status != 404 {
			t.Errorf("submitting on another's claim: %d, want 404", got.status)
		}
		// The console does not take a member's session.
		if got := s.do("GET", "/p/qicheng/members", nil); got.status != 303 {
			t.Errorf("console with only a member's session: %d", got.status)
		}
		out := s.do("POST", "/m/signout", nil)
		if out.status != 303 || s.do("GET", "/m", nil).status != 303 {
			t.Fatalf("sign out: %d", out.status)
		}
	})
}

// Home lists every task I am working on, however many tasks were published
// after it.
func TestPortalHomeListsEveryTaskInProgress(t *testing.T) {
	w := newPortalWorld(t, dbtest.Open(t, db.SQLite))
	old := w.task(t, task.Input{Title: "最早的任务", Kind: task.Content, Mode: task.Open, Capacity: 5})
	if _, err := w.s.a.Tasks.Take(w.ctx, w.sc, old.PublicID, w.me.PublicID); err != nil {
		t.Fatal(err)
	}
	for i := range 55 {
		w.task(t, task.Input{Title: "新任务" + strconv.Itoa(i), Kind: task.Content, Mode: task.Open, Capacity: 5})
	}
	w.signIn(t, w.me)
	if p := w.s.do("GET", "/m", nil); !strings.Contains(p.body, "最早的任务") {
		t.Fatal("home lacks my task in progress")
	}
}

// approved is a piece of m's work, approved with a 5: a task of its own
// taken, handed in (with its reach) and reviewed.
func (w *portalWorld) approved(t *testing.T, m member.Member, title string, reach int64) task.Submission {
	t.Helper()
	tk := w.task(t, task.Input{Title: title, Kind: task.Content, Mode: task.Open, Capacity: 5, Reward: task.Reward{Points: 10}})
	c, err := w.s.a.Tasks.Take(w.ctx, w.sc, tk.PublicID, m.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := w.s.a.Tasks.Submit(w.ctx, w.sc, c.PublicID, task.SubmissionInput{Text: "作品", Reach: reach})
	if err == nil {
		sub, err = w.s.a.Tasks.Review(w.ctx, w.sc, sub.PublicID, "approved", 5, "好")
	}
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
