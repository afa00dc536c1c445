package postgres

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// DataError is a PostgreSQL refusal of the data itself, which no retry can change: a data
// exception (SQLSTATE class 22, such as text holding NUL, 22021) or an integrity constraint
// violation (class 23) other than a uniqueness conflict. Its message carries the SQLSTATE, a
// description and the schema names PostgreSQL reports (table, column, constraint), never a
// value: PostgreSQL's own message can quote the value and its Detail field does (a key, a
// row), and either may be personal.
type DataError struct {
	Code        string // SQLSTATE, e.g. 22021
	Description string // what the code means, for people
	Table       string
	Column      string
	Constraint  string
}

func (e *DataError) Error() string {
	var where []string
	if e.Table != "" {
		where = append(where, "table "+e.Table)
	}
	if e.Column != "" {
		where = append(where, "column "+e.Column)
	}
	if e.Constraint != "" {
		where = append(where, "constraint "+e.Constraint)
	}
	msg := fmt.Sprintf("the database refused the data (SQLSTATE %s: %s)", e.Code, e.Description)
	if len(where) > 0 {
		msg += " in " + strings.Join(where, ", ")
	}
	return msg
}

// AsDataError returns the data error err holds, or nil when err is anything else (a lost
// connection, a timeout, a serialization failure: worth retrying). A unique or exclusion
// violation (23505, 23P01) is not a data error: it is how a race between two writers of the
// same row shows, and a retry takes the idempotent path that finds the row.
func AsDataError(err error) *DataError {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || len(pg.Code) != 5 {
		return nil
	}
	switch class := pg.Code[:2]; {
	case class == "22":
	case class == "23" && pg.Code != "23505" && pg.Code != "23P01":
	default:
		return nil
	}
	return &DataError{Code: pg.Code, Description: describeSQLState(pg.Code), Table: pg.TableName,
		Column: pg.ColumnName, Constraint: pg.ConstraintName}
}

// sqlStates describes the data errors the award engine can meet; others get their class.
var sqlStates = map[string]string{
	"22001": "a value is too long for its column",
	"22003": "a number is out of range",
	"22004": "a required value is null",
	"22007": "a date or time is malformed",
	"22008": "a date or time is out of range",
	"22012": "division by zero",
	"22021": "text holds a character the database cannot store (such as NUL) or bytes that are not UTF-8",
	"22023": "a parameter has an invalid value",
	"22025": "an invalid escape sequence",
	"22P02": "a value is not in the form its column needs",
	"22P05": "text holds a character the database cannot store (such as \\u0000 in JSON)",
	"23001": "the row is still referred to",
	"23502": "a required value is missing",
	"23503": "it refers to a row that does not exist",
	"23514": "it breaks a check of the table",
}

func describeSQLState(code string) string {
	if d, ok := sqlStates[code]; ok {
		return d
	}
	if strings.HasPrefix(code, "22") {
		return "data exception"
	}
	return "integrity constraint violation"
}
