package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kox/internal/briefing"
	"kox/internal/campaign"
	"kox/internal/db"
	"kox/internal/dbtest"
	"kox/internal/program"
)

// apiToken is a member's API token, from a sign-in code.
func (w *portalWorld) apiToken(t *testing.T, memberRef string) string {
	t.Helper()
	code, _, err := w.s.a.Members.IssueLoginCode(w.ctx, w.sc, memberRef)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"code": code})
	req, _ := http.NewRequest("POST", w.s.srv.URL+"/api/v1/auth/member-login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	r := w.s.another().send(req)
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.Token == "" {
		t.Fatalf("member login: %d %s", r.status, r.body)
	}
	return out.Token
}

func (s *site) bearer(token, path string) page {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return s.another().send(req)
}

// Before go-live, a member below the briefing's tier finds it on no
// surface: not in the portal's list, its search, its page, its file or
// the notifications; not in the API's list, search, by id, its file or
// the notifications. An officer of the tier finds it on all. At the
// go-live second, every surface shows it to the first member too; the
// console shows who read it and exports it.
func TestEmbargoOnEverySurface(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		now := time.Now().UTC().Truncate(time.Second)
		d.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
		set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
		w := newPortalWorld(t, d)
		if _, err := w.s.a.Ladders.SetTier(w.ctx, w.sc, w.you.PublicID, "main", "experience", "测试"); err != nil {
			t.Fatal(err)
		}
		golive := now.Add(time.Hour)
		c, err := w.s.a.Campaigns.Create(w.ctx, w.sc, campaign.CampaignInput{Label: "OTA 5.0", Kind: campaign.OTA, Title: "OTA 5.0 发布", GoLiveAt: golive})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.s.a.Briefings.Create(w.ctx, w.sc, briefing.BriefingInput{Campaign: "OTA 5.0", Title: "OTA 5.0 更新说明", Summary: "续航提升 8%",
			Body: "露营模式\n座椅通风", Ladder: "main", MinTier: "experience", ReleaseAt: now.Add(-time.Minute)})
		if err == nil {
			_, err = w.s.a.Briefings.Attach(w.ctx, w.sc, b.PublicID, "notes.pdf", []byte("%PDF-1.4 notes"))
		}
		if err == nil {
			_, err = w.s.a.Briefings.Publish(w.ctx, w.sc, b.PublicID)
		}
		if err == nil {
			_, err = w.s.a.Campaigns.Schedule(w.ctx, w.sc, c.PublicID, true)
		}
		if err == nil {
			b, err = w.s.a.Briefings.Get(w.ctx, w.sc, b.PublicID)
		}
		if err != nil {
			t.Fatal(err)
		}
		golives := func() {
			t.Helper()
			if _, err := w.s.a.Campaigns.GoLive(w.ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := w.s.a.Notify.Dispatch(w.ctx); err != nil {
				t.Fatal(err)
			}
		}
		golives()
		file := b.Attachments[0].PublicID
		api := "/api/v1/programs/qicheng"
		type surface struct {
			name string
			get  func(token string, portal *site) page
			// shows says the page holds the briefing
			shows func(p page) bool
		}
		has := func(p page) bool { return p.status == 200 && strings.Contains(p.body, "OTA 5.0 更新说明") }
		ok := func(p page) bool { return p.status == 200 }
		surfaces := []surface{
			{"portal list", func(_ string, s *site) page { return s.do("GET", "/m/briefings", nil) }, has},
			{"portal search", func(_ string, s *site) page { return s.do("GET", "/m/briefings?q="+url.QueryEscape("续航"), nil) }, has},
			{"portal page", func(_ string, s *site) page { return s.do("GET", "/m/briefings/"+b.PublicID, nil) }, has},
			{"portal file", func(_ string, s *site) page { return s.do("GET", "/m/briefings/"+b.PublicID+"/files/"+file, nil) }, ok},
			{"portal notifications", func(_ string, s *site) page { return s.do("GET", "/m/notifications", nil) }, func(p page) bool {
				return strings.Contains(p.body, "OTA 5.0")
			}},
			{"api list", func(tok string, _ *site) page { return w.s.bearer(tok, api+"/briefings") }, has},
			{"api search", func(tok string, _ *site) page { return w.s.bearer(tok, api+"/briefings?q="+url.QueryEscape("露营")) }, has},
			{"api by id", func(tok string, _ *site) page { return w.s.bearer(tok, api+"/briefings/"+b.PublicID) }, has},
			{"api file", func(tok string, _ *site) page {
				return w.s.bearer(tok, api+"/briefings/"+b.PublicID+"/attachments/"+file)
			}, ok},
			{"api notifications", func(tok string, _ *site) page { return w.s.bearer(tok, api+"/notifications") }, func(p page) bool {
				return strings.Contains(p.body, "OTA 5.0")
			}},
			{"api readers export", func(tok string, _ *site) page { return w.s.bearer(tok, api+"/briefings/"+b.PublicID+"/readers/export") }, ok},
		}
		w.signIn(t, w.me)
		plain := w.s
		officer := w.s.another()
		{
			ow := *w
			ow.s = officer
			ow.signIn(t, w.you)
		}
		plainTok, officerTok := w.apiToken(t, w.me.PublicID), w.apiToken(t, w.you.PublicID)
		check := func(when string, who string, tok string, s *site, want map[string]bool) {
			t.Helper()
			for _, x := range surfaces {
				p := x.get(tok, s)
				if got := x.shows(p); got != want[x.name] {
					t.Errorf("%s, %s, %s: shows %v (status %d)", when, who, x.name, got, p.status)
				}
			}
		}
		every := func(v bool) map[string]bool {
			m := map[string]bool{}
			for _, x := range surfaces {
				m[x.name] = v
			}
			m["api readers export"] = false // operators' only
			return m
		}
		check("under embargo", "the member below the tier", plainTok, plain, every(false))
		check("under embargo", "the officer", officerTok, officer, every(true))
		// The console's receipts: the officer read it; the other has no say yet.
		owner := w.s.another()
		owner.signIn("owner@web.kox")
		rp := owner.do("GET", "/p/qicheng/briefings/"+b.PublicID+"?read=yes", nil)
		checkPage(t, rp)
		if !strings.Contains(rp.body, "周一鸣") || strings.Contains(rp.body, "林小满") {
			t.Fatalf("receipts under embargo: %s", rp.body)
		}
		set(golive)
		golives()
		want := every(true)
		want["portal notifications"] = true
		check("at go-live", "the member below the tier", plainTok, plain, want)
		csv := owner.do("GET", "/p/qicheng/briefings/"+b.PublicID+"/readers.csv", nil)
		if csv.status != 200 || !strings.Contains(csv.body, w.me.PublicID) || !strings.Contains(csv.body, w.you.PublicID) {
			t.Fatalf("readers export: %d %s", csv.status, csv.body)
		}
		if n := strings.Count(plain.do("GET", "/m/notifications", nil).body, "OTA 5.0 发布"); n != 1 {
			t.Fatalf("the go-live notice shows %d times", n)
		}
		cp := owner.do("GET", "/p/qicheng/campaigns/"+c.PublicID, nil)
		checkPage(t, cp)
		if !strings.Contains(cp.body, "OTA 5.0 更新说明") || !strings.Contains(cp.body, "已上线") {
			t.Fatalf("campaign page: %s", cp.body)
		}
	})
}

var briefingPath = regexp.MustCompile(`^/p/qicheng/briefings/(brf_[A-Za-z0-9]+)$`)

// An operator writes a briefing on the console (a bad one names its
// field), attaches its notes, publishes it; a campaign is written and
// scheduled; a viewer sees both without their forms.
func TestBriefingsAndCampaignsConsole(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		w := newPortalWorld(t, d)
		op := w.s.teammate("qicheng", program.RoleOperator)
		loc := w.sc.Program.Location()
		at := func(d time.Duration) string { return time.Now().Add(d).In(loc).Format("2006-01-02T15:04") }
		bad := op.do("POST", "/p/qicheng/campaigns", url.Values{"label": {"春季上新"}, "kind": {"launch"}, "title": {""}, "golive_at": {at(48 * time.Hour)}})
		if bad.status != 422 || !strings.Contains(bad.body, `data-test="field-error"`) {
			t.Fatalf("a campaign with no title: %d", bad.status)
		}
		made := op.do("POST", "/p/qicheng/campaigns", url.Values{"label": {"春季上新"}, "kind": {"launch"}, "title": {"春季新车上市"}, "golive_at": {at(48 * time.Hour)}})
		if made.status != 303 {
			t.Fatalf("campaign: %d %s", made.status, made.body)
		}
		cpage := strings.Split(made.header.Get("Location"), "?")[0]
		if r := op.do("POST", cpage+"/schedule", nil); r.status != 303 {
			t.Fatalf("schedule: %d %s", r.status, r.body)
		}
		form := url.Values{"title": {"新车卖点"}, "summary": {"三大卖点"}, "tier": {"main/experience"}, "release_at": {at(time.Hour)},
			"public_at": {at(-time.Hour)}}
		if r := op.do("POST", "/p/qicheng/briefings", form); r.status != 422 || !strings.Contains(r.body, `data-test="field-error"`) {
			t.Fatalf("an embargo before the release: %d", r.status)
		}
		form.Del("public_at")
		form.Set("campaign", "春季上新")
		made = op.do("POST", "/p/qicheng/briefings", form)
		m := briefingPath.FindStringSubmatch(strings.Split(made.header.Get("Location"), "?")[0])
		if made.status != 303 || m == nil {
			t.Fatalf("briefing: %d %s", made.status, made.body)
		}
		page := "/p/qicheng/briefings/" + m[1]
		if r := op.upload(page+"/files", "卖点.pdf", "%PDF-1.4 卖点"); r.status != 303 {
			t.Fatalf("attach: %d %s", r.status, r.body)
		}
		if r := op.do("POST", page+"/publish", nil); r.status != 303 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		bp := op.do("GET", page, nil)
		checkPage(t, bp)
		if !strings.Contains(bp.body, `data-test="withdraw-briefing"`) || !strings.Contains(bp.body, "/files/att_") {
			t.Fatalf("briefing page: %s", bp.body)
		}
		b, err := w.s.a.Briefings.Get(w.ctx, w.sc, m[1])
		if err != nil || b.Status != briefing.Published || b.Campaign != "春季上新" || len(b.Attachments) != 1 || b.PublicAt.IsZero() {
			t.Fatalf("stored: %+v %v", b, err)
		}
		viewer := w.s.teammate("qicheng", program.RoleViewer)
		for _, p := range []string{page, cpage, "/p/qicheng/briefings", "/p/qicheng/campaigns"} {
			r := viewer.do("GET", p, nil)
			checkPage(t, r)
			if r.status != 200 || strings.Contains(r.body, `method="post"`) && strings.Contains(r.body, `data-test="briefing-form"`) {
				t.Fatalf("viewer %s: %d", p, r.status)
			}
		}
		if r := viewer.do("GET", cpage, nil); strings.Contains(r.body, `data-test="campaign-edit"`) || !strings.Contains(r.body, "新车卖点") {
			t.Fatalf("a viewer's campaign page: %s", r.body)
		}
	})
}
