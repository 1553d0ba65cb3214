package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/program"
	"kox/internal/pubid"
)

// Channel kinds.
const (
	Webhook = "webhook" // an integration's URL, each request signed
	WeCom   = "wecom"   // a WeCom group bot's webhook
	Email   = "email"   // an SMTP server the program's mail goes through
)

// Channels in the order forms list them.
var Channels = []string{Webhook, WeCom, Email}

// Endpoint is a channel of a program, its secrets sealed and shown masked.
type Endpoint struct {
	id        int64
	PublicID  string    `json:"id"`
	Kind      string    `json:"kind" enum:"webhook,wecom,email"`
	Name      string    `json:"name"`
	Shown     string    `json:"shown" doc:"Where it goes, without its secrets."`
	Events    []string  `json:"events" doc:"The kinds of event it takes; empty: all."`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	sealed    []byte
}

// EndpointInput is a channel as written.
type EndpointInput struct {
	Kind   string   `json:"kind" enum:"webhook,wecom,email"`
	Name   string   `json:"name" maxLength:"100"`
	Events []string `json:"events,omitempty" maxItems:"20"`
	// Webhook and WeCom: the address. WeCom's carries the bot's key.
	URL string `json:"url,omitempty" maxLength:"500"`
	// Webhook: the secret requests are signed with (16 to 200 characters).
	Secret string `json:"secret,omitempty" maxLength:"200"`
	// Email: the SMTP server.
	Host     string `json:"host,omitempty" maxLength:"200"`
	Port     int    `json:"port,omitempty" minimum:"0" maximum:"65535"`
	User     string `json:"user,omitempty" maxLength:"200"`
	Password string `json:"password,omitempty" maxLength:"200"`
	From     string `json:"from,omitempty" maxLength:"200"`
}

// secrets are what an endpoint keeps sealed.
type secrets struct {
	URL      string `json:"url,omitempty"`
	Secret   string `json:"secret,omitempty"`
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	From     string `json:"from,omitempty"`
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (in *EndpointInput) check() error {
	var f fault.Fields
	in.Name, in.URL, in.Host, in.From = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Host), strings.TrimSpace(in.From)
	if !slices.Contains(Channels, in.Kind) {
		f.OneOf("kind", Channels)
	}
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		f.Length("name", 1, 100)
	}
	for i, e := range in.Events {
		if !slices.Contains(Kinds, e) {
			f.OneOf("events["+strconv.Itoa(i)+"]", Kinds)
		}
	}
	switch in.Kind {
	case Webhook, WeCom:
		if !httpURL(in.URL) || len(in.URL) > 500 {
			f.URL("url")
		}
		if in.Kind == Webhook && (len(in.Secret) < 16 || len(in.Secret) > 200) {
			f.Add("secret", "notify.secret", "must be 16 to 200 characters")
		}
	case Email:
		if in.Host == "" {
			f.Required("host")
		}
		if in.Port == 0 {
			in.Port = 587
		}
		if a, err := mail.ParseAddress(in.From); err != nil || a.Address != in.From {
			f.Add("from", "email", "must be an email address")
		}
	}
	return f.Err()
}

// shown is an endpoint's address without its secrets.
func shown(in EndpointInput) string {
	switch in.Kind {
	case Email:
		return in.From + " via " + in.Host
	}
	u, err := url.Parse(in.URL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + u.Path
}

func (s *Service) noKey() error {
	return fault.New(fault.Unavailable, "notify.no_key", "a channel's secrets cannot be kept: kox has no data key ({env})", fault.P{"env": "KOX_DATA_KEY"})
}

// AddEndpoint adds a channel to the program, its secrets sealed (audited,
// the secrets never).
func (s *Service) AddEndpoint(ctx context.Context, sc program.Scope, in EndpointInput) (Endpoint, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return Endpoint{}, err
	}
	if err := in.check(); err != nil {
		return Endpoint{}, err
	}
	if s.Sealer == nil {
		return Endpoint{}, s.noKey()
	}
	ep := Endpoint{PublicID: pubid.New("nep"), Kind: in.Kind, Name: in.Name, Shown: shown(in), Events: in.Events, Active: true}
	if ep.Events == nil {
		ep.Events = []string{}
	}
	plain, _ := json.Marshal(secrets{URL: in.URL, Secret: in.Secret, Host: in.Host, Port: in.Port, User: in.User, Password: in.Password, From: in.From})
	events, _ := json.Marshal(ep.Events)
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ep.CreatedAt = tx.Now.UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_endpoints (program_id, public_id, kind, name, shown, sealed, events, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, sc.Program.ID, ep.PublicID, ep.Kind, ep.Name, ep.Shown,
			s.Sealer.Seal(plain, "endpoint:"+ep.PublicID), string(events), tx.Now.UnixMicro()); err != nil {
			return err
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "notify.endpoint_add", ObjectKind: "endpoint", ObjectID: ep.PublicID,
			After: map[string]any{"kind": ep.Kind, "name": ep.Name, "shown": ep.Shown, "events": ep.Events}})
	})
	return ep, err
}

// SetEndpointActive turns a channel on or off.
func (s *Service) SetEndpointActive(ctx context.Context, sc program.Scope, ref string, active bool) (Endpoint, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return Endpoint{}, err
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE notify_endpoints SET active = $3 WHERE program_id = $1 AND public_id = $2`, sc.Program.ID, ref, map[bool]int{true: 1}[active])
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return endpointNotFound(ref)
		}
		return program.Audit(ctx, tx, program.Change{ProgramID: sc.Program.ID, Action: "notify.endpoint_active", ObjectKind: "endpoint", ObjectID: ref,
			After: map[string]any{"active": active}})
	})
	if err != nil {
		return Endpoint{}, err
	}
	eps, err := s.Endpoints(ctx, sc)
	for _, e := range eps {
		if e.PublicID == ref {
			return e, err
		}
	}
	return Endpoint{}, err
}

func endpointNotFound(ref string) error {
	return fault.New(fault.NotFound, "notify.endpoint_not_found", "no channel {endpoint}", fault.P{"endpoint": ref})
}

const endpointCols = `id, public_id, kind, name, shown, sealed, events, active, created_at`

func scanEndpoint(r interface{ Scan(...any) error }) (Endpoint, error) {
	var e Endpoint
	var events string
	var active int
	var created int64
	err := r.Scan(&e.id, &e.PublicID, &e.Kind, &e.Name, &e.Shown, &e.sealed, &events, &active, &created)
	_ = json.Unmarshal([]byte(events), &e.Events)
	e.Active, e.CreatedAt = active != 0, time.UnixMicro(created).UTC()
	return e, err
}

func endpointsTx(ctx context.Context, tx *db.Tx, programID int64) ([]Endpoint, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+endpointCols+` FROM notify_endpoints WHERE program_id = $1 ORDER BY id`, programID)
	return db.Collect(rows, err, scanEndpoint)
}

// Endpoints lists the program's channels.
func (s *Service) Endpoints(ctx context.Context, sc program.Scope) ([]Endpoint, error) {
	if err := sc.Require(program.PermProgramUpdate); err != nil {
		return nil, err
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+endpointCols+` FROM notify_endpoints WHERE program_id = $1 ORDER BY id`, sc.Program.ID)
	out, err := db.Collect(rows, err, scanEndpoint)
	if out == nil {
		out = []Endpoint{}
	}
	return out, err
}

func (s *Service) endpoint(ctx context.Context, id int64) (Endpoint, error) {
	return scanEndpoint(s.DB.R.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM notify_endpoints WHERE id = $1`, id))
}

func (s *Service) secret(ep Endpoint) (secrets, error) {
	var sec secrets
	if s.Sealer == nil {
		return sec, errors.New("no data key to open the channel's secrets")
	}
	plain, err := s.Sealer.Open(ep.sealed, "endpoint:"+ep.PublicID)
	if err != nil {
		return sec, err
	}
	return sec, json.Unmarshal(plain, &sec)
}
