package council_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/council"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/member"
	"kox/internal/task"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// 23:30 on 1 June in Shanghai, the programs' default zone: the local day
// turns half an hour later.
var start = time.Date(2026, 6, 1, 15, 30, 0, 0, time.UTC)

func advisor(t *testing.T, w *apptest.World) member.Member {
	t.Helper()
	m := w.Member()
	if _, err := w.A.Ladders.SetTier(w.Ctx, w.SC, m.PublicID, "main", "relationship", "顾问"); err != nil {
		t.Fatal(err)
	}
	return m
}

// kinds are the kinds of the member's notices about subject, sorted.
func kinds(t *testing.T, w *apptest.World, m member.Member, subject string) []string {
	t.Helper()
	if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
		t.Fatal(err)
	}
	in, _, err := w.A.Notify.Inbox(w.Ctx, w.As(m), "zh-CN", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range in.Items {
		if n.Subject == subject {
			out = append(out, n.Kind)
		}
	}
	slices.Sort(out)
	return out
}

func want(t *testing.T, err error, code string) {
	t.Helper()
	if got := apptest.Code(err); got != code {
		t.Fatalf("error %q (%v), want %q", got, err, code)
	}
}

// Seats go to members of the top rung, one at a time each, and sit from
// the first day of their term on the program's calendar: a member reads
// only the council sitting today.
func TestCouncilSeatsSitByTheLocalDay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start)
		chair, newcomer := advisor(t, w), w.Member()
		_, err := w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: newcomer.PublicID, TermFrom: "2026-06-02", TermTo: "2027-06-01"})
		want(t, err, "council.tier")
		_, err = w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: chair.PublicID, TermFrom: "2026-06-02", TermTo: "2026-05-01"})
		want(t, err, "term_to:council.term")
		_, err = w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: "mem_nobody", TermFrom: "2026-06-02", TermTo: "2027-06-01"})
		want(t, err, "member:event.member_unknown")
		_, err = w.A.Council.Appoint(w.Ctx, w.As(chair), council.CouncilSeatInput{Member: chair.PublicID, TermFrom: "2026-06-02", TermTo: "2027-06-01"})
		want(t, err, "auth.forbidden")

		seat, err := w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: chair.PublicID, Role: "chair", TermFrom: "2026-06-02", TermTo: "2027-06-01"})
		if err != nil {
			t.Fatal(err)
		}
		if seat.Sitting || seat.Role != "chair" || seat.MemberName != chair.Name {
			t.Fatalf("at 23:30 the day before its term: %+v", seat)
		}
		_, err = w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: chair.PublicID, TermFrom: "2027-01-01", TermTo: "2027-12-31"})
		want(t, err, "council.seated")
		if xs, err := w.A.Council.Seats(w.Ctx, w.As(newcomer)); err != nil || len(xs) != 0 {
			t.Fatalf("members read the sitting council only, none yet: %v %v", xs, err)
		}

		w.Advance(31 * time.Minute) // 00:01 on 2 June in Shanghai
		xs, err := w.A.Council.Seats(w.Ctx, w.As(newcomer))
		if err != nil || len(xs) != 1 || !xs[0].Sitting || xs[0].PublicID != seat.PublicID {
			t.Fatalf("the chair sits from the first local day: %+v %v", xs, err)
		}
		ended, err := w.A.Council.EndSeat(w.Ctx, w.SC, seat.PublicID)
		if err != nil || ended.Sitting || ended.EndedOn != "2026-06-02" {
			t.Fatalf("ended today: %+v %v", ended, err)
		}
		_, err = w.A.Council.EndSeat(w.Ctx, w.SC, seat.PublicID)
		want(t, err, "council.seat_over")
		_, err = w.A.Council.EndSeat(w.Ctx, w.SC, "seat_nothing")
		want(t, err, "council.seat_not_found")
		if all, err := w.A.Council.Seats(w.Ctx, w.SC); err != nil || len(all) != 1 {
			t.Fatalf("operators read every seat: %v %v", all, err)
		}
		// With the seat given up, a new term may begin.
		if _, err := w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: chair.PublicID, TermFrom: "2026-07-01", TermTo: "2027-06-30"}); err != nil {
			t.Fatal(err)
		}
	})
}

// A session invites the sitting council and the members named; invitees
// answer until it is held, read its minutes after; no one else sees it.
func TestSessionInvitesAnswersAndMinutes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start.Add(time.Hour))
		a, b, guest, outsider := advisor(t, w), advisor(t, w), w.Member(), w.Member()
		for _, m := range []member.Member{a, b} {
			if _, err := w.A.Council.Appoint(w.Ctx, w.SC, council.CouncilSeatInput{Member: m.PublicID, TermFrom: "2026-06-01", TermTo: "2027-05-31"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := w.A.Council.CreateSession(w.Ctx, w.SC, council.CouncilSessionInput{Title: "座舱 2.0 闭门会", StartsAt: start.Add(72 * time.Hour)})
		want(t, err, "invite:council.no_invitees")
		_, err = w.A.Council.CreateSession(w.Ctx, w.SC, council.CouncilSessionInput{Title: " ", StartsAt: start, Council: true})
		want(t, err, "title:length")
		s, err := w.A.Council.CreateSession(w.Ctx, w.SC, council.CouncilSessionInput{Title: "座舱 2.0 闭门会", Agenda: "一、语音助手\n二、座椅", Place: "上海总部 12F",
			StartsAt: start.Add(72 * time.Hour), Council: true, Invite: []string{guest.PublicID, a.PublicID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Invitees) != 3 || s.Status != council.Scheduled {
			t.Fatalf("the council of two and a guest, once each: %+v", s)
		}
		if f, err := w.A.Council.Figures(w.Ctx, w.SC); err != nil || f.Sitting != 2 || f.Scheduled != 1 {
			t.Fatalf("figures: %+v %v", f, err)
		}
		if k := kinds(t, w, guest, s.PublicID); len(k) != 1 || k[0] != "council_invited" {
			t.Fatalf("the guest's invitation: %v", k)
		}
		if k := kinds(t, w, outsider, s.PublicID); len(k) != 0 {
			t.Fatalf("an outsider told: %v", k)
		}
		off, err := w.A.Council.CreateSession(w.Ctx, w.SC, council.CouncilSessionInput{Title: "改期的会", StartsAt: start.Add(96 * time.Hour), Invite: []string{guest.PublicID}})
		if err == nil {
			_, err = w.A.Council.CancelSession(w.Ctx, w.SC, off.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		if k := kinds(t, w, guest, off.PublicID); len(k) != 2 || k[0] != "council_cancelled" || k[1] != "council_invited" {
			t.Fatalf("the guest told of the session called off: %v", k)
		}
		if _, err := w.A.Council.Session(w.Ctx, w.As(outsider), s.PublicID); apptest.Code(err) != "council.session_not_found" {
			t.Fatalf("an outsider reads it: %v", err)
		}
		if xs, err := w.A.Council.Sessions(w.Ctx, w.As(outsider)); err != nil || len(xs) != 0 {
			t.Fatalf("an outsider lists it: %v %v", xs, err)
		}
		_, err = w.A.Council.RSVP(w.Ctx, w.As(outsider), s.PublicID, "", "yes")
		want(t, err, "council.session_not_found")
		_, err = w.A.Council.RSVP(w.Ctx, w.As(guest), s.PublicID, "", "maybe")
		want(t, err, "answer:one_of")
		_, err = w.A.Council.RSVP(w.Ctx, w.SC, s.PublicID, "", "yes")
		want(t, err, "member:required")
		_, err = w.A.Council.RSVP(w.Ctx, w.SC, s.PublicID, outsider.PublicID, "yes")
		want(t, err, "council.session_not_found")
		got, err := w.A.Council.RSVP(w.Ctx, w.As(guest), s.PublicID, "", "yes")
		if err != nil || got.Answer != "yes" {
			t.Fatalf("the guest's answer: %+v %v", got, err)
		}
		// b told the team on WeCom; an operator records it.
		if _, err := w.A.Council.RSVP(w.Ctx, w.SC, s.PublicID, b.PublicID, "no"); err != nil {
			t.Fatal(err)
		}
		_, err = w.A.Council.Hold(w.Ctx, w.SC, s.PublicID, "")
		want(t, err, "minutes:length")
		_, err = w.A.Council.Hold(w.Ctx, w.Role("reviewer"), s.PublicID, "纪要")
		want(t, err, "auth.forbidden")
		held, err := w.A.Council.Hold(w.Ctx, w.SC, s.PublicID, "语音助手唤醒词改为可自定义。")
		if err != nil || held.Status != council.Held || held.HeldAt.IsZero() {
			t.Fatalf("held: %+v %v", held, err)
		}
		_, err = w.A.Council.RSVP(w.Ctx, w.As(a), s.PublicID, "", "yes")
		want(t, err, "council.session_closed")
		_, err = w.A.Council.CancelSession(w.Ctx, w.SC, s.PublicID)
		want(t, err, "council.session_closed")
		mine, err := w.A.Council.Session(w.Ctx, w.As(guest), s.PublicID)
		if err != nil || mine.Minutes != "语音助手唤醒词改为可自定义。" || mine.Answer != "yes" {
			t.Fatalf("the guest reads the minutes: %+v %v", mine, err)
		}
		answers := map[string]string{}
		for _, i := range mine.Invitees {
			answers[i.Member] = i.Answer
		}
		if answers[guest.PublicID] != "yes" || answers[b.PublicID] != "no" || answers[a.PublicID] != "pending" {
			t.Fatalf("answers: %v", answers)
		}
	})
}

// A member's feedback item is theirs (and a session's its invitees'):
// anyone else is told it does not exist. Each answer reaches them, and a
// declined item says why.
func TestFeedbackItemsAreTheirMembers(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start.Add(time.Hour))
		a, b, c := w.Member(), w.Member(), advisor(t, w)
		_, err := w.A.Council.Raise(w.Ctx, w.As(a), council.FeedbackInput{Title: ""})
		want(t, err, "title:length")
		it, err := w.A.Council.Raise(w.Ctx, w.As(a), council.FeedbackInput{Title: "希望增加儿童座椅提醒", Body: "接送孩子时常忘记"})
		if err != nil || it.Status != council.New || it.Member != a.PublicID {
			t.Fatalf("raised: %+v %v", it, err)
		}
		if _, err := w.A.Council.Item(w.Ctx, w.As(b), it.PublicID); apptest.Code(err) != "council.item_not_found" {
			t.Fatalf("another member reads it: %v", err)
		}
		if xs, err := w.A.Council.Items(w.Ctx, w.As(b), council.ItemFilter{}); err != nil || len(xs) != 0 {
			t.Fatalf("another member lists it: %v %v", xs, err)
		}
		_, err = w.A.Council.Answer(w.Ctx, w.SC, it.PublicID, council.Declined, "")
		want(t, err, "note:council.decline_reason")
		_, err = w.A.Council.Answer(w.Ctx, w.SC, it.PublicID, council.New, "")
		want(t, err, "status:one_of")
		_, err = w.A.Council.Answer(w.Ctx, w.As(a), it.PublicID, council.Adopted, "")
		want(t, err, "auth.forbidden")
		_, err = w.A.Council.Answer(w.Ctx, w.SC, "fb_nothing", council.Heard, "")
		want(t, err, "council.item_not_found")
		for _, st := range []string{council.Heard, council.Considered, council.Adopted} {
			if it, err = w.A.Council.Answer(w.Ctx, w.SC, it.PublicID, st, "已转交座舱团队"); err != nil || it.Status != st {
				t.Fatalf("%s: %+v %v", st, it, err)
			}
		}
		mine, err := w.A.Council.Item(w.Ctx, w.As(a), it.PublicID)
		if err != nil || mine.Status != council.Adopted || mine.Note != "已转交座舱团队" {
			t.Fatalf("the member reads the answer: %+v %v", mine, err)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		in, _, err := w.A.Notify.Inbox(w.Ctx, w.As(a), "zh-CN", 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, n := range in.Items {
			if n.Kind == "feedback_updated" && n.Subject == it.PublicID {
				told++
			}
		}
		if told != 3 {
			t.Fatalf("three answers, %d notices: %+v", told, in.Items)
		}

		// From a session: its invitees read it, and only they.
		s, err := w.A.Council.CreateSession(w.Ctx, w.SC, council.CouncilSessionInput{Title: "闭门会", StartsAt: start, Invite: []string{c.PublicID}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.A.Council.Raise(w.Ctx, w.SC, council.FeedbackInput{Title: "无主"})
		want(t, err, "session:council.item_whose")
		_, err = w.A.Council.Raise(w.Ctx, w.SC, council.FeedbackInput{Title: "无主", Session: "ses_nothing"})
		want(t, err, "session:council.session_unknown")
		si, err := w.A.Council.Raise(w.Ctx, w.SC, council.FeedbackInput{Title: "语音助手唤醒词可自定义", Session: s.PublicID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.A.Council.Answer(w.Ctx, w.SC, si.PublicID, council.Declined, "与安全规范冲突"); err != nil {
			t.Fatal(err)
		}
		if got, err := w.A.Council.Item(w.Ctx, w.As(c), si.PublicID); err != nil || got.Status != council.Declined || got.SessionTitle != "闭门会" {
			t.Fatalf("the invitee reads the session's item: %+v %v", got, err)
		}
		if _, err := w.A.Council.Item(w.Ctx, w.As(a), si.PublicID); apptest.Code(err) != "council.item_not_found" {
			t.Fatalf("a member not invited reads it: %v", err)
		}
		xs, err := w.A.Council.Items(w.Ctx, w.SC, council.ItemFilter{Status: council.Declined})
		if err != nil || len(xs) != 1 || xs[0].PublicID != si.PublicID {
			t.Fatalf("operators filter by status: %+v %v", xs, err)
		}
		_, err = w.A.Council.Items(w.Ctx, w.SC, council.ItemFilter{Status: "lost"})
		want(t, err, "status:one_of")
	})
}

// A mentor of the top rung coaches one newcomer in a thread on their
// submissions and nominates them; no one else reads the thread.
func TestMentorCoachesAndNominates(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := apptest.New(t, d, start.Add(time.Hour))
		mentor, other, newcomer, stranger := advisor(t, w), advisor(t, w), w.Member(), w.Member()
		_, err := w.A.Council.Pair(w.Ctx, w.SC, stranger.PublicID, newcomer.PublicID)
		want(t, err, "council.tier")
		_, err = w.A.Council.Pair(w.Ctx, w.SC, mentor.PublicID, mentor.PublicID)
		want(t, err, "mentee:council.self_mentor")
		x, err := w.A.Council.Pair(w.Ctx, w.SC, mentor.PublicID, newcomer.PublicID)
		if err != nil || x.Status != "active" || x.MenteeName != newcomer.Name {
			t.Fatalf("paired: %+v %v", x, err)
		}
		_, err = w.A.Council.Pair(w.Ctx, w.SC, other.PublicID, newcomer.PublicID)
		want(t, err, "council.has_mentor")

		work := w.Approve(newcomer, task.Input{Title: "首次提车体验"}, 4, 800)
		theirs := w.Approve(stranger, task.Input{Title: "别人的作品"}, 4, 800)
		subs, err := w.A.Council.MenteeWork(w.Ctx, w.As(mentor), x.PublicID)
		if err != nil || len(subs) != 1 || subs[0].PublicID != work.PublicID {
			t.Fatalf("the mentor sees the newcomer's work: %+v %v", subs, err)
		}
		_, err = w.A.Council.Write(w.Ctx, w.As(mentor), x.PublicID, theirs.PublicID, "这篇不错")
		want(t, err, "submission:council.not_mentees")
		_, err = w.A.Council.Write(w.Ctx, w.As(mentor), x.PublicID, "", " ")
		want(t, err, "body:length")
		_, err = w.A.Council.Write(w.Ctx, w.SC, x.PublicID, "", "运营代写")
		want(t, err, "council.thread_members")
		if _, err := w.A.Council.Write(w.Ctx, w.As(mentor), x.PublicID, work.PublicID, "开头可以先讲续航焦虑的消失"); err != nil {
			t.Fatal(err)
		}
		x, err = w.A.Council.Write(w.Ctx, w.As(newcomer), x.PublicID, "", "谢谢，下一篇试试")
		if err != nil || len(x.Notes) != 2 || x.Notes[0].Submission != work.PublicID || x.Notes[1].Author != newcomer.PublicID {
			t.Fatalf("the thread: %+v %v", x.Notes, err)
		}
		for _, m := range []member.Member{other, stranger} {
			if _, err := w.A.Council.Mentorship(w.Ctx, w.As(m), x.PublicID); apptest.Code(err) != "council.mentorship_not_found" {
				t.Fatalf("%s reads the thread: %v", m.Name, err)
			}
			if xs, err := w.A.Council.Mentorships(w.Ctx, w.As(m)); err != nil || len(xs) != 0 {
				t.Fatalf("%s lists it: %v %v", m.Name, xs, err)
			}
		}
		if xs, err := w.A.Council.Mentorships(w.Ctx, w.As(newcomer)); err != nil || len(xs) != 1 {
			t.Fatalf("the newcomer lists theirs: %v %v", xs, err)
		}

		err = w.A.Council.NominateMentee(w.Ctx, w.As(newcomer), x.PublicID, "main/experience", "自荐")
		want(t, err, "council.mentor_nominates")
		err = w.A.Council.NominateMentee(w.Ctx, w.As(mentor), x.PublicID, "main/nowhere", "值得")
		want(t, err, "tier:not_found")
		if err := w.A.Council.NominateMentee(w.Ctx, w.As(mentor), x.PublicID, "main/experience", "两篇作品都很真实"); err != nil {
			t.Fatal(err)
		}
		marks, err := w.A.Promotion.Marks(w.Ctx, w.SC, newcomer.PublicID)
		if err != nil || len(marks) != 1 || marks[0].Kind != "nomination" || marks[0].Tier != "main/experience" || marks[0].Actor != "mentor "+mentor.Name {
			t.Fatalf("the nomination the promotion rules count: %+v %v", marks, err)
		}

		if _, err := w.A.Council.EndMentorship(w.Ctx, w.SC, x.PublicID); err != nil {
			t.Fatal(err)
		}
		_, err = w.A.Council.EndMentorship(w.Ctx, w.SC, x.PublicID)
		want(t, err, "council.mentorship_ended")
		_, err = w.A.Council.Write(w.Ctx, w.As(mentor), x.PublicID, "", "还在吗")
		want(t, err, "council.mentorship_ended")
		err = w.A.Council.NominateMentee(w.Ctx, w.As(mentor), x.PublicID, "main/experience", "再荐")
		want(t, err, "council.mentor_nominates")
		// Ended, the newcomer may have another mentor.
		if _, err := w.A.Council.Pair(w.Ctx, w.SC, other.PublicID, newcomer.PublicID); err != nil {
			t.Fatal(err)
		}
		if xs, _ := w.A.Council.Mentorships(w.Ctx, w.SC); len(xs) != 2 || !slices.ContainsFunc(xs, func(m council.Mentorship) bool { return m.Status == "ended" }) {
			t.Fatalf("operators list both: %+v", xs)
		}
	})
}
