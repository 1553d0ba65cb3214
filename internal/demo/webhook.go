package demo

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"kox/internal/notify"
)

// WebhookSecret signs the demo's webhook deliveries to its own receiver.
const WebhookSecret = "kox-demo-webhook-secret-2026"

// WebhookPath is where kox demo receives its own webhooks.
const WebhookPath = "/demo/webhook"

// Receiver is the integration at the other end of the demo's webhook
// channel: it checks each delivery's signature as a real receiver would,
// logs it, and answers 204 (or 401 for a bad signature), so that the
// delivery log fills with real answers.
func Receiver(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil || !notify.Verify(WebhookSecret, r.Header, body, time.Now(), 5*time.Minute) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		log.Debug("demo webhook received", "event", r.Header.Get(notify.HeaderID))
		w.WriteHeader(http.StatusNoContent)
	})
}

// webhook adds the car program's webhook channel to url, for the events an
// integration (a CRM, a data warehouse) would take.
func (g *gen) webhook(ctx context.Context, b built) error {
	if g.Notify == nil || g.Webhook == "" {
		return nil
	}
	_, err := g.Notify.AddEndpoint(ctx, b.scope, notify.EndpointInput{Kind: notify.Webhook, Name: "示例 CRM（demo receiver）", URL: g.Webhook,
		Secret: WebhookSecret, Events: []string{notify.Promoted, notify.Warned, notify.Demoted, notify.CandidatesFound, notify.AwardWon,
			notify.RedemptionShip, notify.PayoutPaid}})
	return err
}
