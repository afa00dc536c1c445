// Package offertoken makes and reads the secrets of one-click offer links (issue 13): the link
// in an assessor_offer email that opens that one offer's accept-or-decline page without
// signing in.
//
// A token is derived, not drawn: HMAC-SHA256 under a server key (OFFER_LINK_KEY, held by the
// worker only) over the offer it answers (tenant, application, assignment, person) and a random
// salt stored with the offer's link row. So:
//
//   - the email activity can run again (Temporal retries it, an admin's nudge resends the
//     offer) and always puts the same link in the email: the one already sent keeps working,
//     and there is never a second live token for one offer;
//   - the secret never travels through a workflow's history, and the database holds only its
//     SHA-256 and the salt: a copy of the database answers no offer, nor does the key alone
//     (it needs each offer's salt);
//   - the web/API process never needs the key: it hashes the token it is given and looks the
//     hash up.
//
// This package is a leaf (crypto only) so that the email activity and the offer-link service
// (services/offerlinks) share one definition without importing each other.
package offertoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MinKeyBytes is the least length of a key: 256 bits.
const MinKeyBytes = 32

// SaltBytes is the length of an offer's salt.
const SaltBytes = 32

// label names the purpose and version of the derivation, so that the key can never produce
// another kind of secret by accident.
const label = "awardengine/offer-link/v1"

// TokenLength is the length of a token: base64url (no padding) of a 32-byte MAC.
const TokenLength = 43

// Offer is what a token is bound to.
type Offer struct {
	TenantID      string
	ApplicationID string
	AssignmentID  string
	PersonID      string
}

// Derive is the token of an offer under key, with the offer link's salt.
func Derive(key []byte, o Offer, salt []byte) string {
	m := hmac.New(sha256.New, key)
	for _, part := range [][]byte{[]byte(label), []byte(o.TenantID), []byte(o.ApplicationID), []byte(o.AssignmentID),
		[]byte(o.PersonID), salt} {
		// Each part is length-prefixed: no two different offers give the same message.
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write(part)
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Hash is what is stored in place of a token: its SHA-256.
func Hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// NewSalt is a fresh random salt for an offer's link.
func NewSalt() []byte {
	b := make([]byte, SaltBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

// Plausible refuses at once what no link of ours holds: anything but 43 base64url characters.
func Plausible(token string) bool {
	if len(token) != TokenLength {
		return false
	}
	return strings.IndexFunc(token, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}

// ErrKey is a key that is not one.
var ErrKey = errors.New("OFFER_LINK_KEY must be at least 32 random bytes in base64 (make one with: openssl rand -base64 32)")

// ParseKey reads a key written in base64 (standard or URL alphabet, padded or not) and
// refuses one shorter than MinKeyBytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < MinKeyBytes {
				return nil, fmt.Errorf("%w: it holds %d bytes", ErrKey, len(b))
			}
			return b, nil
		}
	}
	return nil, ErrKey
}

// NewKey is a new random key, in base64.
func NewKey() string {
	b := make([]byte, MinKeyBytes)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// KeyFile reads the key kept in the file at path, first writing a new one there (mode 0600)
// if there is none. It is for the embedded development stack, whose data directory outlives
// a restart, so links emailed before a restart keep working; production sets OFFER_LINK_KEY.
func KeyFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := writeNewKey(path); err != nil {
			return nil, fmt.Errorf("writing the offer link key: %w", err)
		}
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the offer link key: %w", err)
	}
	key, err := ParseKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// writeNewKey writes a new key to path unless a file is there (another process won).
func writeNewKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(NewKey() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
