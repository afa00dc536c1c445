package api

import (
	"encoding/csv"
	"io"
)

// Every CSV the API writes (the report and the audit export) goes through csvWriter, which
// neutralises formula injection (OWASP "CSV injection"): a cell that starts with =, +, -, @,
// a tab or a carriage return is run as a formula, or read as one, by spreadsheet programs, so
// such a cell gets a leading single quote, which they show as text. The rule holds for every
// cell, numbers included: the figures we write are counts, ids, medians and timestamps, none
// of them negative, so no number of ours is changed; a cell that still starts with - or +
// came from text, and a uniform rule leaves no "looks numeric" gap to slip a formula through.

// csvWriter is encoding/csv's writer with every cell neutralised.
type csvWriter struct{ *csv.Writer }

func newCSVWriter(w io.Writer) csvWriter { return csvWriter{csv.NewWriter(w)} }

// Write writes one record, its cells neutralised.
func (w csvWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, cell := range record {
		safe[i] = csvCell(cell)
	}
	return w.Writer.Write(safe)
}

// WriteAll writes records and flushes, as csv.Writer.WriteAll does.
func (w csvWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// csvCell neutralises one cell: a leading single quote before a formula trigger.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
