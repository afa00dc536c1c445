// Package webhook verifies and parses SendGrid's signed Event Webhook.
//
// SendGrid signs every POST with ECDSA over P-256 and SHA-256. The signature
// (base64 of the ASN.1 DER encoding) is sent in the
// X-Twilio-Email-Event-Webhook-Signature header and the unix timestamp in
// X-Twilio-Email-Event-Webhook-Timestamp. The signed payload is the timestamp
// text followed by the raw request body, byte for byte as received.
//
// Signer is the other side of the exchange, used by the local
// SendGrid-compatible endpoint (development and tests) to post signed events.
package webhook

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature"
	TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp"

	defaultMaxAge = 10 * time.Minute
	maxFutureSkew = 5 * time.Minute
)

// Sentinel errors returned (possibly wrapped) by Verifier.Verify; test with errors.Is.
var (
	ErrBadSignature     = errors.New("webhook: invalid event webhook signature")
	ErrStale            = errors.New("webhook: event webhook timestamp is missing, malformed or outside the accepted window")
	ErrMissingSignature = errors.New("webhook: missing event webhook signature or timestamp header")
)

// Event is one entry of the JSON array SendGrid posts. Custom args we send
// (dedupe_key, tenant) are merged by SendGrid into the top level of the event.
type Event struct {
	ID        string `json:"sg_event_id"`
	Kind      string `json:"event"`
	Email     string `json:"email"`
	Timestamp int64  `json:"timestamp"`
	MessageID string `json:"sg_message_id"`
	Reason    string `json:"reason"`
	Status    string `json:"status"`
	Type      string `json:"type"`
	DedupeKey string `json:"dedupe_key"`
	Tenant    string `json:"tenant"`
}

// IsBounce reports whether the message did not (and will not) reach the
// recipient: a "bounce" of any type (including "blocked") or a "dropped".
func (e Event) IsBounce() bool { return e.Kind == "bounce" || e.Kind == "dropped" }

// IsProcessed reports whether SendGrid accepted the message for delivery.
func (e Event) IsProcessed() bool { return e.Kind == "processed" }

// Ignored reports whether the event needs no action from us: "deferred"
// (SendGrid keeps retrying; a final failure arrives as a bounce) and the
// engagement events. Spam reports and unsubscribes are engagement events too:
// SendGrid suppresses the address itself, so later sends come back as
// "dropped", which IsBounce catches. Unknown kinds are not ignored.
func (e Event) Ignored() bool {
	switch e.Kind {
	case "deferred", "open", "click", "spamreport", "unsubscribe",
		"group_unsubscribe", "group_resubscribe":
		return true
	}
	return false
}

// ParsePublicKey decodes the verification key as SendGrid shows it: base64 of
// a DER-encoded PKIX (SubjectPublicKeyInfo) ECDSA P-256 public key. Surrounding
// whitespace and a PEM "PUBLIC KEY" wrapper are tolerated.
func ParsePublicKey(b64 string) (*ecdsa.PublicKey, error) {
	s := strings.TrimSpace(b64)
	if s == "" {
		return nil, errors.New("webhook: empty public key")
	}
	var der []byte
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, errors.New("webhook: public key: malformed PEM")
		}
		der = block.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, fmt.Errorf("webhook: public key: invalid base64: %w", err)
		}
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("webhook: public key: %w", err)
	}
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("webhook: public key is %T, want ECDSA", pub)
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("webhook: public key uses curve %s, want P-256", key.Curve.Params().Name)
	}
	return key, nil
}

// Verifier checks the signature and freshness of incoming webhook requests.
type Verifier struct {
	Key    *ecdsa.PublicKey
	MaxAge time.Duration    // oldest accepted timestamp; 10 minutes when <= 0
	Now    func() time.Time // clock; time.Now when nil
}

// Verify checks the two header values against the raw body. It returns
// ErrMissingSignature if either header is empty, ErrStale if the timestamp is
// not an integer, older than MaxAge or more than 5 minutes in the future, and
// ErrBadSignature for any other failure (including a nil Key). Returned errors
// may wrap the sentinels with detail; use errors.Is.
func (v *Verifier) Verify(signatureB64, timestamp string, body []byte) error {
	if signatureB64 == "" || timestamp == "" {
		return ErrMissingSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not a unix time", ErrStale, timestamp)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	maxAge := v.MaxAge
	if maxAge <= 0 {
		maxAge = defaultMaxAge
	}
	// Compare against bounds in unix seconds: subtracting an arbitrary
	// attacker-supplied ts from now could overflow int64.
	nowSec := now().Unix()
	if ts < nowSec-int64(maxAge/time.Second) {
		return fmt.Errorf("%w: timestamp %d is older than %s", ErrStale, ts, maxAge)
	}
	if ts > nowSec+int64(maxFutureSkew/time.Second) {
		return fmt.Errorf("%w: timestamp %d is more than %s in the future", ErrStale, ts, maxFutureSkew)
	}
	if v.Key == nil {
		return fmt.Errorf("%w: verifier has no public key", ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	if err != nil {
		return fmt.Errorf("%w: signature is not valid base64", ErrBadSignature)
	}
	digest := signedDigest(timestamp, body)
	if !ecdsa.VerifyASN1(v.Key, digest[:], sig) {
		return ErrBadSignature
	}
	return nil
}

// signedDigest is SHA-256 over timestamp || body.
func signedDigest(timestamp string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write(body)
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

// Parse decodes a webhook body: a JSON array of events. It fails on malformed
// JSON, on anything but an array, and on an event without sg_event_id.
func Parse(body []byte) ([]Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, errors.New("webhook: body is not a JSON array of events")
	}
	var events []Event
	if err := json.Unmarshal(trimmed, &events); err != nil {
		return nil, fmt.Errorf("webhook: malformed events: %w", err)
	}
	for i, e := range events {
		if e.ID == "" {
			return nil, fmt.Errorf("webhook: event %d (%q) has no sg_event_id", i, e.Kind)
		}
	}
	if events == nil {
		events = []Event{}
	}
	return events, nil
}

// Signer signs webhook posts the way SendGrid does.
type Signer struct {
	Key *ecdsa.PrivateKey
}

// NewSigner returns a Signer with a fresh P-256 key.
func NewSigner() (*Signer, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("webhook: generate key: %w", err)
	}
	return &Signer{Key: k}, nil
}

// PublicKeyBase64 returns the verification key as SendGrid shows it: base64
// of the DER PKIX public key. It returns "" if the Signer has no usable key.
func (s *Signer) PublicKeyBase64() string {
	if s == nil || s.Key == nil {
		return ""
	}
	der, err := x509.MarshalPKIXPublicKey(&s.Key.PublicKey)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(der)
}

// Sign returns the base64 ASN.1 DER ECDSA signature of timestamp || body.
func (s *Signer) Sign(timestamp string, body []byte) (string, error) {
	if s == nil || s.Key == nil {
		return "", errors.New("webhook: signer has no private key")
	}
	digest := signedDigest(timestamp, body)
	sig, err := ecdsa.SignASN1(rand.Reader, s.Key, digest[:])
	if err != nil {
		return "", fmt.Errorf("webhook: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Request builds a signed POST of events (as a JSON array) to url, stamped
// with now, carrying both SendGrid signature headers.
func (s *Signer) Request(ctx context.Context, url string, events []Event, now time.Time) (*http.Request, error) {
	if events == nil {
		events = []Event{}
	}
	body, err := json.Marshal(events)
	if err != nil {
		return nil, fmt.Errorf("webhook: encode events: %w", err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	sig, err := s.Sign(ts, body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set(TimestampHeader, ts)
	return req, nil
}
