package config

import (
	"strings"
	"testing"
)

// TestStorageSettings: S3_SECURE is read strictly (a typo must not quietly mean plain HTTP)
// and S3_PUBLIC_URL, the address presigned links are signed for, reaches the store's config.
func TestStorageSettings(t *testing.T) {
	t.Setenv("S3_SECURE", "true")
	t.Setenv("S3_PUBLIC_URL", "https://files.awards.example.gov.uk")
	cfg, _ := FromEnv() // missing variables are reported, the storage settings are still read
	if !cfg.Objects.Secure || cfg.Objects.PublicURL != "https://files.awards.example.gov.uk" {
		t.Errorf("Secure %v, PublicURL %q", cfg.Objects.Secure, cfg.Objects.PublicURL)
	}
	t.Setenv("S3_SECURE", "")
	if cfg, _ := FromEnv(); cfg.Objects.Secure {
		t.Error("S3_SECURE unset: Secure")
	}
	t.Setenv("S3_SECURE", "yes please")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "S3_SECURE") {
		t.Errorf("S3_SECURE=yes please: %v", err)
	}
}
