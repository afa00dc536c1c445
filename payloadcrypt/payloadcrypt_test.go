package payloadcrypt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

func testKeyring(t *testing.T, current string, ids ...string) *Keyring {
	t.Helper()
	raw := map[string][]byte{}
	for _, id := range ids {
		sum := sha256.Sum256([]byte(id)) // the same id is the same key in every keyring
		raw[id] = sum[:]
	}
	k, err := NewKeyring(current, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKeys(t *testing.T) (*Keys, *MemoryStore) {
	store := NewMemoryStore()
	store.Tenants["app_1"] = "north"
	store.Tenants["app_2"] = "north"
	return NewKeys(store, testKeyring(t, "k1", "k1")), store
}

const secret = "Hill Primary School, evidence: safeguarding-plan-for-Amira.pdf"

func encodeFor(t *testing.T, dc converter.DataConverter, workflowID string, v any) *commonpb.Payload {
	t.Helper()
	if workflowID != "" {
		dc = converter.WithDataConverterSerializationContext(dc, converter.WorkflowSerializationContext{Namespace: "awards", WorkflowID: workflowID})
	}
	p, err := dc.ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTripUnderTheApplicationsKey(t *testing.T) {
	keys, store := testKeys(t)
	dc := NewDataConverter(keys)
	p := encodeFor(t, dc, "application/app_1", secret)
	if !Encrypted(p) || KeyIDOf(p) != "app/app_1" {
		t.Fatalf("metadata %v", p.Metadata)
	}
	raw, _ := p.Marshal()
	if bytes.Contains(raw, []byte("Hill Primary")) || bytes.Contains(raw, []byte("Amira")) {
		t.Fatal("the encoded payload holds the plaintext")
	}
	// Any converter decodes it (the key id is in the metadata), a fresh process too.
	keys.Forget()
	var got string
	if err := NewDataConverter(keys).FromPayload(p, &got); err != nil || got != secret {
		t.Fatalf("decoded %q, %v", got, err)
	}
	if sk := store.Keys["app/app_1"]; sk.TenantID != "north" || sk.KEKID != "k1" || len(sk.Wrapped) == 0 {
		t.Fatalf("stored key %+v", sk)
	}
	// Digest workflows use their tenant's key, anything without context the system key.
	if id := KeyIDOf(encodeFor(t, dc, "digest/north/p-1/2026-12-01", "x")); id != "tenant/north" {
		t.Errorf("digest key %q", id)
	}
	if id := KeyIDOf(encodeFor(t, dc, "", "x")); id != "system" {
		t.Errorf("context-free key %q", id)
	}
	// Two applications, two keys: one's payload is not decrypted with the other's key.
	p2 := encodeFor(t, dc, "application/app_2", secret)
	if bytes.Equal(store.Keys["app/app_1"].Wrapped, store.Keys["app/app_2"].Wrapped) {
		t.Fatal("two applications share a wrapped key")
	}
	p2.Metadata[MetadataKeyID] = []byte("app/app_1")
	if err := dc.FromPayload(p2, &got); !errors.Is(err, ErrTampered) {
		t.Fatalf("payload relabelled to another application's key: %v", err)
	}
}

func TestActivityAndScopedContextsPickTheKey(t *testing.T) {
	keys, _ := testKeys(t)
	dc := NewDataConverter(keys)
	// A client call with an explicit scope.
	ctx := WithScope(context.Background(), ApplicationScope("app_2"))
	p, err := dc.WithContext(ctx).ToPayload("x")
	if err != nil || KeyIDOf(p) != "app/app_2" {
		t.Fatalf("%v %v", KeyIDOf(p), err)
	}
	// A plain context keeps the converter as it is.
	if dc.WithContext(context.Background()) != converter.DataConverter(dc) {
		t.Error("a plain context changed the converter")
	}
	// The serialization context wins over a later WithWorkflowContext (the caller's workflow).
	fixed := dc.WithSerializationContext(converter.ActivitySerializationContext{WorkflowID: "application/app_1"}).(*DataConverter)
	if fixed.WithWorkflowContext(nil) != converter.DataConverter(fixed) || fixed.Scope().ApplicationID != "app_1" {
		t.Error("scope from the serialization context lost")
	}
}

func TestUnencryptedPayloadsPassThrough(t *testing.T) {
	keys, _ := testKeys(t)
	plain, _ := converter.GetDefaultDataConverter().ToPayload(map[string]string{"setting": "old history"})
	var got map[string]string
	if err := NewDataConverter(keys).FromPayload(plain, &got); err != nil || got["setting"] != "old history" {
		t.Fatalf("%v %v", got, err)
	}
	out, err := NewCodec(keys, Scope{}).Decode([]*commonpb.Payload{plain})
	if err != nil || out[0] != plain {
		t.Fatalf("the codec changed an unencrypted payload: %v", err)
	}
}

func TestUnknownKeyIDIsRefused(t *testing.T) {
	keys, _ := testKeys(t)
	p := encodeFor(t, NewDataConverter(keys), "application/app_1", secret)
	for _, id := range []string{"app/app_9", "nonsense", ""} {
		q := &commonpb.Payload{Metadata: map[string][]byte{}, Data: p.Data}
		for k, v := range p.Metadata {
			q.Metadata[k] = v
		}
		q.Metadata[MetadataKeyID] = []byte(id)
		if _, err := NewCodec(keys, Scope{}).Decode([]*commonpb.Payload{q}); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("key id %q: %v", id, err)
		}
	}
}

func TestTamperedCiphertextFails(t *testing.T) {
	keys, _ := testKeys(t)
	p := encodeFor(t, NewDataConverter(keys), "application/app_1", secret)
	for i := range p.Data {
		q := &commonpb.Payload{Metadata: p.Metadata, Data: bytes.Clone(p.Data)}
		q.Data[i] ^= 0x01
		if _, err := NewCodec(keys, Scope{}).Decode([]*commonpb.Payload{q}); !errors.Is(err, ErrTampered) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	short := &commonpb.Payload{Metadata: p.Metadata, Data: p.Data[:10]}
	if _, err := NewCodec(keys, Scope{}).Decode([]*commonpb.Payload{short}); !errors.Is(err, ErrTampered) {
		t.Fatalf("truncated: %v", err)
	}
}

func TestKEKRotationKeepsOldPayloadsReadable(t *testing.T) {
	store := NewMemoryStore()
	before := NewKeys(store, testKeyring(t, "k1", "k1"))
	old := encodeFor(t, NewDataConverter(before), "application/app_1", secret)

	// Rotation: k2 is added and current; k1 stays to unwrap what it wrapped.
	after := NewKeys(store, testKeyring(t, "k2", "k1", "k2"))
	var got string
	if err := NewDataConverter(after).FromPayload(old, &got); err != nil || got != secret {
		t.Fatalf("old payload after rotation: %q %v", got, err)
	}
	encodeFor(t, NewDataConverter(after), "application/app_3", "new")
	if store.Keys["app/app_3"].KEKID != "k2" {
		t.Fatalf("new keys wrapped by %q", store.Keys["app/app_3"].KEKID)
	}
	// Removing k1 too early is a clear error, not garbage.
	oldOnly := NewKeys(store, testKeyring(t, "k1", "k1"))
	encodeFor(t, NewDataConverter(oldOnly), "application/app_4", "written before the rotation reached it")
	gone := NewKeys(store, testKeyring(t, "k2", "k2"))
	p4 := encodeFor(t, NewDataConverter(oldOnly), "application/app_4", "x")
	if err := NewDataConverter(gone).FromPayload(p4, &got); !errors.Is(err, ErrUnknownKEK) {
		t.Fatalf("k1 removed: %v", err)
	}
	// A key used after the rotation moved to k2 by itself: it decodes without k1.
	if store.Keys["app/app_1"].KEKID != "k2" {
		t.Fatalf("app_1's key still wrapped by %q after use", store.Keys["app/app_1"].KEKID)
	}
	if err := NewDataConverter(gone).FromPayload(old, &got); err != nil || got != secret {
		t.Fatalf("rewrapped key without k1: %q %v", got, err)
	}
	// A wrapped key moved onto another key id does not unwrap.
	sk := store.Keys["app/app_1"]
	if _, err := after.Wrapper.Unwrap(context.Background(), sk.KEKID, "app/app_3", sk.Wrapped); !errors.Is(err, ErrTampered) {
		t.Fatalf("wrapped key under another id: %v", err)
	}
}

func TestShreddedKeyCannotDecode(t *testing.T) {
	keys, store := testKeys(t)
	dc := NewDataConverter(keys)
	p := encodeFor(t, dc, "application/app_1", secret)
	other := encodeFor(t, dc, "application/app_2", "another application")
	for range 2 { // idempotent
		if err := keys.Shred(context.Background(), "north", "app_1"); err != nil {
			t.Fatal(err)
		}
	}
	if sk := store.Keys["app/app_1"]; sk.Wrapped != nil || sk.ShreddedAt == nil {
		t.Fatalf("stored key after shred %+v", sk)
	}
	var got string
	err := dc.FromPayload(p, &got)
	if !errors.Is(err, ErrKeyShredded) || !strings.Contains(err.Error(), "app/app_1") {
		t.Fatalf("decoding a shredded application's payload: %v", err)
	}
	if err := dc.FromPayload(other, &got); err != nil || got != "another application" {
		t.Fatalf("another application after the shred: %q %v", got, err)
	}
	// What the journey writes after the erasure goes under the tenant's key; the key is not
	// created again.
	after := encodeFor(t, dc, "application/app_1", "erasure result")
	if KeyIDOf(after) != "tenant/north" {
		t.Fatalf("after shred: key %q", KeyIDOf(after))
	}
	if store.Keys["app/app_1"].Wrapped != nil {
		t.Fatal("the shredded key came back")
	}
	// The erasure activity's payloads use the tenant's key, before and after the shred (a retry
	// of it must read its input).
	erase := dc.WithSerializationContext(converter.ActivitySerializationContext{WorkflowID: "application/app_2", ActivityType: "EraseApplication"})
	in, err := erase.ToPayload("app_2")
	if err != nil || KeyIDOf(in) != "tenant/north" {
		t.Fatalf("erasure input under %q: %v", KeyIDOf(in), err)
	}
	if err := keys.Shred(context.Background(), "north", "app_2"); err != nil {
		t.Fatal(err)
	}
	if err := dc.FromPayload(in, &got); err != nil || got != "app_2" {
		t.Fatalf("erasure input after the shred: %v", err)
	}
	// Shredding an application that never had a key still blocks the key id for good.
	if err := keys.Shred(context.Background(), "north", "app_7"); err != nil {
		t.Fatal(err)
	}
	if KeyIDOf(encodeFor(t, dc, "application/app_7", "x")) != "tenant/north" {
		t.Fatal("a key was created for an erased application")
	}
}

func TestFailureMessagesAreEncrypted(t *testing.T) {
	keys, _ := testKeys(t)
	dc := NewDataConverter(keys)
	fc := NewFailureConverter(dc).WithSerializationContext(converter.ActivitySerializationContext{WorkflowID: "application/app_1"})
	f := fc.ErrorToFailure(temporal.NewApplicationError("evidence Amira-plan.pdf refused", "Refused"))
	raw, _ := f.Marshal()
	if bytes.Contains(raw, []byte("Amira")) {
		t.Fatal("the failure holds the message in clear")
	}
	if KeyIDOf(f.GetEncodedAttributes()) != "app/app_1" {
		t.Fatalf("encoded attributes key %q", KeyIDOf(f.GetEncodedAttributes()))
	}
	err := NewFailureConverter(dc).FailureToError(f)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !strings.Contains(app.Error(), "Amira-plan.pdf") || app.Type() != "Refused" {
		t.Fatalf("decoded failure %v", err)
	}
}

func TestKeyConfiguration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.json")
	k1, err := KeyFile(path)
	if err != nil || k1.CurrentID() != "dev-1" {
		t.Fatalf("%v %v", k1, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode())
	}
	k2, err := KeyFile(path) // kept, not regenerated
	if err != nil {
		t.Fatal(err)
	}
	_, w, _ := k1.Wrap(context.Background(), "system", make([]byte, 32))
	if _, err := k2.Unwrap(context.Background(), "dev-1", "system", w); err != nil {
		t.Fatalf("the key file changed between loads: %v", err)
	}
	b64 := "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
	if k, err := ParseKeyList("a="+b64, ""); err != nil || k.CurrentID() != "a" {
		t.Errorf("one key: %v", err)
	}
	for _, bad := range []struct{ list, current string }{
		{"a=" + b64 + ",b=" + b64, ""}, // several, no current
		{"a=" + b64, "b"},              // current missing
		{"a=AQID", "a"},                // short key
		{"a", "a"},                     // no '='
		{"a/b=" + b64, "a/b"},          // bad id
	} {
		if _, err := ParseKeyList(bad.list, bad.current); err == nil {
			t.Errorf("%q current %q accepted", bad.list, bad.current)
		} else if strings.Contains(err.Error(), b64) {
			t.Errorf("error shows the key: %v", err)
		}
	}
	if _, err := ParseKeyring([]byte(`{"current":"x","keys":{"x":"` + b64 + `"},"extra":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestScopes(t *testing.T) {
	for id, want := range map[string]string{
		"application/app_1":           "app/app_1",
		"application/":                "system",
		"application/a/b":             "system",
		"digest/north/p-1/2026-12-01": "tenant/north",
		"digest/":                     "system",
		"something-else":              "system",
	} {
		if got := ScopeOfWorkflow(id).KeyID(); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"app/app_1", "tenant/north", "system"} {
		if s, ok := ScopeOfKeyID(id); !ok || s.KeyID() != id {
			t.Errorf("%q does not read back", id)
		}
	}
	for _, id := range []string{"app/", "tenant/", "", "other"} {
		if _, ok := ScopeOfKeyID(id); ok {
			t.Errorf("%q accepted", id)
		}
	}
}
