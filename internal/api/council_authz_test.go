package api_test

import (
	"time"

	"kox/internal/council"
)

func init() {
	none := func(*env, string) (map[string]string, any) { return nil, nil }
	session := func(e *env, slug string) (map[string]string, any) {
		id, _ := e.councilSession(slug)
		return map[string]string{"session": id}, nil
	}
	mentorship := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"mentorship": e.mentorship(slug)}, nil
	}
	for id, fx := range map[string]fixture{
		"list-council-seats": none,
		"appoint-council-seat": func(e *env, slug string) (map[string]string, any) {
			from, to := term()
			return nil, map[string]any{"member": e.advisor(slug), "term_from": from, "term_to": to}
		},
		"end-council-seat": func(e *env, slug string) (map[string]string, any) {
			ctx, sc := e.scope(slug)
			from, to := term()
			x, err := e.a.Council.Appoint(ctx, sc, council.CouncilSeatInput{Member: e.advisor(slug), TermFrom: from, TermTo: to})
			if err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"seat": x.PublicID}, nil
		},
		"list-council-sessions": none,
		"create-council-session": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"title": "座舱闭门会", "starts_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339), "invite": []string{e.activeMember(slug)}}
		},
		"get-council-session": session,
		"answer-council-session": func(e *env, slug string) (map[string]string, any) {
			id, invitee := e.councilSession(slug)
			return map[string]string{"session": id}, map[string]any{"answer": "yes", "member": invitee}
		},
		"hold-council-session": func(e *env, slug string) (map[string]string, any) {
			id, _ := e.councilSession(slug)
			return map[string]string{"session": id}, map[string]any{"minutes": "唤醒词可自定义"}
		},
		"cancel-council-session": session,
		"list-feedback":          none,
		"raise-feedback": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"title": "希望增加儿童座椅提醒", "member": e.activeMember(slug)}
		},
		"get-feedback": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.feedback(slug)}, nil
		},
		"answer-feedback": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"item": e.feedback(slug)}, map[string]any{"status": "heard"}
		},
		"list-mentorships": none,
		"pair-mentor": func(e *env, slug string) (map[string]string, any) {
			return nil, map[string]any{"mentor": e.advisor(slug), "mentee": e.activeMember(slug)}
		},
		"get-mentorship": mentorship,
		"end-mentorship": mentorship,
		"mentee-work":    mentorship,
		"write-mentor-note": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"mentorship": e.mentorship(slug)}, map[string]any{"body": "开头先讲续航"}
		},
		"nominate-mentee": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"mentorship": e.mentorship(slug)}, map[string]any{"tier": "main/experience", "reason": "作品真实"}
		},
	} {
		fixtures[id] = fx
	}
	memberExpect["list-council-seats"] = 200    // the sitting council
	memberExpect["list-council-sessions"] = 200 // theirs
	memberExpect["list-feedback"] = 200         // theirs
	memberExpect["list-mentorships"] = 200      // theirs
	memberExpect["raise-feedback"] = 201        // their own
	for _, id := range []string{"get-council-session", "answer-council-session", "get-feedback", "get-mentorship", "mentee-work",
		"write-mentor-note", "nominate-mentee"} {
		memberExpect[id] = 404 // other members' sessions, items and threads
	}
}

// term is a year's council term from today.
func term() (string, string) {
	now := time.Now()
	return now.Format(time.DateOnly), now.AddDate(1, 0, -1).Format(time.DateOnly)
}

// advisor is a fresh member of the top rung.
func (e *env) advisor(slug string) string {
	e.t.Helper()
	id := e.activeMember(slug)
	ctx, sc := e.scope(slug)
	if _, err := e.a.Ladders.SetTier(ctx, sc, id, "main", "relationship", "顾问"); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// councilSession is a scheduled session and the one member it invites.
func (e *env) councilSession(slug string) (string, string) {
	e.t.Helper()
	invitee := e.activeMember(slug)
	ctx, sc := e.scope(slug)
	x, err := e.a.Council.CreateSession(ctx, sc, council.CouncilSessionInput{Title: "闭门会", StartsAt: time.Now().Add(72 * time.Hour), Invite: []string{invitee}})
	if err != nil {
		e.t.Fatal(err)
	}
	return x.PublicID, invitee
}

// feedback is an item another member raised.
func (e *env) feedback(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	x, err := e.a.Council.Raise(ctx, sc, council.FeedbackInput{Title: "续航显示更准确", Member: e.activeMember(slug)})
	if err != nil {
		e.t.Fatal(err)
	}
	return x.PublicID
}

// mentorship pairs two other members.
func (e *env) mentorship(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	x, err := e.a.Council.Pair(ctx, sc, e.advisor(slug), e.activeMember(slug))
	if err != nil {
		e.t.Fatal(err)
	}
	return x.PublicID
}
