package email

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDataJSON decodes email.Data as the email activity receives it from a journey's history
// (both the snake_case form and the legacy Go-field-name form): decoding never panics, a
// decoded value survives a round trip unchanged, and every kind renders from it.
func FuzzDataJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"setting_name":"Hill","missing":["S1","S2"],"months":6}`,
		`{"SettingName":"Old","setting_name":"New"}`,
		`{"TenantName":"Council","SettingName":"Hill","ApplicationID":"app_1","DueDate":"1 June 2027","Months":6,"Missing":["S1"],"Reason":"r"}`,
		`{"feedback":"para 1\n\npara 2","items":[{"kind":"assessment_reminder","subject":"s","text":"t"}]}`,
		`{"reason":"a\u0000b","recipient_name":"<b>x</b>"}`, `{"months":1e400}`, `{"items":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Data
		if err := json.Unmarshal(b, &d); err != nil {
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back Data
		if err := json.Unmarshal(again, &back); err != nil || !reflect.DeepEqual(back, d) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, d, back)
		}
		for _, kind := range Kinds() {
			if _, _, _, err := Render(kind, d); err != nil {
				t.Fatalf("render %s: %v", kind, err)
			}
		}
	})
}
