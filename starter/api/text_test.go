package api

import (
	"awardengine/structs"

	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// decodeBody runs decode on a JSON body as a handler would.
func decodeBody(t *testing.T, body string, v any) error {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/x", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return decode(r, v)
}

func TestDecodeRefusesControlCharactersNamingTheField(t *testing.T) {
	type nested struct {
		Comment string `json:"comment" text:"multiline"`
		Label   string `json:"label"`
	}
	type request struct {
		Name     string            `json:"name"`
		Note     string            `json:"note" text:"multiline"`
		Tags     []string          `json:"tags"`
		Ratings  map[string]string `json:"ratings"`
		Reasons  []string          `json:"reasons" text:"multiline"`
		Inner    *nested           `json:"inner"`
		Optional *string           `json:"optional"`
		Count    int               `json:"count"`
		Raw      []byte            `json:"raw"`
	}
	cases := []struct {
		name, body, field, message string
	}{
		{"NUL in a multi-line note", `{"note":"a\u0000b"}`, "note", "U+0000"},
		{"NUL in a name", `{"name":"a\u0000b"}`, "name", "U+0000"},
		{"line break in a name", `{"name":"Evil\r\nBcc: x"}`, "name", "single line"},
		{"line separator in a name", `{"name":"a\u2028b"}`, "name", "U+2028"},
		{"escape in a list", `{"tags":["ok","ok","\u001b[2J"]}`, "tags[2]", "U+001B"},
		{"control in a map value", `{"ratings":{"LD1":"met\u0007"}}`, "ratings.LD1", "U+0007"},
		{"line break in a map key", `{"ratings":{"LD\n1":"met"}}`, "ratings (a key)", "single line"},
		{"lone CR in a multi-line list", `{"reasons":["fine","a\rb"]}`, "reasons[1]", "carriage return"},
		{"nested single-line", `{"inner":{"comment":"two\nlines","label":"x\ny"}}`, "inner.label", "single line"},
		{"nested multi-line", `{"inner":{"comment":"a\u0000"}}`, "inner.comment", "U+0000"},
		{"pointer", `{"optional":"\u0085"}`, "optional", "U+0085"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var req request
			err := decodeBody(t, c.body, &req)
			var p *problem
			if !errors.As(err, &p) {
				t.Fatalf("want a problem, got %v", err)
			}
			if p.Status != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != c.field ||
				!strings.Contains(p.Errors[0].Message, c.message) {
				t.Fatalf("want 422 naming %q with %q, got %d %+v", c.field, c.message, p.Status, p.Errors)
			}
			if strings.ContainsAny(p.Detail, "\x00\r\n\x1b\a") {
				t.Fatalf("the detail repeats a control character: %q", p.Detail)
			}
		})
	}

	t.Run("clean text passes", func(t *testing.T) {
		var req request
		body := `{"name":"Zoë O'Neill","note":"First paragraph.\r\n\r\nSecond,\tindented.\n","tags":["a"],` +
			`"ratings":{"LD1":"met"},"reasons":["one\ntwo"],"inner":{"comment":"x\ny","label":"ok"},"count":3,"raw":"AAE="}`
		if err := decodeBody(t, body, &req); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a body that is not UTF-8 is refused, not patched", func(t *testing.T) {
		var req request
		err := decodeBody(t, "{\"name\":\"a\xffb\"}", &req)
		var p *problem
		if !errors.As(err, &p) || p.Status != http.StatusBadRequest || !strings.Contains(p.Detail, "not valid UTF-8 (at byte 11)") {
			t.Fatalf("want 400 naming the byte, got %+v", err)
		}
	})
	t.Run("every bad field is listed", func(t *testing.T) {
		var req request
		err := decodeBody(t, `{"name":"a\u0000","tags":["b\n"],"note":"c\u0001"}`, &req)
		var p *problem
		if !errors.As(err, &p) || len(p.Errors) != 3 || !strings.Contains(p.Detail, "and 2 more") {
			t.Fatalf("want three fields, got %+v", err)
		}
	})
	t.Run("map[string]any bodies are walked too", func(t *testing.T) {
		var req map[string]any
		err := decodeBody(t, `{"a":{"b":["x","y\u0000"]}}`, &req)
		var p *problem
		if !errors.As(err, &p) || p.Errors[0].Field != "a.b[1]" {
			t.Fatalf("want a.b[1], got %+v", err)
		}
	})
}

// TestRequestTypesTagTheirParagraphs pins which request fields may hold paragraphs: every
// other string of every request is single-line.
func TestRequestTypesTagTheirParagraphs(t *testing.T) {
	cases := []struct {
		name string
		v    any
		body string
		ok   bool
	}{
		{"register: names are single-line", &structs.RegisterRequest{}, `{"setting_name":"` + "A\\nB" + `"}`, false},
		{"register: applicant name", &structs.RegisterRequest{}, `{"applicant_name":"A\rB"}`, false},
		{"evidence note is a paragraph", &structs.AddEvidenceRequest{}, `{"note":"a\nb"}`, true},
		{"evidence filename is one line", &structs.AddEvidenceRequest{}, `{"filename":"a\nb.pdf"}`, false},
		{"assessment feedback is a paragraph", &structs.RatingsRequest{}, `{"feedback":"a\nb"}`, true},
		{"moderation rationale is a paragraph", &structs.ModerateRequest{}, `{"rationale":"a\nb"}`, true},
		{"withdraw reason is a paragraph", &structs.ReasonRequest{}, `{"reason":"a\nb"}`, true},
		{"decline reason is a paragraph", &structs.ReasonRequest{}, `{"reason":"a\nb"}`, true},
		{"nudge reason is a paragraph", &structs.ReasonRequest{}, `{"reason":"a\nb"}`, true},
		{"extend reason is a paragraph", &structs.ExtendRequest{}, `{"reason":"a\nb"}`, true},
		{"allocation reason is a paragraph", &structs.AllocateRequest{}, `{"reason":"a\nb"}`, true},
		{"legal hold reason is a paragraph", &structs.LegalHoldRequest{}, `{"reason":"a\nb"}`, true},
		{"conflict reason is a paragraph", &structs.ConflictRequest{}, `{"reason":"a\nb"}`, true},
		{"conflict setting reference is one line", &structs.ConflictRequest{}, `{"setting_reference":"a\nb"}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := decodeBody(t, c.body, c.v)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && err == nil {
				t.Fatal("accepted a line break")
			}
		})
	}
}

func TestQueryAndPathAreCleanText(t *testing.T) {
	h := (&Server{}).Handler()
	cases := []struct {
		target string
		status int
		field  string
	}{
		{"/v1/admin/search?q=a%00b", http.StatusUnprocessableEntity, "q"},
		{"/v1/admin/search?q=a%0D%0Ab", http.StatusUnprocessableEntity, "q"},
		{"/v1/admin/audit?application=x%FFy", http.StatusUnprocessableEntity, "application"},
		{"/v1/admin/search?a%0Ab=1", http.StatusUnprocessableEntity, "query parameter name"},
		{"/v1/applications/app%00x", http.StatusBadRequest, ""},
	}
	for _, c := range cases {
		t.Run(c.target, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.target, nil))
			if w.Code != c.status {
				t.Fatalf("want %d, got %d: %s", c.status, w.Code, w.Body)
			}
			if c.field != "" && !strings.Contains(w.Body.String(), `"field":"`+c.field+`"`) {
				t.Fatalf("want field %q named: %s", c.field, w.Body)
			}
		})
	}
}
