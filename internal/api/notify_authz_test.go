package api_test

import (
	"kox/internal/db"
	"kox/internal/notify"
)

func init() {
	for id, fx := range map[string]fixture{
		"list-notifications":           func(*env, string) (map[string]string, any) { return nil, nil },
		"mark-notifications-read":      func(*env, string) (map[string]string, any) { return nil, nil },
		"get-notification-preferences": memberFixture(nil),
		"set-notification-preferences": memberFixture(map[string]any{"email": false}),
		"list-channels":                func(*env, string) (map[string]string, any) { return nil, nil },
		"add-channel":                  func(*env, string) (map[string]string, any) { return nil, webhookBody() },
		"set-channel-active": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"endpoint": e.channel(slug).PublicID}, map[string]any{"active": false}
		},
		"list-deliveries": func(*env, string) (map[string]string, any) { return nil, nil },
		"replay-delivery": func(e *env, slug string) (map[string]string, any) {
			return map[string]string{"delivery": e.delivery(slug)}, nil
		},
	} {
		fixtures[id] = fx
	}
	memberExpect["get-notification-preferences"] = 404 // another member's
	memberExpect["set-notification-preferences"] = 404
	// An API key is no one's reader: it has no notifications.
	apiKeyExpect["list-notifications"] = 403
	apiKeyExpect["mark-notifications-read"] = 403
}

func webhookBody() map[string]any {
	return map[string]any{"kind": "webhook", "name": "商城", "url": "http://127.0.0.1:9/hooks", "secret": "a-secret-of-twenty-chars"}
}

// channel is a fresh webhook channel of the program.
func (e *env) channel(slug string) notify.Endpoint {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	ep, err := e.a.Notify.AddEndpoint(ctx, sc, notify.EndpointInput{Kind: notify.Webhook, Name: "商城", URL: "http://127.0.0.1:9/hooks", Secret: "a-secret-of-twenty-chars"})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// delivery is a fresh delivery of an event to a fresh channel.
func (e *env) delivery(slug string) string {
	e.t.Helper()
	ctx, sc := e.scope(slug)
	ep := e.channel(slug)
	if err := e.a.DB.InTx(ctx, func(tx *db.Tx) error {
		return notify.EmitTx(ctx, tx, notify.Event{ProgramID: sc.Program.ID, Kind: notify.CandidatesFound, Params: map[string]any{"count": 1}})
	}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.a.Notify.Dispatch(ctx); err != nil {
		e.t.Fatal(err)
	}
	ds, _, err := e.a.Notify.Deliveries(ctx, sc, "", 0, 50)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range ds {
		if d.Endpoint == ep.Name && d.Status == "pending" {
			return d.PublicID
		}
	}
	e.t.Fatal("no delivery")
	return ""
}
