package app

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"
)

// readiness remembers that the schema was found current: migrations are
// never undone, so once current it stays current for this binary.
type readiness struct {
	schemaCurrent atomic.Bool
}

// healthz: the process is up and serving.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz: the database answers and its schema is what this binary expects;
// a load balancer sends traffic only while this says 200.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := map[string]string{"status": "ready", "database": "ok", "schema": "current"}
	status := http.StatusOK
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Warn("not ready: database unreachable", "err", err)
		body["status"], body["database"], body["schema"] = "not ready", "unreachable", "unknown"
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	if !a.ready.schemaCurrent.Load() {
		ok, err := a.DB.SchemaCurrent(ctx)
		switch {
		case err != nil:
			body["status"], body["schema"] = "not ready", "unknown"
			status = http.StatusServiceUnavailable
		case !ok:
			body["status"], body["schema"] = "not ready", "behind: run kox migrate"
			status = http.StatusServiceUnavailable
		default:
			a.ready.schemaCurrent.Store(true)
		}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
