package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

// Both faces of the relationship rung: an operator seats a member of the
// top rung (a term left out is named on the form); another member raises
// feedback in the portal, the operator declines it without a reason (the
// note is named) and then adopts it, and the member reads the answer that
// no other member reaches; a session invites the sitting council, the
// councillor answers in the portal and reads the minutes; the councillor,
// made the newcomer's mentor, writes on their work and nominates them.
func TestCouncilOnBothFaces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		if _, err := w.s.a.Ladders.SetTier(w.ctx, w.sc, w.me.PublicID, "main", "relationship", "顾问"); err != nil {
			t.Fatal(err)
		}
		op := w.s.teammate("qicheng", program.RoleOperator)
		cp := op.do("GET", "/p/qicheng/council", nil)
		checkPage(t, cp)
		if !strings.Contains(cp.body, `data-test="appoint-form"`) || !strings.Contains(cp.body, w.me.Name) || strings.Contains(cp.body, ">"+w.you.Name+"<") {
			t.Fatalf("the appoint form offers the top rung only: %s", cp.body)
		}
		today := time.Now().In(w.sc.Program.Location())
		if r := op.do("POST", "/p/qicheng/council/seats", url.Values{"member": {w.me.PublicID}, "term_from": {today.Format(time.DateOnly)}}); r.status != 422 ||
			!strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("no term end: %d", r.status)
		}
		if r := op.do("POST", "/p/qicheng/council/seats", url.Values{"member": {w.me.PublicID}, "role": {"chair"}, "term_from": {today.Format(time.DateOnly)},
			"term_to": {today.AddDate(1, 0, -1).Format(time.DateOnly)}}); r.status != 303 {
			t.Fatalf("appoint: %d %s", r.status, r.body)
		}
		if cp = op.do("GET", "/p/qicheng/council", nil); !strings.Contains(cp.body, "在任") || !strings.Contains(cp.body, "主席") {
			t.Fatalf("the sitting chair: %s", cp.body)
		}

		w.signIn(t, w.you)
		if r := w.s.do("POST", "/m/feedback", url.Values{"title": {""}}); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("no title: %d", r.status)
		}
		raised := w.s.do("POST", "/m/feedback", url.Values{"title": {"希望增加儿童座椅提醒"}, "body": {"接送孩子时常忘记"}})
		if raised.status != 303 {
			t.Fatalf("raise: %d %s", raised.status, raised.body)
		}
		itemPage := strings.Split(raised.header.Get("Location"), "?")[0]
		ref := itemPage[strings.LastIndex(itemPage, "/")+1:]
		ip := w.s.do("GET", raised.header.Get("Location"), nil)
		checkPage(t, ip)
		if !strings.Contains(ip.body, "新提出") || !strings.Contains(ip.body, "接送孩子时常忘记") {
			t.Fatalf("my new item: %s", ip.body)
		}
		w.s.do("POST", "/m/signout", nil)

		queue := op.do("GET", "/p/qicheng/feedback", nil)
		checkPage(t, queue)
		if !strings.Contains(queue.body, "希望增加儿童座椅提醒") {
			t.Fatal("the new item is not in the queue")
		}
		if r := op.do("POST", "/p/qicheng/feedback/"+ref+"/answer", url.Values{"status": {"declined"}}); r.status != 422 || !strings.Contains(r.body, "请说明不采纳的原因") {
			t.Fatalf("decline without a reason: %d", r.status)
		}
		if r := op.do("POST", "/p/qicheng/feedback/"+ref+"/answer", url.Values{"status": {"adopted"}, "note": {"将在 OTA 3.2 上线"}}); r.status != 303 {
			t.Fatalf("adopt: %d %s", r.status, r.body)
		}
		if r := w.s.teammate("qicheng", program.RoleReviewer).do("POST", "/p/qicheng/feedback/"+ref+"/answer", url.Values{"status": {"heard"}}); r.status != 404 {
			t.Fatalf("a reviewer answers: %d", r.status)
		}

		w.signIn(t, w.me)
		if r := w.s.do("GET", "/m/feedback/"+ref, nil); r.status != 404 {
			t.Fatalf("another member's item: %d", r.status)
		}
		w.s.do("POST", "/m/signout", nil)
		w.signIn(t, w.you)
		mine := w.s.do("GET", "/m/feedback", nil)
		checkPage(t, mine)
		if !strings.Contains(mine.body, "已采纳") || !strings.Contains(mine.body, "将在 OTA 3.2 上线") {
			t.Fatalf("my adopted item: %s", mine.body)
		}
		w.s.do("POST", "/m/signout", nil)

		made := op.do("POST", "/p/qicheng/council/sessions", url.Values{"title": {"座舱 2.0 闭门会"}, "agenda": {"语音助手"}, "place": {"上海总部 12F"},
			"starts_at": {today.Add(72 * time.Hour).Format("2006-01-02T15:04")}, "council": {"1"}})
		if made.status != 303 {
			t.Fatalf("session: %d %s", made.status, made.body)
		}
		sessionPage := strings.Split(made.header.Get("Location"), "?")[0]
		sid := sessionPage[strings.LastIndex(sessionPage, "/")+1:]
		sp := op.do("GET", sessionPage, nil)
		checkPage(t, sp)
		if !strings.Contains(sp.body, w.me.Name) || !strings.Contains(sp.body, `data-test="minutes-form"`) {
			t.Fatalf("the session invites the council: %s", sp.body)
		}
		w.signIn(t, w.you)
		if r := w.s.do("POST", "/m/council/sessions/"+sid+"/answer", url.Values{"answer": {"yes"}}); r.status != 404 {
			t.Fatalf("answer a session I am not invited to: %d", r.status)
		}
		w.s.do("POST", "/m/signout", nil)
		w.signIn(t, w.me)
		mc := w.s.do("GET", "/m/council", nil)
		checkPage(t, mc)
		if !strings.Contains(mc.body, `data-test="answer-yes"`) {
			t.Fatalf("my invitation: %s", mc.body)
		}
		if r := w.s.do("POST", "/m/council/sessions/"+sid+"/answer", url.Values{"answer": {"yes"}}); r.status != 303 {
			t.Fatalf("answer: %d %s", r.status, r.body)
		}
		if r := op.do("POST", sessionPage+"/minutes", url.Values{"minutes": {"唤醒词可自定义，下一版上线"}}); r.status != 303 {
			t.Fatalf("minutes: %d %s", r.status, r.body)
		}
		if mc = w.s.do("GET", "/m/council", nil); !strings.Contains(mc.body, "唤醒词可自定义，下一版上线") || strings.Contains(mc.body, `data-test="answer-yes"`) {
			t.Fatalf("the minutes, answers closed: %s", mc.body)
		}

		paired := op.do("POST", "/p/qicheng/mentors", url.Values{"mentor": {w.me.PublicID}, "mentee": {w.you.PublicID}})
		if paired.status != 303 {
			t.Fatalf("pair: %d %s", paired.status, paired.body)
		}
		mentorPage := strings.Split(paired.header.Get("Location"), "?")[0]
		mid := mentorPage[strings.LastIndex(mentorPage, "/")+1:]
		sub := w.approved(t, w.you, "首次提车体验", 800)
		mp := w.s.do("GET", "/m/mentorships/"+mid, nil)
		checkPage(t, mp)
		if !strings.Contains(mp.body, "首次提车体验") || !strings.Contains(mp.body, `data-test="nominate-form"`) {
			t.Fatalf("the mentor's page: %s", mp.body)
		}
		if r := w.s.do("POST", "/m/mentorships/"+mid+"/notes", url.Values{"body": {"开头先讲续航焦虑的消失"}, "submission": {sub.PublicID}}); r.status != 303 {
			t.Fatalf("note: %d %s", r.status, r.body)
		}
		if r := w.s.do("POST", "/m/mentorships/"+mid+"/nominate", url.Values{"tier": {"main/experience"}, "reason": {""}}); r.status != 422 {
			t.Fatalf("a nomination without its reason: %d", r.status)
		}
		if r := w.s.do("POST", "/m/mentorships/"+mid+"/nominate", url.Values{"tier": {"main/experience"}, "reason": {"作品真实"}}); r.status != 303 {
			t.Fatalf("nominate: %d %s", r.status, r.body)
		}
		w.s.do("POST", "/m/signout", nil)
		w.signIn(t, w.you)
		mp = w.s.do("GET", "/m/mentorships/"+mid, nil)
		if !strings.Contains(mp.body, "开头先讲续航焦虑的消失") || strings.Contains(mp.body, `data-test="nominate-form"`) {
			t.Fatalf("the newcomer's page: %s", mp.body)
		}
		if op := op.do("GET", mentorPage, nil); !strings.Contains(op.body, "开头先讲续航焦虑的消失") {
			t.Fatalf("the console's thread: %s", op.body)
		}
		marks, err := w.s.a.Promotion.Marks(w.ctx, w.sc, w.you.PublicID)
		if err != nil || len(marks) != 1 || marks[0].Reason != "作品真实" {
			t.Fatalf("the nomination: %+v %v", marks, err)
		}
	})
}
