package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Outside development a process refuses to start without payload keys; in development it
// keeps a key file under .data; configured keys are read from the environment or a file.
func TestPayloadKeyring(t *testing.T) {
	t.Chdir(t.TempDir())
	const b64 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
	prod := Config{PublicURL: "https://awards.example.gov.uk"}
	dev := Config{PublicURL: "http://127.0.0.1:8080"}

	t.Setenv("PAYLOAD_KEYS", "")
	t.Setenv("PAYLOAD_KEY_FILE", "")
	t.Setenv("PAYLOAD_KEY_CURRENT", "")
	if _, err := PayloadKeyring(prod); err == nil || !strings.Contains(err.Error(), "PAYLOAD_KEYS or PAYLOAD_KEY_FILE is not set") {
		t.Fatalf("production without keys: %v", err)
	}
	if _, err := os.Stat(devPayloadKeyFile); err == nil {
		t.Fatal("production created a key file")
	}
	k, err := PayloadKeyring(dev)
	if err != nil || k.CurrentID() != "dev-1" {
		t.Fatalf("development: %v", err)
	}
	if _, err := os.Stat(devPayloadKeyFile); err != nil {
		t.Fatalf("development key file: %v", err)
	}

	t.Setenv("PAYLOAD_KEYS", "k1="+b64+",k2="+b64)
	t.Setenv("PAYLOAD_KEY_CURRENT", "k2")
	if k, err := PayloadKeyring(prod); err != nil || k.CurrentID() != "k2" {
		t.Fatalf("PAYLOAD_KEYS: %v", err)
	}
	t.Setenv("PAYLOAD_KEY_CURRENT", "k3")
	if _, err := PayloadKeyring(prod); err == nil || strings.Contains(err.Error(), b64) {
		t.Fatalf("unknown current key: %v", err)
	}

	file := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(file, []byte(`{"current":"a","keys":{"a":"`+b64+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAYLOAD_KEY_FILE", file)
	if _, err := PayloadKeyring(prod); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("both set: %v", err)
	}
	t.Setenv("PAYLOAD_KEYS", "")
	if k, err := PayloadKeyring(prod); err != nil || k.CurrentID() != "a" {
		t.Fatalf("PAYLOAD_KEY_FILE: %v", err)
	}
}
