package payloadcrypt

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// KeyWrapper wraps and unwraps data keys with a key-encryption key (KEK). Keyring is the
// implementation from configuration; a cloud KMS (AWS KMS Encrypt/Decrypt, GCP Cloud KMS,
// Azure Key Vault wrapKey) fits the same three methods.
type KeyWrapper interface {
	// CurrentID is the KEK that wraps new data keys.
	CurrentID() string
	// Wrap encrypts a data key under the current KEK, bound to the data key's id.
	Wrap(ctx context.Context, keyID string, dataKey []byte) (kekID string, wrapped []byte, err error)
	// Unwrap decrypts a data key wrapped by the KEK kekID (current or older).
	Unwrap(ctx context.Context, kekID, keyID string, wrapped []byte) ([]byte, error)
}

// ErrUnknownKEK means a data key was wrapped by a KEK this process does not have (a rotated-out
// key removed from the configuration too early, or another deployment's data).
var ErrUnknownKEK = errors.New("payloadcrypt: the key-encryption key that wrapped this data key is not configured")

// Keyring is a set of 256-bit KEKs by id, one of them current.
type Keyring struct {
	current string
	keys    map[string]cipher.AEAD
}

var kekIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// NewKeyring builds a keyring from raw 32-byte keys by id; current must be one of them.
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("payloadcrypt: no key-encryption keys")
	}
	k := &Keyring{current: current, keys: map[string]cipher.AEAD{}}
	for id, raw := range keys {
		if !kekIDPattern.MatchString(id) {
			return nil, fmt.Errorf("payloadcrypt: key id %q: use 1-64 letters, digits, '.', '_' or '-'", id)
		}
		if len(raw) != 32 {
			return nil, fmt.Errorf("payloadcrypt: key %q is %d bytes; AES-256 needs 32", id, len(raw))
		}
		aead, err := newGCM(raw)
		if err != nil {
			return nil, err
		}
		k.keys[id] = aead
	}
	if _, ok := k.keys[current]; !ok {
		return nil, fmt.Errorf("payloadcrypt: the current key id %q is not among the keys (%s)", current, strings.Join(k.IDs(), ", "))
	}
	return k, nil
}

// IDs lists the KEK ids, sorted.
func (k *Keyring) IDs() []string {
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// CurrentID implements KeyWrapper.
func (k *Keyring) CurrentID() string { return k.current }

// Wrap implements KeyWrapper: AES-256-GCM under the current KEK, the data key's id as
// associated data (a wrapped key copied onto another key's row does not unwrap).
func (k *Keyring) Wrap(_ context.Context, keyID string, dataKey []byte) (string, []byte, error) {
	wrapped, err := seal(k.keys[k.current], dataKey, []byte(keyID))
	return k.current, wrapped, err
}

// Unwrap implements KeyWrapper.
func (k *Keyring) Unwrap(_ context.Context, kekID, keyID string, wrapped []byte) ([]byte, error) {
	aead, ok := k.keys[kekID]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q; configured: %s)", ErrUnknownKEK, kekID, strings.Join(k.IDs(), ", "))
	}
	key, err := open(aead, wrapped, []byte(keyID))
	if err != nil {
		return nil, fmt.Errorf("payloadcrypt: data key %s does not unwrap under key-encryption key %q (altered, or not this KEK's): %w", keyID, kekID, ErrTampered)
	}
	return key, nil
}

// keyFile is the JSON form of a keyring: {"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}.
type keyFile struct {
	Current string            `json:"current"`
	Keys    map[string]string `json:"keys"`
}

// ParseKeyring reads the JSON form of a keyring.
func ParseKeyring(data []byte) (*Keyring, error) {
	var f keyFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("payloadcrypt: key file: want {\"current\": id, \"keys\": {id: base64 of 32 bytes}}: %w", err)
	}
	raw := map[string][]byte{}
	for id, b64 := range f.Keys {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: key %q is not base64: %w", id, err)
		}
		raw[id] = b
	}
	return NewKeyring(f.Current, raw)
}

// ParseKeyList reads "id=base64,id=base64" (PAYLOAD_KEYS) with the current id; when current is
// "" and there is one key, it is current.
func ParseKeyList(list, current string) (*Keyring, error) {
	raw := map[string][]byte{}
	var last string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, b64, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("payloadcrypt: key list item %q: want id=base64", redactKey(item))
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("payloadcrypt: key %q is not base64: %w", id, err)
		}
		if _, dup := raw[id]; dup {
			return nil, fmt.Errorf("payloadcrypt: key id %q twice", id)
		}
		raw[strings.TrimSpace(id)] = b
		last = strings.TrimSpace(id)
	}
	if current == "" && len(raw) == 1 {
		current = last
	}
	if current == "" && len(raw) > 1 {
		return nil, errors.New("payloadcrypt: several keys and no current key id: say which one wraps new data keys")
	}
	return NewKeyring(current, raw)
}

func redactKey(item string) string {
	if len(item) > 8 {
		return item[:4] + "…"
	}
	return "…"
}

// KeyFile loads the keyring in path, creating it with one random key ("dev-1") if it does not
// exist (the development stack keeps its key with its data, so a restart still decodes the
// histories it wrote). Production sets the keys (config/keys.go) and never creates them.
func KeyFile(path string) (*Keyring, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := createKeyFile(path); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func createKeyFile(path string) error {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(keyFile{Current: "dev-1", Keys: map[string]string{"dev-1": base64.StdEncoding.EncodeToString(key)}}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// Written aside, then linked into place: of two processes starting at once, the first
	// file wins whole and the other reads it (never a half-written one).
	f, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts with a random 96-bit nonce, returned in front of the ciphertext.
func seal(aead cipher.AEAD, plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, ad), nil
}

func open(aead cipher.AEAD, data, ad []byte) ([]byte, error) {
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("too short")
	}
	return aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], ad)
}
