package api_test

import (
	"time"

	"kox/internal/briefing"
	"kox/internal/campaign"
)

func init() {
	pub := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"briefing": e.briefing(slug, true).PublicID}, nil
	}
	draft := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"briefing": e.briefing(slug, false).PublicID}, nil
	}
	camp := func(e *env, slug string) (map[string]string, any) {
		return map[string]string{"campaign": e.campaign(slug).PublicID}, nil
	}
	for id, fx := range map[string]fixture{
		"list-briefings":  func(*env, string) (map[string]string, any) { return nil, nil },
		"create-briefing": func(*env, string) (map[string]string, any) { return nil, briefingBody() },
		"get-briefing":    pub,
		"update-briefing": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"briefing": e.briefing(slug, false).PublicID}, briefingBody()
		},
		"publish-briefing":  draft,
		"withdraw-briefing": pub,
		"attach-briefing-file": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"briefing": e.briefing(slug, false).PublicID, "?": "name=notes.txt"}, []byte("release notes\n")
		},
		"get-briefing-file": func(e *env, slug string) (map[string]string, any) {
			b := e.briefing(slug, true)
			return map[string]string{"briefing": b.PublicID, "file": b.Attachments[0].PublicID}, nil
		},
		"list-briefing-readers":   pub,
		"export-briefing-readers": pub,
		"list-campaigns":          func(*env, string) (map[string]string, any) { return nil, nil },
		"create-campaign": func(*env, string) (map[string]string, any) {
			return nil, map[string]any{"label": "OTA " + time.Now().Format("150405.000000000"), "kind": "ota", "title": "OTA",
				"golive_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}
		},
		"get-campaign": camp,
		"update-campaign": func(e *env, slug string) (map[string]string, any) {
			c := e.campaign(slug)
			return map[string]string{"campaign": c.PublicID}, map[string]any{"kind": "ota", "title": "OTA 5.1",
				"golive_at": time.Now().Add(72 * time.Hour).Format(time.RFC3339)}
		},
		"schedule-campaign": camp,
		"unschedule-campaign": func(e *env, slug string) (map[string]string, any) {
			c := e.campaign(slug)
			ctx, sc := e.scope(slug)
			if _, err := e.a.Campaigns.Schedule(ctx, sc, c.PublicID, true); err != nil {
				e.t.Fatal(err)
			}
			return map[string]string{"campaign": c.PublicID}, nil
		},
	} {
		fixtures[id] = fx
	}
	memberExpect["list-briefings"] = 200
	memberExpect["get-briefing"] = 200      // released to everyone
	memberExpect["get-briefing-file"] = 200 // of a briefing they may read
}

func briefingBody() map[string]any {
	return map[string]any{"title": "OTA 5.0 更新说明", "summary": "续航提升", "release_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}
}

// briefing is a fresh briefing for everyone, released a minute ago, with
// one file; published or a draft.
func (e *env) briefing(slug string, publish bool) briefing.Briefing {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	b, err := e.a.Briefings.Create(ctx, sc, briefing.BriefingInput{Title: "OTA 5.0 更新说明", ReleaseAt: time.Now().Add(-time.Minute)})
	if err == nil {
		_, err = e.a.Briefings.Attach(ctx, sc, b.PublicID, "notes.txt", []byte("release notes\n"))
	}
	if err == nil && publish {
		_, err = e.a.Briefings.Publish(ctx, sc, b.PublicID)
	}
	if err == nil {
		b, err = e.a.Briefings.Get(ctx, sc, b.PublicID)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) campaign(slug string) campaign.Campaign {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	c, err := e.a.Campaigns.Create(ctx, sc, campaign.CampaignInput{Label: "OTA " + time.Now().Format("150405.000000000"), Kind: campaign.OTA, Title: "OTA 5.0",
		GoLiveAt: time.Now().Add(48 * time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}
