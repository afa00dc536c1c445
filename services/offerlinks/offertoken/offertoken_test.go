package offertoken

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeriveIsStableAndBoundToEveryPart(t *testing.T) {
	key, _ := ParseKey(NewKey())
	salt := NewSalt()
	o := Offer{TenantID: "north", ApplicationID: "app_1", AssignmentID: "app_1/offer/1", PersonID: "p_1"}
	tok := Derive(key, o, salt)
	if tok != Derive(key, o, salt) {
		t.Fatal("the same offer, key and salt gave two tokens: a retried email would break the first link")
	}
	if !Plausible(tok) || len(tok) != TokenLength {
		t.Fatalf("token %q is not plausible", tok)
	}
	other, _ := ParseKey(NewKey())
	seen := map[string]string{"same": tok}
	for name, t2 := range map[string]string{
		"tenant":     Derive(key, Offer{"east", o.ApplicationID, o.AssignmentID, o.PersonID}, salt),
		"app":        Derive(key, Offer{o.TenantID, "app_2", o.AssignmentID, o.PersonID}, salt),
		"assignment": Derive(key, Offer{o.TenantID, o.ApplicationID, "app_1/offer/2", o.PersonID}, salt),
		"person":     Derive(key, Offer{o.TenantID, o.ApplicationID, o.AssignmentID, "p_2"}, salt),
		"salt":       Derive(key, o, NewSalt()),
		"key":        Derive(other, o, salt),
		// Parts are length-prefixed: moving a character between parts is another offer.
		"boundary": Derive(key, Offer{"nort", "happ_1", o.AssignmentID, o.PersonID}, salt),
	} {
		for was, t1 := range seen {
			if t1 == t2 {
				t.Errorf("changing the %s gives the token of %s", name, was)
			}
		}
		seen[name] = t2
	}
}

func TestHashIsSHA256(t *testing.T) {
	sum := sha256.Sum256([]byte("abc"))
	if !bytes.Equal(Hash("abc"), sum[:]) {
		t.Fatal("Hash is not the SHA-256 of the token")
	}
}

func TestPlausible(t *testing.T) {
	good := strings.Repeat("aZ0-_", 8) + "abc"
	if !Plausible(good) {
		t.Fatalf("%q refused", good)
	}
	for _, bad := range []string{"", good[:42], good + "a", good[:42] + "=", good[:42] + "/", good[:42] + "+", good[:42] + " ", good[:41] + "é"} {
		if Plausible(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, 32)
	for _, s := range []string{
		"+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=", // standard, padded
		"+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s",  // standard, raw
		"-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s=", // URL
		"  -_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s\n",
	} {
		k, err := ParseKey(s)
		if err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKey(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "CHANGE-ME", "c2hvcnQ=", "not base64 at all!"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestKeyFileIsMadeOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "offer-link.key")
	k1, err := KeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := KeyFile(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) < MinKeyBytes {
		t.Fatalf("key changed between starts: %x %x %v", k1, k2, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if err := os.WriteFile(path, []byte("CHANGE-ME"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := KeyFile(path); err == nil {
		t.Error("a bad key file was accepted")
	}
}
