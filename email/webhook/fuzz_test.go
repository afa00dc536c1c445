package webhook

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// FuzzParse: any body either parses into events that all have an id and survive a round trip,
// or is refused with an error; it never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`[]`, `[{"sg_event_id":"e1","event":"bounce","email":"a@b.c","timestamp":1700000000,"dedupe_key":"k"}]`,
		`[{"event":"processed"}]`, `{}`, ``, ` [ ] `, `[null]`, `[{"sg_event_id":"x","timestamp":1e99}]`,
		`[{"sg_event_id":"\u0000","reason":"a\nb"}]`, "[\xff]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := Parse(body)
		if err != nil {
			if events != nil {
				t.Fatal("events with an error")
			}
			return
		}
		for i, e := range events {
			if e.ID == "" {
				t.Fatalf("event %d has no id", i)
			}
		}
		again, err := json.Marshal(events)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(again)
		if err != nil || !reflect.DeepEqual(back, events) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// fuzzSigner is one key for every run of FuzzVerify (generating one per input is slow).
var fuzzSigner = func() *Signer {
	s, err := NewSigner()
	if err != nil {
		panic(err)
	}
	return s
}()

// FuzzVerify: for any headers and body, Verify answers nil or one of its sentinel errors and
// never panics; our own signature over (timestamp, body) verifies, and the same signature over
// a different body or timestamp does not.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	f.Add("", "", []byte(`[]`))
	f.Add("MEUCIQ==", "1700000000", []byte(`[{"sg_event_id":"e"}]`))
	f.Add("not base64!", "1700000000", []byte(`x`))
	f.Add("AAAA", "-9223372036854775808", []byte(nil))
	f.Add("AAAA", "9223372036854775807", []byte(`[]`))
	f.Add("AAAA", "1700000000.5", []byte(`[]`))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		v := &Verifier{Key: &fuzzSigner.Key.PublicKey, Now: func() time.Time { return now }}
		if err := v.Verify(sig, ts, body); err != nil {
			if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrStale) && !errors.Is(err, ErrMissingSignature) {
				t.Fatalf("not a sentinel error: %v", err)
			}
		}
		// A genuine signature at a fresh timestamp verifies; moved to another body or time, it does not.
		fresh := "1700000000"
		good, err := fuzzSigner.Sign(fresh, body)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Verify(good, fresh, body); err != nil {
			t.Fatalf("our signature was refused: %v", err)
		}
		if err := v.Verify(good, fresh, append(append([]byte{}, body...), 'x')); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a signature verified another body: %v", err)
		}
		if err := v.Verify(good, "1700000001", body); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a signature verified another timestamp: %v", err)
		}
	})
}
