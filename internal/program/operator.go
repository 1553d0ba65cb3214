package program

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"kox/internal/db"
	"kox/internal/fault"
	"kox/internal/pubid"
)

// Operator is a person who runs programs.
type Operator struct {
	ID          int64     `json:"-"`
	PublicID    string    `json:"id"`
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Owner       bool      `json:"owner"`
	Locale      string    `json:"locale"`
	Disabled    bool      `json:"disabled"`
	LockedUntil time.Time `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Lock-out: after MaxFailedLogins wrong passwords in a row an operator cannot
// sign in for LockoutPeriod.
const (
	MaxFailedLogins = 5
	LockoutPeriod   = 15 * time.Minute
	MinPassword     = 10
)

// argon2id with OWASP's minimum parameters (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash makes a login for an unknown email cost as much as a real one.
var dummyHash = hashPassword("not a real password")

// NewOperator is what it takes to create an operator.
type NewOperator struct {
	Email    string
	Name     string
	Password string
	Owner    bool
	Locale   string
}

func (n *NewOperator) normalize() error {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	var f fault.Fields
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email || len(n.Email) > 254 {
		f.Add("email", "email", "must be an email address")
	}
	if n.Name == "" || len([]rune(n.Name)) > 100 {
		f.Length("name", 1, 100)
	}
	if len([]rune(n.Password)) < MinPassword || len(n.Password) > 200 {
		f.Length("password", MinPassword, 200)
	}
	if n.Locale != "" && !validLocale(n.Locale) {
		f.OneOf("locale", Locales)
	}
	return f.Err()
}

const operatorCols = `id, public_id, email, name, owner, locale, disabled, locked_until, created_at, updated_at`

// scanOperator reads an operator's columns, then any extra columns into
// more.
func scanOperator(s interface{ Scan(...any) error }, more ...any) (Operator, error) {
	var o Operator
	var locked, created, updated int64
	err := s.Scan(append([]any{&o.ID, &o.PublicID, &o.Email, &o.Name, &o.Owner, &o.Locale, &o.Disabled, &locked, &created, &updated}, more...)...)
	if locked > 0 {
		o.LockedUntil = time.UnixMicro(locked).UTC()
	}
	o.CreatedAt, o.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return o, err
}

// CreateOperatorTx creates an operator, audited under programID (0: the
// installation).
func CreateOperatorTx(ctx context.Context, tx *db.Tx, programID int64, n NewOperator) (Operator, error) {
	if err := n.normalize(); err != nil {
		return Operator{}, err
	}
	o, err := scanOperator(tx.QueryRowContext(ctx, `INSERT INTO operators (public_id, email, name, password_hash, owner, locale,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+operatorCols,
		pubid.New("op"), n.Email, n.Name, hashPassword(n.Password), n.Owner, n.Locale, tx.Now.UnixMicro()))
	if err != nil {
		if c, _ := db.ConstraintOf(err); c == db.UniqueViolation {
			var f fault.Fields
			f.Add("email", "taken", "belongs to another operator")
			return Operator{}, f.Err()
		}
		return Operator{}, fmt.Errorf("create operator: %w", db.MapError(err))
	}
	return o, Audit(ctx, tx, Change{ProgramID: programID, Action: "operator.create", ObjectKind: "operator", ObjectID: o.PublicID, After: o})
}

// CreateOperator creates an operator in its own transaction.
func (s *Service) CreateOperator(ctx context.Context, n NewOperator) (Operator, error) {
	var o Operator
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		o, err = CreateOperatorTx(ctx, tx, 0, n)
		return err
	})
	return o, err
}

// OperatorByID returns the operator with the internal id.
func (s *Service) OperatorByID(ctx context.Context, id int64) (Operator, error) {
	return s.operatorWhere(ctx, "id = $1", id)
}

func (s *Service) operatorWhere(ctx context.Context, cond string, arg any) (Operator, error) {
	o, err := scanOperator(s.DB.R.QueryRowContext(ctx, `SELECT `+operatorCols+` FROM operators WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, fault.New(fault.NotFound, "operator.not_found", "operator not found")
	}
	if err != nil {
		return Operator{}, fmt.Errorf("operator: %w", db.MapError(err))
	}
	return o, nil
}

var errBadLogin = fault.New(fault.Unauthenticated, "auth.bad_login", "wrong email or password")

// hashSlots bounds how many password hashes run at once: each takes argon2's
// 19 MiB, and sign-in is a public route.
var hashSlots = make(chan struct{}, 4)

// slowHash runs check while holding a hash slot; a caller who waits too long
// is told to try again rather than queueing without end.
func slowHash(ctx context.Context, check func() bool) (bool, error) {
	t := time.NewTimer(3 * time.Second)
	defer t.Stop()
	select {
	case hashSlots <- struct{}{}:
	case <-t.C:
		return false, fault.New(fault.TooManyRequests, "auth.busy", "too many sign-ins at once: try again in a moment")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return check(), nil
}

// Authenticate checks an operator's email and password. Each attempt is
// counted as a failure before the password is hashed, in one conditional
// UPDATE, and forgiven only when the password is right: however many guesses
// arrive at once, no more than MaxFailedLogins are hashed before the
// operator is locked out for LockoutPeriod. A disabled operator cannot sign
// in.
func (s *Service) Authenticate(ctx context.Context, email, password string) (Operator, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var hash, publicID string
	var id, locked int64
	var disabled bool
	var failed int
	known := false
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE operators SET failed_logins = failed_logins + 1
			WHERE email = $1 AND locked_until <= $2 AND failed_logins < $3
			RETURNING id, public_id, password_hash, disabled, failed_logins`, email, tx.Now.UnixMicro(), MaxFailedLogins).
			Scan(&id, &publicID, &hash, &disabled, &failed)
		if errors.Is(err, sql.ErrNoRows) {
			// Unknown, or locked: which, we read without changing anything.
			id, known = 0, true
			err = tx.QueryRowContext(ctx, `SELECT locked_until FROM operators WHERE email = $1`, email).Scan(&locked)
			if errors.Is(err, sql.ErrNoRows) {
				known = false
				return nil
			}
		}
		return err
	})
	if err != nil {
		return Operator{}, unavailable(err)
	}
	if id == 0 {
		if !known {
			// An unknown email costs what a real one does.
			if _, err := slowHash(ctx, func() bool { return checkPassword(dummyHash, password) }); err != nil {
				return Operator{}, err
			}
			return Operator{}, errBadLogin
		}
		until := time.UnixMicro(locked)
		if now := s.DB.Now(); !until.After(now) {
			until = now.Add(LockoutPeriod) // the lock-out is being written
		}
		return Operator{}, fault.New(fault.Unauthenticated, "auth.locked", "too many wrong passwords: try again after {until}",
			fault.P{"until": until.UTC().Format(time.RFC3339)})
	}
	ok, err := slowHash(ctx, func() bool { return checkPassword(hash, password) })
	if err != nil {
		// Not a wrong password: give the attempt back.
		_ = s.DB.InTx(context.WithoutCancel(ctx), func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE operators SET failed_logins = failed_logins - 1 WHERE id = $1 AND failed_logins > 0`, id)
			return err
		})
		return Operator{}, err
	}
	if !ok {
		if failed < MaxFailedLogins {
			return Operator{}, errBadLogin
		}
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE operators SET failed_logins = 0, locked_until = $2 WHERE id = $1 AND failed_logins >= $3`,
				id, tx.Now.Add(LockoutPeriod).UnixMicro(), MaxFailedLogins)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return Audit(WithActor(ctx, System("lock-out")), tx, Change{Action: "operator.lock", ObjectKind: "operator",
				ObjectID: publicID, After: map[string]any{"locked_for": LockoutPeriod.String()}})
		})
		if err != nil {
			return Operator{}, unavailable(err)
		}
		return Operator{}, errBadLogin
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE operators SET failed_logins = 0 WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return Operator{}, unavailable(err)
	}
	if disabled {
		return Operator{}, fault.New(fault.Unauthenticated, "auth.disabled", "this operator is disabled")
	}
	return s.OperatorByID(ctx, id)
}

// Membership is an operator's role in a program.
type Membership struct {
	Operator Operator
	Role     Role
	Since    time.Time
}

// Team lists the operators of a program with their roles, in the order
// they joined; w is the page, and the next page's offset comes back (0:
// none).
func (s *Service) Team(ctx context.Context, sc Scope, role Role, w db.Window) ([]Membership, int, error) {
	if err := sc.Require(PermOperatorsRead); err != nil {
		return nil, 0, err
	}
	if err := db.CheckLimit(w.Limit); err != nil {
		return nil, 0, err
	}
	page, args := w.SQL(2)
	rows, err := s.DB.R.QueryContext(ctx, `SELECT `+prefixed("o.", operatorCols)+`, m.role, m.created_at
		FROM program_operators m JOIN operators o ON o.id = m.operator_id
		WHERE m.program_id = $1 AND ($2 = '' OR m.role = $2) ORDER BY m.created_at, o.id`+page, append([]any{sc.Program.ID, string(role)}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Membership, error) {
		var m Membership
		var since int64
		o, err := scanOperator(r, &m.Role, &since)
		m.Operator, m.Since = o, time.UnixMicro(since).UTC()
		return m, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("team: %w", err)
	}
	out, next := db.Trim(w, out)
	return out, next, nil
}

// keepAnAdmin refuses to let operatorID stop being an admin when no other
// admin would remain: a program always has someone who can manage it. It
// locks every admin row of the program first, so that two admins leaving at
// once cannot both see the other still there.
func keepAnAdmin(ctx context.Context, tx *db.Tx, programID, operatorID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT operator_id FROM program_operators WHERE program_id = $1 AND role = 'admin'
		ORDER BY operator_id`+tx.ForUpdate(), programID)
	admins, err := db.Collect(rows, err, func(s interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, s.Scan(&id)
	})
	if err != nil {
		return err
	}
	for _, id := range admins {
		if id != operatorID {
			return nil
		}
	}
	return fault.New(fault.Conflict, "team.last_admin", "a program needs an admin: make someone else admin first")
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// SetRoleTx gives an operator a role in the scope's program (adding them to
// the team when they are not on it), audited.
func SetRoleTx(ctx context.Context, tx *db.Tx, programID int64, o Operator, role Role) error {
	if !ValidRole(role) {
		var f fault.Fields
		f.OneOf("role", roleNames())
		return f.Err()
	}
	var before sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT role FROM program_operators WHERE program_id = $1 AND operator_id = $2`+tx.ForUpdate(),
		programID, o.ID).Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if before.Valid && Role(before.String) == role {
		return nil
	}
	if before.Valid && Role(before.String) == RoleAdmin {
		if err := keepAnAdmin(ctx, tx, programID, o.ID); err != nil {
			return err
		}
	}
	if before.Valid {
		_, err = tx.ExecContext(ctx, `UPDATE program_operators SET role = $3 WHERE program_id = $1 AND operator_id = $2`, programID, o.ID, string(role))
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO program_operators (program_id, operator_id, role, created_at) VALUES ($1, $2, $3, $4)`,
			programID, o.ID, string(role), tx.Now.UnixMicro())
	}
	if err != nil {
		return fmt.Errorf("set role: %w", db.MapError(err))
	}
	var prev any
	if before.Valid {
		prev = map[string]string{"role": before.String}
	}
	return Audit(ctx, tx, Change{ProgramID: programID, Action: "operator.role", ObjectKind: "operator", ObjectID: o.PublicID,
		Before: prev, After: map[string]string{"role": string(role), "email": o.Email}})
}

// SetRole gives an operator a role in the scope's program.
func (s *Service) SetRole(ctx context.Context, sc Scope, operatorID string, role Role) error {
	if err := sc.Require(PermOperatorsManage); err != nil {
		return err
	}
	o, err := s.operatorWhere(ctx, "public_id = $1", operatorID)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return SetRoleTx(ctx, tx, sc.Program.ID, o, role) })
}

// RemoveFromTeam takes an operator off the program's team. The last admin
// cannot be removed: a program always has someone who can manage it.
func (s *Service) RemoveFromTeam(ctx context.Context, sc Scope, operatorID string) error {
	if err := sc.Require(PermOperatorsManage); err != nil {
		return err
	}
	o, err := s.operatorWhere(ctx, "public_id = $1", operatorID)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM program_operators WHERE program_id = $1 AND operator_id = $2`+tx.ForUpdate(),
			sc.Program.ID, o.ID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.New(fault.NotFound, "team.not_member", "operator is not on this program's team")
		}
		if err != nil {
			return err
		}
		if Role(role) == RoleAdmin {
			if err := keepAnAdmin(ctx, tx, sc.Program.ID, o.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM program_operators WHERE program_id = $1 AND operator_id = $2`, sc.Program.ID, o.ID); err != nil {
			return err
		}
		return Audit(ctx, tx, Change{ProgramID: sc.Program.ID, Action: "operator.remove", ObjectKind: "operator", ObjectID: o.PublicID,
			Before: map[string]string{"role": role, "email": o.Email}})
	})
}

// secret makes a token: a prefix and 32 random bytes; only its hash is kept.
func secret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AddToTeam gives the operator with the email a role in the scope's program,
// creating the operator first (name and password needed) when the email is
// new. Both commit together, audited.
func (s *Service) AddToTeam(ctx context.Context, sc Scope, n NewOperator, role Role) (Operator, error) {
	if err := sc.Require(PermOperatorsManage); err != nil {
		return Operator{}, err
	}
	var o Operator
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		email := strings.ToLower(strings.TrimSpace(n.Email))
		var err error
		o, err = scanOperator(tx.QueryRowContext(ctx, `SELECT `+operatorCols+` FROM operators WHERE email = $1`, email))
		if errors.Is(err, sql.ErrNoRows) {
			n.Owner = false
			o, err = CreateOperatorTx(ctx, tx, sc.Program.ID, n)
		}
		if err != nil {
			return err
		}
		return SetRoleTx(ctx, tx, sc.Program.ID, o, role)
	})
	return o, err
}
