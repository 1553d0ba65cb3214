package middleware_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"kox/internal/metrics"
	"kox/internal/middleware"
)

func TestPanicBecomesA500ProblemAndIsLogged(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	m := metrics.New("test")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom/{id}", func(http.ResponseWriter, *http.Request) { panic("boom") })
	srv := httptest.NewServer(middleware.Chain(mux, middleware.RequestID, middleware.Observe(log, m), middleware.Recover(log)))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/boom/7", nil)
	req.Header.Set(middleware.RequestIDHeader, "caller-id-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "application/problem+json" ||
		p["status"] != float64(500) || p["request_id"] != "caller-id-1" {
		t.Fatalf("response %d %v %v", resp.StatusCode, resp.Header, p)
	}
	if resp.Header.Get(middleware.RequestIDHeader) != "caller-id-1" {
		t.Fatalf("request id not echoed: %v", resp.Header)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"panic in handler"`, `"request_id":"caller-id-1"`, `"route":"GET /boom/{id}"`, `"status":500`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if n := testutil.ToFloat64(m.Requests.WithLabelValues("GET", "GET /boom/{id}", "500")); n != 1 {
		t.Fatalf("request counter = %v, want 1 under the route pattern", n)
	}
}

func TestBadRequestIDIsReplaced(t *testing.T) {
	h := middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(middleware.RequestIDFrom(r.Context())))
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(middleware.RequestIDHeader, "bad id with spaces\n")
	h.ServeHTTP(rec, req)
	id := rec.Header().Get(middleware.RequestIDHeader)
	if id == "" || strings.Contains(id, " ") || rec.Body.String() != id {
		t.Fatalf("request id %q, body %q", id, rec.Body.String())
	}
}
