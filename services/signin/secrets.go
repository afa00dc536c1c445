// Package signin is how people get in (issue 11 §3): sign-in links sent by email, the one-time
// codes of `starter login`, browser sessions' checks, and API tokens. The JSON API and the web
// pages are thin adapters over it.
package signin

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// tokenBytes is the entropy of a sign-in link's token and of an API token: 32 bytes from
// crypto/rand, so guessing one is hopeless and only a hash needs storing.
const tokenBytes = 32

// newSecret returns a random URL-safe secret of tokenBytes bytes and its SHA-256.
func newSecret(prefix string) (secret string, hash []byte) {
	buf := make([]byte, tokenBytes)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+): it crashes the program instead
	secret = prefix + base64.RawURLEncoding.EncodeToString(buf)
	return secret, hashOf(secret)
}

// hashOf is the SHA-256 stored in place of a secret.
func hashOf(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// codeAlphabet has no letters or digits people mistake for each other (0/O, 1/I/L, 5/S, 2/Z, U/V).
const codeAlphabet = "ABCDEFGHJKMNPQRTWXY346789"

// codeLength characters of a 25-letter alphabet: about 37 bits. A code is tried against one
// link only (found by a nonce that only the waiting command holds), at most MaxCodeAttempts
// times, for at most the link's 15 minutes.
const codeLength = 8

// newCode returns a one-time code for `starter login`, shown as XXXX-XXXX.
func newCode() string {
	var b strings.Builder
	for i := 0; i < codeLength; i++ {
		if i == codeLength/2 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[randIndex(len(codeAlphabet))])
	}
	return b.String()
}

// randIndex is a uniform random number in [0, n) for a small n (rejection sampling).
func randIndex(n int) int {
	limit := 256 - 256%n
	var one [1]byte
	for {
		_, _ = rand.Read(one[:])
		if int(one[0]) < limit {
			return int(one[0]) % n
		}
	}
}

// normalizeCode lets people type a code as they read it: lower case, spaces or no hyphen.
func normalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeHash is what is stored for a code: the hash of its normalized form.
func codeHash(code string) []byte { return hashOf("code:" + normalizeCode(code)) }

// sameHash compares two hashes in constant time.
func sameHash(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
