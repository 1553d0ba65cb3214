package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/i18n"
	"kox/internal/pubid"
)

// Delivery retries: after 30 s, doubling, at most an hour apart, ten tries.
const (
	retryBase   = 30 * time.Second
	retryMax    = time.Hour
	maxAttempts = 10
	// WeCom's group bot takes at most 20 messages a minute.
	wecomPerMinute = 20
	// WeCom's answer when a bot is sent too much: try again later.
	wecomThrottled = 45009
	// WeCom's markdown messages are at most 4,096 bytes.
	wecomMaxBytes = 4096
)

// Signature headers of a webhook request: the event's id, the time (Unix
// seconds) and v1=hex(HMAC-SHA256(secret, timestamp + "." + body)).
const (
	HeaderID        = "X-Kox-Event-Id"
	HeaderTimestamp = "X-Kox-Timestamp"
	HeaderSignature = "X-Kox-Signature"
)

// Sign is a webhook body's signature under secret at timestamp.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook request's signature (what a receiver does), and
// that its timestamp is within tolerance of now.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) bool {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > tolerance {
		return false
	}
	return hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(Sign(secret, ts, body)))
}

// Dispatch fans waiting events out, each once: in-app notifications for
// its member or for the program's operators, and a delivery for each of
// the program's channels that takes it.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT id FROM outbox WHERE dispatched_at = 0 ORDER BY id LIMIT 500`)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		done, err := s.dispatch(ctx, id)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (s *Service) dispatch(ctx context.Context, id int64) (bool, error) {
	done := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := tx.Now.UnixMicro()
		// Taken by one conditional update: a second dispatcher finds it done.
		r, err := tx.ExecContext(ctx, `UPDATE outbox SET dispatched_at = $2 WHERE id = $1 AND dispatched_at = 0`, id, now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		done = true
		var programID, member int64
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT program_id, member_id, kind FROM outbox WHERE id = $1`, id).Scan(&programID, &member, &kind); err != nil {
			return err
		}
		if member != 0 {
			_, err = tx.ExecContext(ctx, `INSERT INTO notifications (program_id, outbox_id, member_id, created_at) VALUES ($1, $2, $3, $4)`,
				programID, id, member, now)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO notifications (program_id, outbox_id, operator_id, created_at)
				SELECT program_id, CAST($2 AS BIGINT), operator_id, CAST($3 AS BIGINT) FROM program_operators WHERE program_id = $1`, programID, id, now)
		}
		if err != nil {
			return err
		}
		eps, err := endpointsTx(ctx, tx, programID)
		if err != nil {
			return err
		}
		for _, ep := range eps {
			if !ep.Active || (len(ep.Events) > 0 && !slices.Contains(ep.Events, kind)) {
				continue
			}
			if member != 0 && ep.Kind != Email && slices.Contains(Personal, kind) {
				continue
			}
			targets := []string{""}
			if ep.Kind == Email {
				if targets, err = emailsTx(ctx, tx, programID, member); err != nil {
					return err
				}
			}
			for _, to := range targets {
				if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (program_id, public_id, outbox_id, endpoint_id, target, next_at, created_at)
					VALUES ($1, $2, $3, $4, $5, $6, $6)`, programID, pubid.New("dlv"), id, ep.id, to, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return done, err
}

// emailsTx are the addresses an event's email goes to: its member's (if they
// have one and have not turned email off), else the program's operators'.
func emailsTx(ctx context.Context, tx *db.Tx, programID, member int64) ([]string, error) {
	var rows *sql.Rows
	var err error
	if member != 0 {
		rows, err = tx.QueryContext(ctx, `SELECT m.email FROM members m WHERE m.id = $1 AND m.email <> ''
			AND NOT EXISTS (SELECT 1 FROM notify_prefs p WHERE p.member_id = m.id AND p.channel = 'email' AND p.enabled = 0)`, member)
	} else {
		rows, err = tx.QueryContext(ctx, `SELECT o.email FROM operators o JOIN program_operators po ON po.operator_id = o.id
			WHERE po.program_id = $1 AND NOT o.disabled ORDER BY o.id`, programID)
	}
	return db.Collect(rows, err, func(r *sql.Rows) (string, error) {
		var e string
		return e, r.Scan(&e)
	})
}

// message is an event as a channel says it.
type message struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"created_at"`
	Program   string         `json:"program"`
	Member    string         `json:"member,omitempty"`
	Subject   string         `json:"subject,omitempty"`
	Data      map[string]any `json:"data"`
	text      string
	lang      string
}

func messageOf(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}, outboxID int64) (message, error) {
	var m message
	var params string
	var created int64
	err := q.QueryRowContext(ctx, `SELECT e.public_id, e.kind, e.created_at, p.slug, p.locale, COALESCE(m.public_id, ''), e.subject, e.params
		FROM outbox e JOIN programs p ON p.id = e.program_id LEFT JOIN members m ON m.id = e.member_id WHERE e.id = $1`, outboxID).Scan(
		&m.ID, &m.Type, &created, &m.Program, &m.lang, &m.Member, &m.Subject, &params)
	if err != nil {
		return m, err
	}
	m.CreatedAt = time.UnixMicro(created).UTC()
	_ = json.Unmarshal([]byte(params), &m.Data)
	m.text = Text(m.lang, m.Type, m.Data)
	return m, nil
}

// Text is an event in words, in lang. A parameter given in both languages
// (tier_zh, tier_en) is said in lang's ({tier}).
func Text(lang, kind string, params map[string]any) string {
	p := fault.P{}
	for k, v := range params {
		p[k] = v
	}
	for k, v := range params {
		if base, ok := strings.CutSuffix(k, "_zh"); ok && lang != "en" {
			p[base] = v
		}
		if base, ok := strings.CutSuffix(k, "_en"); ok && lang == "en" {
			p[base] = v
		}
	}
	return fault.Render(i18n.Web(lang, "notify."+kind), p)
}

// due is a delivery to send.
type due struct {
	id, outbox int64
	attempts   int
	target     string
	ep         Endpoint
}

// Send sends the deliveries that are due, and says how many went.
func (s *Service) Send(ctx context.Context) (int, error) {
	now := s.DB.Now()
	rows, err := s.DB.R.QueryContext(ctx, `SELECT d.id, d.outbox_id, d.attempts, d.target, d.endpoint_id FROM deliveries d
		WHERE d.status = 'pending' AND d.next_at <= $1 ORDER BY d.next_at, d.id LIMIT 100`, now.UnixMicro())
	type row struct {
		id, outbox int64
		attempts   int
		target     string
		endpoint   int64
	}
	ds, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.outbox, &x.attempts, &x.target, &x.endpoint)
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range ds {
		ep, err := s.endpoint(ctx, d.endpoint)
		if err != nil {
			return sent, err
		}
		ok, err := s.send(ctx, due{id: d.id, outbox: d.outbox, attempts: d.attempts, target: d.target, ep: ep})
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// send makes one attempt at a delivery and records it: sent, or tried
// again later, or given up after the last try.
func (s *Service) send(ctx context.Context, d due) (bool, error) {
	now := s.DB.Now()
	if d.ep.Kind == WeCom {
		// At most 20 a minute per bot: the rest wait for the minute to pass.
		var n int
		if err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE endpoint_id = $1 AND sent_at >= $2`,
			d.ep.id, now.Add(-time.Minute).UnixMicro()).Scan(&n); err != nil {
			return false, err
		}
		if n >= wecomPerMinute {
			return false, s.DB.InTx(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_at = $2 WHERE id = $1`, d.id, now.Add(10*time.Second).UnixMicro())
				return err
			})
		}
	}
	m, err := messageOf(ctx, s.DB.R, d.outbox)
	if err != nil {
		return false, err
	}
	start := time.Now()
	code, sendErr := s.deliver(ctx, d, m)
	took := time.Since(start).Milliseconds()
	errText := ""
	if sendErr != nil {
		errText = sendErr.Error()
		if len(errText) > 500 {
			errText = errText[:500]
		}
	}
	attempts := d.attempts + 1
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, at, status_code, error, millis) VALUES ($1, $2, $3, $4, $5)`,
			d.id, now.UnixMicro(), code, errText, took); err != nil {
			return err
		}
		switch {
		case sendErr == nil:
			_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', attempts = $2, last_status = $3, last_error = '', sent_at = $4 WHERE id = $1`,
				d.id, attempts, code, now.UnixMicro())
			return err
		case attempts >= maxAttempts:
			_, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'dead', attempts = $2, last_status = $3, last_error = $4 WHERE id = $1`,
				d.id, attempts, code, errText)
			return err
		default:
			wait := min(retryBase<<(attempts-1), retryMax)
			_, err := tx.ExecContext(ctx, `UPDATE deliveries SET attempts = $2, last_status = $3, last_error = $4, next_at = $5 WHERE id = $1`,
				d.id, attempts, code, errText, now.Add(wait).UnixMicro())
			return err
		}
	})
	if sendErr != nil {
		s.log().Warn("notify: delivery failed", "delivery", d.id, "channel", d.ep.Kind, "attempt", attempts, "err", sendErr)
	}
	return sendErr == nil, err
}

// deliver sends a message on its channel: the status code it got (0 for
// none) and an error unless it went.
func (s *Service) deliver(ctx context.Context, d due, m message) (int, error) {
	sec, err := s.secret(d.ep)
	if err != nil {
		return 0, err
	}
	switch d.ep.Kind {
	case Webhook:
		body, _ := json.Marshal(m)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, sec.URL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "kox-webhook/1")
		req.Header.Set(HeaderID, m.ID)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, Sign(sec.Secret, ts, body))
		res, err := s.client().Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return res.StatusCode, fmt.Errorf("the receiver answered %d", res.StatusCode)
		}
		return res.StatusCode, nil
	case WeCom:
		body, _ := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": Markdown(m.text, m.ID)}})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, sec.URL, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := s.client().Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		var ans struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&ans); err != nil || res.StatusCode != http.StatusOK {
			return res.StatusCode, fmt.Errorf("the bot answered %d", res.StatusCode)
		}
		if ans.ErrCode == wecomThrottled {
			return res.StatusCode, fmt.Errorf("wecom 45009: the bot is sent too much, try later")
		}
		if ans.ErrCode != 0 {
			return res.StatusCode, fmt.Errorf("wecom %d: %s", ans.ErrCode, ans.ErrMsg)
		}
		return res.StatusCode, nil
	case Email:
		subject := mime.QEncoding.Encode("utf-8", firstLine(m.text))
		msg := "From: " + sec.From + "\r\nTo: " + d.target + "\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nMessage-ID: <" + m.ID + "@kox>\r\n\r\n" + m.text + "\r\n"
		send := s.SMTP
		if send == nil {
			send = sendMail
		}
		if err := send(sec.Host+":"+strconv.Itoa(sec.Port), sec.User, sec.Password, sec.From, []string{d.target}, []byte(msg)); err != nil {
			return 0, err
		}
		return 250, nil
	}
	return 0, errors.New("unknown channel")
}

func sendMail(addr, user, password, from string, to []string, msg []byte) error {
	var auth smtp.Auth
	if user != "" {
		host, _, _ := strings.Cut(addr, ":")
		auth = smtp.PlainAuth("", user, password, host)
	}
	return smtp.SendMail(addr, auth, from, to, msg)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Markdown is an event's text as a WeCom markdown message, with its id for
// receivers, cut to the bot's 4,096 bytes on a character boundary.
func Markdown(text, id string) string {
	tail := "\n> <font color=\"comment\">" + id + "</font>"
	out := "**kox** " + text
	if len(out)+len(tail) > wecomMaxBytes {
		cut := wecomMaxBytes - len(tail) - len("…")
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + "…"
	}
	return out + tail
}
