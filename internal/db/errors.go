package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"kox/internal/fault"
)

// SQLite primary and extended result codes we act on.
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteConstraint = 19
	sqliteCheck      = 275  // SQLITE_CONSTRAINT_CHECK
	sqliteForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteNotNull    = 1299 // SQLITE_CONSTRAINT_NOTNULL
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
)

// Retryable reports whether err is a transient conflict that running the same
// transaction again may get past.
func (d *DB) Retryable(err error) bool { return Retryable(err) }

// ErrRetry marks an error that a domain package knows to be transient (for
// example a unique key taken by a concurrent writer between a read and a
// write): InTx runs the transaction again.
var ErrRetry = errors.New("transient conflict")

// Retryable reports whether err is a transient conflict: SQLite busy or locked,
// PostgreSQL serialization failure, deadlock or lock timeout, or ErrRetry.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrRetry) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03":
			return true
		}
	}
	return false
}

// Constraint says which kind of constraint a driver error broke.
type Constraint int

const (
	NoConstraint Constraint = iota
	UniqueViolation
	ForeignKeyViolation
	CheckViolation
	NotNullViolation
)

// ConstraintOf classifies a driver error by the constraint it broke, and
// returns the constraint's name or message for context.
func ConstraintOf(err error) (Constraint, string) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		msg := se.Error()
		switch se.Code() {
		case sqliteUnique, sqlitePrimaryKey:
			return UniqueViolation, msg
		case sqliteForeignKey:
			return ForeignKeyViolation, msg
		case sqliteCheck:
			return CheckViolation, msg
		case sqliteNotNull:
			return NotNullViolation, msg
		}
		if se.Code()&0xff == sqliteConstraint {
			switch {
			case strings.Contains(msg, "UNIQUE"):
				return UniqueViolation, msg
			case strings.Contains(msg, "FOREIGN KEY"):
				return ForeignKeyViolation, msg
			case strings.Contains(msg, "CHECK"):
				return CheckViolation, msg
			case strings.Contains(msg, "NOT NULL"):
				return NotNullViolation, msg
			}
		}
		return NoConstraint, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return UniqueViolation, pe.ConstraintName
		case "23503":
			return ForeignKeyViolation, pe.ConstraintName
		case "23514":
			return CheckViolation, pe.ConstraintName
		case "23502":
			return NotNullViolation, pe.ColumnName
		}
	}
	return NoConstraint, ""
}

// MapError turns a driver error into a domain error; domain errors and nil
// pass through unchanged.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fault.Wrap(fault.NotFound, err, "db.not_found", "not found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	switch c, _ := ConstraintOf(err); c {
	case UniqueViolation:
		return fault.Wrap(fault.Conflict, err, "db.exists", "already exists")
	case ForeignKeyViolation:
		return fault.Wrap(fault.Invalid, err, "db.foreign_key", "refers to something that does not exist")
	case CheckViolation, NotNullViolation:
		return fault.Wrap(fault.Invalid, err, "db.check", "breaks a rule of the data")
	}
	if Retryable(err) {
		return fault.Wrap(fault.Unavailable, err, "db.busy", "the database is busy; try again")
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) && isConnError(err) {
		return fault.Wrap(fault.Unavailable, err, "db.unreachable", "the database cannot be reached")
	}
	return err
}

func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return errors.Is(err, sql.ErrConnDone)
}
