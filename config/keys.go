package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"awardengine/payloadcrypt"
)

// Payload encryption keys (payloadcrypt; docs/personal-data.md). Every Temporal payload is
// encrypted under a per-application data key, itself wrapped by a key-encryption key (KEK)
// read here:
//
//   - PAYLOAD_KEY_FILE: a JSON keyring {"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}
//     (e.g. a mounted Kubernetes secret), or
//   - PAYLOAD_KEYS: "k1=<base64>,k2=<base64>" with PAYLOAD_KEY_CURRENT naming the one that wraps
//     new data keys (optional with one key).
//
// Each key is 32 random bytes (openssl rand -base64 32). Rotation: add a new id and make it
// current; keep the old ids as long as data keys wrapped by them exist (they still unwrap).
// A data key moves to the current KEK the first time it is used after the rotation; what is
// left on an old one: SELECT kek_id, count(*) FROM payload_keys WHERE wrapped IS NOT NULL
// GROUP BY kek_id (postgres.PayloadKeys.PayloadKeysByKEK).
// Every process (worker, API) must have the same keys.
//
// Without either the processes refuse to start, except in development (PUBLIC_URL plain HTTP
// on this machine), where a key file is created under devPayloadKeyFile and reused.
const devPayloadKeyFile = ".data/payload-keys.json"

// PayloadKeyring reads the key-encryption keys.
func PayloadKeyring(c Config) (payloadcrypt.KeyWrapper, error) {
	file, list := os.Getenv("PAYLOAD_KEY_FILE"), os.Getenv("PAYLOAD_KEYS")
	switch {
	case file != "" && list != "":
		return nil, errors.New("set PAYLOAD_KEY_FILE or PAYLOAD_KEYS, not both")
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("PAYLOAD_KEY_FILE: %w", err)
		}
		k, err := payloadcrypt.ParseKeyring(data)
		if err != nil {
			return nil, fmt.Errorf("PAYLOAD_KEY_FILE %s: %w", file, err)
		}
		return k, nil
	case list != "":
		k, err := payloadcrypt.ParseKeyList(list, os.Getenv("PAYLOAD_KEY_CURRENT"))
		if err != nil {
			return nil, fmt.Errorf("PAYLOAD_KEYS: %w", err)
		}
		return k, nil
	case plainHTTPLoopback(c.PublicURL):
		k, err := payloadcrypt.KeyFile(devPayloadKeyFile)
		if err != nil {
			return nil, fmt.Errorf("development payload key %s: %w", devPayloadKeyFile, err)
		}
		slog.Warn("development: Temporal payloads are encrypted with the key in " + devPayloadKeyFile + "; set PAYLOAD_KEYS or PAYLOAD_KEY_FILE outside development")
		return k, nil
	}
	return nil, errors.New("PAYLOAD_KEYS or PAYLOAD_KEY_FILE is not set: Temporal payloads (personal data) are encrypted under it and the process refuses to start without it (make a key with: openssl rand -base64 32; see config/keys.go)")
}
