package postgres

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestAsDataError(t *testing.T) {
	cases := []struct {
		code    string
		data    bool
		message string
	}{
		{"22021", true, "SQLSTATE 22021: text holds a character the database cannot store"},
		{"22P05", true, "SQLSTATE 22P05"},
		{"22001", true, "too long"},
		{"22999", true, "data exception"},
		{"23502", true, "a required value is missing"},
		{"23503", true, "does not exist"},
		{"23514", true, "check"},
		{"23505", false, ""}, // a uniqueness race: the retry finds the row
		{"23P01", false, ""},
		{"40001", false, ""}, // serialization failure: retry
		{"57P01", false, ""}, // admin shutdown: retry
		{"08006", false, ""}, // connection failure: retry
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			pg := &pgconn.PgError{Code: c.code, Message: `invalid input syntax: "Jane Doe"`, Detail: "Key (email)=(jane@example.org)",
				TableName: "evidence", ColumnName: "note", ConstraintName: "evidence_note_check"}
			de := AsDataError(fmt.Errorf("recording: %w", pg))
			if (de != nil) != c.data {
				t.Fatalf("data error %v, want %v", de != nil, c.data)
			}
			if de == nil {
				return
			}
			msg := de.Error()
			if !strings.Contains(msg, c.message) || !strings.Contains(msg, "table evidence, column note, constraint evidence_note_check") {
				t.Fatalf("message %q", msg)
			}
			if strings.Contains(msg, "Jane") || strings.Contains(msg, "jane@") {
				t.Fatalf("the message carries a personal value: %q", msg)
			}
		})
	}
	if AsDataError(errors.New("connection refused")) != nil || AsDataError(nil) != nil {
		t.Fatal("a non-PostgreSQL error is not a data error")
	}
}
