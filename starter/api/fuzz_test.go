package api

import (
	"awardengine/structs"

	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecode feeds any body to decode (JSON, then the clean-text walk) for the request types
// with free text. Whatever it accepts holds no control character a journey or the database
// cannot take (NUL above all) and no line break in a single-line field; whatever it refuses
// is a 400 or 422 problem; it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"note":"a\u0000b"}`, `{"note":"line 1\r\nline 2\tend","filename":"x.pdf","standards":["S1"]}`,
		`{"applicant_name":"Evil\r\nBcc: x","setting_name":"Hill"}`, `{"ratings":{"LD1":"met","L\nD2":"x"},"feedback":"ok"}`,
		`{"rationale":"\u2028"}`, `{"a":{"b":[1,"\u001b",null,{"c":"\u0085"}]}}`, "{\"note\":\"\xff\"}",
		`{}`, `[]`, `null`, `{"note":1}`, `{"unknown":""}`, `{"note":""} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{&structs.RegisterRequest{}, &structs.AddEvidenceRequest{}, &structs.RatingsRequest{}, &structs.ModerateRequest{}, &map[string]any{}}
		for _, v := range targets {
			err := decodeBytes(body, v)
			if err != nil {
				var p *problem
				if !errors.As(err, &p) || (p.Status != http.StatusBadRequest && p.Status != http.StatusUnprocessableEntity) {
					t.Fatalf("%T: want a 400 or 422 problem, got %v", v, err)
				}
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(out) || bytes.Contains(out, []byte(`\u0000`)) {
				t.Fatalf("%T: accepted NUL or bad UTF-8: %s", v, out)
			}
			for _, s := range singleLine(v) {
				if strings.ContainsAny(s, "\r\n\u2028\u2029\t\x00") {
					t.Fatalf("%T: accepted a line break in a single-line field: %q", v, s)
				}
			}
		}
	})
}

// singleLine lists the single-line fields of the typed requests.
func singleLine(v any) []string {
	switch r := v.(type) {
	case *structs.RegisterRequest:
		return []string{r.SettingReference, r.SettingName, r.Track, r.Variant, r.ApprovalDate, r.ApplicantName, r.ApplicantEmail, r.SupporterEmail}
	case *structs.AddEvidenceRequest:
		return append([]string{r.Filename, r.ContentType, r.SHA256}, r.Standards...)
	case *structs.RatingsRequest:
		out := []string{r.VisitDate}
		for k, v := range r.Ratings {
			out = append(out, k, v)
		}
		return out
	case *structs.ModerateRequest:
		out := []string{r.Decision}
		for k, v := range r.Ratings {
			out = append(out, k, v)
		}
		return out
	}
	return nil
}
