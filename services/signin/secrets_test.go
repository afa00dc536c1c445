package signin

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestSecretsAreRandomAndOnlyTheirHashIsKept(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		secret, hash := newSecret("")
		raw, err := base64.RawURLEncoding.DecodeString(secret)
		if err != nil || len(raw) != 32 {
			t.Fatalf("secret %q: %d bytes, %v; want 32 bytes of base64url", secret, len(raw), err)
		}
		if !plausibleToken(secret) {
			t.Fatalf("a secret of ours looks implausible: %q", secret)
		}
		sum := sha256.Sum256([]byte(secret))
		if !bytes.Equal(hash, sum[:]) {
			t.Fatal("hash is not the SHA-256 of the secret")
		}
		if seen[secret] {
			t.Fatal("a secret repeated")
		}
		seen[secret] = true
	}
	if tok, _ := newSecret(tokenPrefix); !strings.HasPrefix(tok, "awt_") {
		t.Errorf("API token %q lacks its prefix", tok)
	}
}

func TestImplausibleTokensAreRefusedBeforeTheDatabase(t *testing.T) {
	good, _ := newSecret("")
	for _, tok := range []string{"", "short", good + "x", good[:42] + "=", good[:42] + "\x00", strings.Repeat("é", 21) + "a"} {
		if plausibleToken(tok) {
			t.Errorf("%q accepted", tok)
		}
	}
}

func TestCodes(t *testing.T) {
	for range 200 {
		c := newCode()
		if len(c) != codeLength+1 || c[4] != '-' {
			t.Fatalf("code %q: want XXXX-XXXX", c)
		}
		for _, r := range strings.ReplaceAll(c, "-", "") {
			if !strings.ContainsRune(codeAlphabet, r) {
				t.Fatalf("code %q has %q, not in the alphabet", c, r)
			}
		}
		// People may type it in lower case, with spaces, without the hyphen.
		typed := strings.ToLower(c[:4]) + " " + c[5:]
		if !sameHash(codeHash(typed), codeHash(c)) {
			t.Fatalf("%q typed as %q does not match", c, typed)
		}
	}
	if sameHash(codeHash("ABCD-EFGH"), codeHash("ABCD-EFGJ")) {
		t.Error("different codes match")
	}
	for _, bad := range []string{"0", "O", "1", "I", "L", "5", "S", "2", "Z", "U", "V"} {
		if strings.Contains(codeAlphabet, bad) {
			t.Errorf("the code alphabet has the ambiguous %q", bad)
		}
	}
}

func TestRandIndexIsInRange(t *testing.T) {
	counts := make([]int, len(codeAlphabet))
	for range 25000 {
		counts[randIndex(len(codeAlphabet))]++
	}
	for i, n := range counts {
		if n < 700 || n > 1300 { // expected 1000 each
			t.Errorf("index %d drawn %d times of 25000", i, n)
		}
	}
}

func TestRateLimitedSaysMinutes(t *testing.T) {
	for _, c := range []struct {
		wait time.Duration
		want string
	}{
		{0, "try again in 1 minute"},
		{30 * time.Second, "try again in 1 minute"},
		{time.Minute, "try again in 1 minute"},
		{61 * time.Second, "try again in 2 minutes"},
		{14*time.Minute + time.Second, "try again in 15 minutes"},
	} {
		e := rateLimited(c.wait)
		if e.Status != 429 || !strings.HasSuffix(e.Detail, c.want) || e.RetryAfter != c.wait {
			t.Errorf("%v: %d %q", c.wait, e.Status, e.Detail)
		}
	}
}

func TestAddressBucketsHoldNoAddress(t *testing.T) {
	b := addressBucket("northshire", "Alice@Example.org")
	if strings.Contains(strings.ToLower(b), "alice") || strings.Contains(b, "example") {
		t.Errorf("bucket %q shows the address", b)
	}
	if b != addressBucket("northshire", "alice@example.org") {
		t.Error("the bucket depends on the address's case")
	}
	if b == addressBucket("southfield", "alice@example.org") {
		t.Error("two tenants share an address's bucket")
	}
}

func TestCheckRequestNamesTheField(t *testing.T) {
	for _, c := range []struct {
		req   LinkRequest
		field string
	}{
		{LinkRequest{Email: "a@b.org"}, "tenant"},
		{LinkRequest{Tenant: "northshire"}, "email"},
		{LinkRequest{Tenant: "northshire", Email: "not-an-address"}, "email"},
		{LinkRequest{Tenant: "northshire", Email: "a@b.org\r\nBcc: x@y.org"}, "email"},
		{LinkRequest{Tenant: "north\x00shire", Email: "a@b.org"}, "tenant"},
		{LinkRequest{Tenant: "northshire", Email: "a\x00@b.org"}, "email"},
		{LinkRequest{Tenant: "northshire", Email: "a@b.org\xff"}, "email"},
		{LinkRequest{Tenant: "northshire", Email: "a@b.org", CLINonce: "short"}, "cli_nonce"},
		{LinkRequest{Tenant: "northshire", Email: "a@b.org"}, ""},
	} {
		err := checkRequest(c.req)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.req, err)
		case c.field != "" && (err == nil || err.(*Error).Field != c.field):
			t.Errorf("%+v: %v, want a refusal of %s", c.req, err, c.field)
		}
	}
}

func TestPadWaitsForTheMinimum(t *testing.T) {
	start := time.Now()
	pad(t.Context(), start, 50*time.Millisecond)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("padded to %v", d)
	}
	start = time.Now().Add(-time.Second)
	before := time.Now()
	pad(t.Context(), start, 50*time.Millisecond)
	if time.Since(before) > 20*time.Millisecond {
		t.Error("padded although the minimum had passed")
	}
}
