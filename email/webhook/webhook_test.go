package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var baseTime = time.Unix(1_700_000_000, 0)

func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

func newSigner(t *testing.T) *Signer {
	t.Helper()
	s, err := NewSigner()
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

func mustSign(t *testing.T, s *Signer, ts string, body []byte) string {
	t.Helper()
	sig, err := s.Sign(ts, body)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return sig
}

func tsAt(d time.Duration) string { return strconv.FormatInt(baseTime.Add(d).Unix(), 10) }

func TestVerify(t *testing.T) {
	signer := newSigner(t)
	other := newSigner(t)
	key, err := ParsePublicKey(signer.PublicKeyBase64())
	if err != nil {
		t.Fatalf("ParsePublicKey: %v", err)
	}
	body := []byte(`[{"email":"a@example.com","event":"delivered","sg_event_id":"ev1","timestamp":1700000000}]`)
	now := tsAt(0)
	tampered := []byte(strings.Replace(string(body), "delivered", "bounce", 1))

	tests := []struct {
		name    string
		key     *ecdsa.PublicKey
		maxAge  time.Duration
		sig     string
		ts      string
		body    []byte
		wantErr error
	}{
		{"round trip", key, 0, mustSign(t, signer, now, body), now, body, nil},
		{"empty body signed", key, 0, mustSign(t, signer, now, nil), now, []byte{}, nil},
		{"tampered body", key, 0, mustSign(t, signer, now, body), now, tampered, ErrBadSignature},
		{"body with trailing newline", key, 0, mustSign(t, signer, now, body), now, append(append([]byte(nil), body...), '\n'), ErrBadSignature},
		{"timestamp swapped but fresh", key, 0, mustSign(t, signer, now, body), tsAt(-time.Second), body, ErrBadSignature},
		{"signed by another key", key, 0, mustSign(t, other, now, body), now, body, ErrBadSignature},
		{"garbage base64 signature", key, 0, "!!!not base64!!!", now, body, ErrBadSignature},
		{"valid base64 but not a signature", key, 0, base64.StdEncoding.EncodeToString([]byte("hello")), now, body, ErrBadSignature},
		{"nil key", nil, 0, mustSign(t, signer, now, body), now, body, ErrBadSignature},
		{"missing signature", key, 0, "", now, body, ErrMissingSignature},
		{"missing timestamp", key, 0, mustSign(t, signer, now, body), "", body, ErrMissingSignature},
		{"both missing", key, 0, "", "", body, ErrMissingSignature},
		{"within default max age", key, 0, mustSign(t, signer, tsAt(-9*time.Minute), body), tsAt(-9 * time.Minute), body, nil},
		{"exactly default max age", key, 0, mustSign(t, signer, tsAt(-10*time.Minute), body), tsAt(-10 * time.Minute), body, nil},
		{"stale past default max age", key, 0, mustSign(t, signer, tsAt(-11*time.Minute), body), tsAt(-11 * time.Minute), body, ErrStale},
		{"stale past custom max age", key, time.Minute, mustSign(t, signer, tsAt(-2*time.Minute), body), tsAt(-2 * time.Minute), body, ErrStale},
		{"custom max age allows older", key, time.Hour, mustSign(t, signer, tsAt(-30*time.Minute), body), tsAt(-30 * time.Minute), body, nil},
		{"slightly in the future", key, 0, mustSign(t, signer, tsAt(4*time.Minute), body), tsAt(4 * time.Minute), body, nil},
		{"too far in the future", key, 0, mustSign(t, signer, tsAt(6*time.Minute), body), tsAt(6 * time.Minute), body, ErrStale},
		{"far future does not overflow", key, 0, mustSign(t, signer, "9223372036854775807", body), "9223372036854775807", body, ErrStale},
		{"far past does not overflow", key, 0, mustSign(t, signer, "-9223372036854775808", body), "-9223372036854775808", body, ErrStale},
		{"timestamp not a number", key, 0, mustSign(t, signer, "soon", body), "soon", body, ErrStale},
		{"timestamp in milliseconds", key, 0, mustSign(t, signer, now+"000", body), now + "000", body, ErrStale},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Key: tc.key, MaxAge: tc.maxAge, Now: fixedNow(baseTime)}
			err := v.Verify(tc.sig, tc.ts, tc.body)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Verify: got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// Stale errors must say which way the timestamp is off, including at the
// int64 extremes where a naive now-ts would overflow and flip direction.
func TestVerifyStaleDirection(t *testing.T) {
	v := &Verifier{Key: &newSigner(t).Key.PublicKey, Now: fixedNow(baseTime)}
	tests := []struct{ ts, want string }{
		{tsAt(-11 * time.Minute), "older"},
		{"-9223372036854775808", "older"},
		{tsAt(6 * time.Minute), "future"},
		{"9223372036854775807", "future"},
	}
	for _, tc := range tests {
		err := v.Verify("c2ln", tc.ts, nil)
		if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Verify(ts=%s) = %v, want ErrStale mentioning %q", tc.ts, err, tc.want)
		}
	}
}

func TestVerifyDefaultsToTimeNow(t *testing.T) {
	signer := newSigner(t)
	body := []byte(`[]`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	v := &Verifier{Key: &signer.Key.PublicKey}
	if err := v.Verify(mustSign(t, signer, ts, body), ts, body); err != nil {
		t.Fatalf("Verify with real clock: %v", err)
	}
}

// A signature produced independently with OpenSSL
// (openssl dgst -sha256 -sign key.pem over timestamp||body) must verify,
// so the Verifier matches what SendGrid actually sends, not just our Signer.
func TestVerifyOpenSSLVector(t *testing.T) {
	const (
		pub  = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEODr+/XgU12Opb5UoPB+jfKAImTdKR1rNMHpFa+xci7g8/ycl5Bc8PDfkUgm1yY/7ODpyyyvOC4E4Y/F2ufYIwA=="
		sig  = "MEUCIQCINSzuwAlpejfkJ9hmiURLl3K1f9UkcJbomf3hQhGMaAIgCUPx6AI4CUANVsGPuMMSlTrcXdchitPDoBFL3xO+teM="
		ts   = "1700000000"
		body = `[{"email":"a@example.com","event":"delivered","sg_event_id":"ev1","timestamp":1700000000}]`
	)
	key, err := ParsePublicKey(pub)
	if err != nil {
		t.Fatalf("ParsePublicKey: %v", err)
	}
	v := &Verifier{Key: key, Now: fixedNow(time.Unix(1_700_000_060, 0))}
	if err := v.Verify(sig, ts, []byte(body)); err != nil {
		t.Fatalf("Verify OpenSSL vector: %v", err)
	}
	if err := v.Verify(sig, ts, []byte(body+" ")); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify tampered OpenSSL vector: got %v, want ErrBadSignature", err)
	}
}

func TestParsePublicKey(t *testing.T) {
	signer := newSigner(t)
	b64 := signer.PublicKeyBase64()

	der, _ := base64.StdEncoding.DecodeString(b64)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384DER, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKIXPublicKey(edPub)

	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"from PublicKeyBase64", b64, false},
		{"surrounding whitespace", "  " + b64 + "\n", false},
		{"PEM wrapped", pemKey, false},
		{"empty", "", true},
		{"garbage", "not a key at all", true},
		{"base64 of garbage", base64.StdEncoding.EncodeToString([]byte("garbage bytes")), true},
		{"truncated", b64[:len(b64)/2], true},
		{"wrong curve P-384", base64.StdEncoding.EncodeToString(p384DER), true},
		{"not ECDSA (ed25519)", base64.StdEncoding.EncodeToString(edDER), true},
		{"broken PEM", "-----BEGIN PUBLIC KEY-----\nAAAA", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := ParsePublicKey(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParsePublicKey(%q): want error, got key", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if !key.Equal(&signer.Key.PublicKey) {
				t.Fatal("parsed key differs from signer's public key")
			}
		})
	}
}

const realisticBody = `[
 {"email":"alice@example.com","timestamp":1700000001,"smtp-id":"<abc@ismtpd>","event":"processed","category":["award"],"sg_event_id":"ZXZ0LXByb2Nlc3NlZA","sg_message_id":"msg1.filter0001","dedupe_key":"award-42:alice","tenant":"acme"},
 {"email":"alice@example.com","timestamp":1700000005,"event":"delivered","ip":"168.1.1.1","response":"250 OK","tls":1,"sg_event_id":"ZXZ0LWRlbGl2ZXJlZA","sg_message_id":"msg1.filter0001","dedupe_key":"award-42:alice","tenant":"acme"},
 {"email":"bob@example.com","timestamp":1700000006,"event":"bounce","bounce_classification":"Reputation","reason":"550 5.7.1 blocked by policy","status":"5.7.1","type":"blocked","sg_event_id":"ZXZ0LWJsb2NrZWQ","sg_message_id":"msg2.filter0001","dedupe_key":"award-42:bob","tenant":"acme"},
 {"email":"carol@example.com","timestamp":1700000007,"event":"dropped","reason":"Bounced Address","status":"5.0.0","sg_event_id":"ZXZ0LWRyb3BwZWQ","sg_message_id":"msg3.filter0001","dedupe_key":"award-42:carol","tenant":"acme"},
 {"email":"dave@example.com","timestamp":1700000008,"event":"deferred","response":"400 try again later","attempt":"5","sg_event_id":"ZXZ0LWRlZmVycmVk","sg_message_id":"msg4.filter0001","dedupe_key":"award-42:dave","tenant":"acme"},
 {"email":"alice@example.com","timestamp":1700000100,"event":"open","sg_machine_open":false,"useragent":"Mozilla/5.0","ip":"10.0.0.1","sg_event_id":"ZXZ0LW9wZW4","sg_message_id":"msg1.filter0001","dedupe_key":"award-42:alice","tenant":"acme"}
]`

func TestParse(t *testing.T) {
	events, err := Parse([]byte(realisticBody))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Event{
		{ID: "ZXZ0LXByb2Nlc3NlZA", Kind: "processed", Email: "alice@example.com", Timestamp: 1700000001, MessageID: "msg1.filter0001", DedupeKey: "award-42:alice", Tenant: "acme"},
		{ID: "ZXZ0LWRlbGl2ZXJlZA", Kind: "delivered", Email: "alice@example.com", Timestamp: 1700000005, MessageID: "msg1.filter0001", DedupeKey: "award-42:alice", Tenant: "acme"},
		{ID: "ZXZ0LWJsb2NrZWQ", Kind: "bounce", Email: "bob@example.com", Timestamp: 1700000006, MessageID: "msg2.filter0001", Reason: "550 5.7.1 blocked by policy", Status: "5.7.1", Type: "blocked", DedupeKey: "award-42:bob", Tenant: "acme"},
		{ID: "ZXZ0LWRyb3BwZWQ", Kind: "dropped", Email: "carol@example.com", Timestamp: 1700000007, MessageID: "msg3.filter0001", Reason: "Bounced Address", Status: "5.0.0", DedupeKey: "award-42:carol", Tenant: "acme"},
		{ID: "ZXZ0LWRlZmVycmVk", Kind: "deferred", Email: "dave@example.com", Timestamp: 1700000008, MessageID: "msg4.filter0001", DedupeKey: "award-42:dave", Tenant: "acme"},
		{ID: "ZXZ0LW9wZW4", Kind: "open", Email: "alice@example.com", Timestamp: 1700000100, MessageID: "msg1.filter0001", DedupeKey: "award-42:alice", Tenant: "acme"},
	}
	if len(events) != len(want) {
		t.Fatalf("Parse: got %d events, want %d", len(events), len(want))
	}
	for i := range want {
		if events[i] != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, events[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantErr bool
		wantN   int
	}{
		{"empty array", `[]`, false, 0},
		{"whitespace around array", " \n[{\"sg_event_id\":\"x\",\"event\":\"open\"}]\n", false, 1},
		{"malformed JSON", `[{"sg_event_id":"x",`, true, 0},
		{"trailing garbage", `[{"sg_event_id":"x"}] junk`, true, 0},
		{"object not array", `{"sg_event_id":"x","event":"open"}`, true, 0},
		{"null", `null`, true, 0},
		{"empty body", ``, true, 0},
		{"missing sg_event_id", `[{"sg_event_id":"x","event":"open"},{"event":"bounce","email":"b@example.com"}]`, true, 0},
		{"empty sg_event_id", `[{"sg_event_id":"","event":"open"}]`, true, 0},
		{"wrong field type", `[{"sg_event_id":"x","timestamp":"yesterday"}]`, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, err := Parse([]byte(tc.body))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Parse(%q): want error, got %+v", tc.body, events)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if events == nil || len(events) != tc.wantN {
				t.Fatalf("Parse: got %#v, want %d events", events, tc.wantN)
			}
		})
	}
}

func TestClassification(t *testing.T) {
	tests := []struct {
		kind, typ                  string
		bounce, processed, ignored bool
	}{
		{"processed", "", false, true, false},
		{"delivered", "", false, false, false},
		{"bounce", "bounce", true, false, false},
		{"bounce", "blocked", true, false, false},
		{"bounce", "", true, false, false},
		{"dropped", "", true, false, false},
		{"deferred", "", false, false, true},
		{"open", "", false, false, true},
		{"click", "", false, false, true},
		{"spamreport", "", false, false, true},
		{"unsubscribe", "", false, false, true},
		{"group_unsubscribe", "", false, false, true},
		{"group_resubscribe", "", false, false, true},
		{"something_new", "", false, false, false},
		{"", "", false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.typ, func(t *testing.T) {
			e := Event{ID: "x", Kind: tc.kind, Type: tc.typ}
			if got := e.IsBounce(); got != tc.bounce {
				t.Errorf("IsBounce = %v, want %v", got, tc.bounce)
			}
			if got := e.IsProcessed(); got != tc.processed {
				t.Errorf("IsProcessed = %v, want %v", got, tc.processed)
			}
			if got := e.Ignored(); got != tc.ignored {
				t.Errorf("Ignored = %v, want %v", got, tc.ignored)
			}
		})
	}
}

// Signer.Request → HTTP server → Verifier + Parse, as the local endpoint uses it.
func TestRequestEndToEnd(t *testing.T) {
	signer := newSigner(t)
	key, err := ParsePublicKey(signer.PublicKeyBase64())
	if err != nil {
		t.Fatal(err)
	}
	sent := []Event{
		{ID: "e1", Kind: "processed", Email: "a@example.com", Timestamp: baseTime.Unix(), MessageID: "m1", DedupeKey: "d1", Tenant: "t1"},
		{ID: "e2", Kind: "bounce", Type: "blocked", Email: "b@example.com", Timestamp: baseTime.Unix(), Reason: "nope", Status: "5.7.1"},
	}
	v := &Verifier{Key: key, Now: fixedNow(baseTime.Add(30 * time.Second))}

	type result struct {
		events []Event
		err    error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
				err = errors.New("unexpected method " + r.Method + " or content type " + r.Header.Get("Content-Type"))
			}
		}
		if err == nil {
			err = v.Verify(r.Header.Get("X-Twilio-Email-Event-Webhook-Signature"), r.Header.Get("X-Twilio-Email-Event-Webhook-Timestamp"), body)
		}
		var events []Event
		if err == nil {
			events, err = Parse(body)
		}
		results <- result{events, err}
	}))
	defer srv.Close()

	req, err := signer.Request(context.Background(), srv.URL, sent, baseTime)
	if err != nil {
		t.Fatalf("Request: %v", err)
	}
	if got := req.Header.Get("X-Twilio-Email-Event-Webhook-Timestamp"); got != strconv.FormatInt(baseTime.Unix(), 10) {
		t.Fatalf("timestamp header = %q", got)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	resp.Body.Close()
	res := <-results
	if res.err != nil {
		t.Fatalf("server side: %v", res.err)
	}
	if len(res.events) != len(sent) {
		t.Fatalf("got %d events, want %d", len(res.events), len(sent))
	}
	for i := range sent {
		if res.events[i] != sent[i] {
			t.Errorf("event %d: got %+v, want %+v", i, res.events[i], sent[i])
		}
	}
}

func TestSignerWithoutKey(t *testing.T) {
	var s Signer
	if _, err := s.Sign("1", nil); err == nil {
		t.Error("Sign without key: want error")
	}
	if got := s.PublicKeyBase64(); got != "" {
		t.Errorf("PublicKeyBase64 without key = %q, want empty", got)
	}
	if _, err := s.Request(context.Background(), "http://localhost/", nil, baseTime); err == nil {
		t.Error("Request without key: want error")
	}
}
