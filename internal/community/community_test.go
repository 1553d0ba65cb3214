package community_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"kox/internal/apptest"
	"kox/internal/community"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// An operator invites a member to the private community: the invitation's
// time is kept and the member told; the member answers their own, once;
// each change is audited; no one reaches another member's.
func TestInvitationAndAnswer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		start := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)
		w := apptest.New(t, d, start)
		a, b := w.Member(), w.Member()
		if got, err := w.A.Community.Get(w.Ctx, w.SC, a.PublicID); err != nil || got.Status != community.None || !got.InvitedAt.IsZero() {
			t.Fatalf("before: %+v %v", got, err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.As(a), a.PublicID, community.CommunityInput{Status: community.Joined}); apptest.Code(err) != "community.no_invitation" {
			t.Fatalf("answering no invitation: %v", err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.SC, a.PublicID, community.CommunityInput{Status: community.Invited}); apptest.Code(err) != "group:community.group_required" {
			t.Fatalf("an invitation to no group: %v", err)
		}
		got, err := w.A.Community.Set(w.Ctx, w.SC, a.PublicID, community.CommunityInput{Status: community.Invited, Group: " 车主核心群 "})
		if err != nil || got.Status != community.Invited || got.Group != "车主核心群" || !got.InvitedAt.Equal(start) || !got.Answerable() {
			t.Fatalf("invite: %+v %v", got, err)
		}
		if _, err := w.A.Notify.Dispatch(w.Ctx); err != nil {
			t.Fatal(err)
		}
		inbox, _, err := w.A.Notify.Inbox(w.Ctx, w.As(a), "zh-CN", 0, 10)
		if err != nil || inbox.Unread != 1 || inbox.Items[0].Kind != "community_invited" || !strings.Contains(inbox.Items[0].Text, "车主核心群") {
			t.Fatalf("a's inbox: %+v %v", inbox, err)
		}

		// The member answers: only joined or declined, only their own.
		if _, err := w.A.Community.Set(w.Ctx, w.As(a), a.PublicID, community.CommunityInput{Status: community.Left}); apptest.Code(err) != "status:community.answer" {
			t.Fatalf("a member leaving by answer: %v", err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.As(b), a.PublicID, community.CommunityInput{Status: community.Joined}); apptest.Code(err) != "member.not_found" {
			t.Fatalf("b answered a's invitation: %v", err)
		}
		if _, err := w.A.Community.Get(w.Ctx, w.As(b), a.PublicID); apptest.Code(err) != "member.not_found" {
			t.Fatalf("b read a's: %v", err)
		}
		w.Advance(2 * time.Hour)
		got, err = w.A.Community.Set(w.Ctx, w.As(a), a.PublicID, community.CommunityInput{Status: community.Joined, Group: "别的群"})
		if err != nil || got.Status != community.Joined || got.Group != "车主核心群" || !got.AnsweredAt.Equal(start.Add(2*time.Hour)) || !got.InvitedAt.Equal(start) {
			t.Fatalf("a joins: %+v %v", got, err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.As(a), a.PublicID, community.CommunityInput{Status: community.Declined}); apptest.Code(err) != "community.no_invitation" {
			t.Fatalf("answering twice: %v", err)
		}
		if mine, err := w.A.Community.Get(w.Ctx, w.As(a), a.PublicID); err != nil || mine != got {
			t.Fatalf("a reads their own: %+v %v", mine, err)
		}

		// Operators record any status; bad input names its field and changes nothing.
		if _, err := w.A.Community.Set(w.Ctx, w.SC, a.PublicID, community.CommunityInput{Status: "vip"}); apptest.Code(err) != "status:one_of" {
			t.Fatalf("an unknown status: %v", err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.SC, a.PublicID, community.CommunityInput{Status: community.Left, Group: strings.Repeat("群", 101)}); apptest.Code(err) != "group:max_length" {
			t.Fatalf("a long group: %v", err)
		}
		if _, err := w.A.Community.Set(w.Ctx, w.Role(program.RoleViewer), a.PublicID, community.CommunityInput{Status: community.Left}); apptest.Code(err) != "auth.forbidden" {
			t.Fatalf("a viewer changed it: %v", err)
		}
		if left, err := w.A.Community.Set(w.Ctx, w.SC, a.PublicID, community.CommunityInput{Status: community.Left}); err != nil || left.Status != community.Left {
			t.Fatalf("left: %+v %v", left, err)
		}
		if _, err := w.A.Community.Get(w.Ctx, w.SC, "mem_nope"); apptest.Code(err) != "member.not_found" {
			t.Fatalf("unknown member: %v", err)
		}
		entries, _, err := w.A.Programs.AuditLog(w.Ctx, w.SC, program.AuditFilter{Action: "member.community", Limit: 10})
		if err != nil || len(entries) != 3 {
			t.Fatalf("audit: %d %v", len(entries), err)
		}
	})
}
