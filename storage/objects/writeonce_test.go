package objects_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"awardengine/storage/objects"
	"awardengine/storage/objects/objectstest"
)

// TestWriteOnceUploadOnRealStorage: a write-once link writes its key once, tagged
// unconfirmed; a second PUT (the same link, or another link to the key) is refused 412 and
// leaves the bytes as they were, before and after MarkConfirmed; the bucket's lifecycle
// expires both staging objects and unconfirmed write-once uploads.
func TestWriteOnceUploadOnRealStorage(t *testing.T) {
	ctx := t.Context()
	store := objectstest.Store(t, "write-once-test")

	const key = "tenant/app/ev_1"
	first := []byte("%PDF-1.4\n% the first plan\n%%EOF\n")
	second := []byte("%PDF-1.4\n% the other plan\n%%EOF\n")
	link := func(content []byte) objects.PresignedUpload {
		t.Helper()
		sum := sha256.Sum256(content)
		up, err := store.PresignPutOnce(ctx, key, "application/pdf", int64(len(content)), hex.EncodeToString(sum[:]), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return up
	}
	put := func(up objects.PresignedUpload, content []byte) int { return objectstest.Put(t, up, content) }
	unconfirmed := func() bool {
		t.Helper()
		u, err := store.Unconfirmed(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	holds := func(want []byte) {
		t.Helper()
		got, err := store.Stat(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(want)
		if got.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("the key holds %s, want the first upload's %x", got.SHA256, sum)
		}
	}

	up := link(first)
	if got := put(up, first); got != http.StatusOK {
		t.Fatalf("first PUT: %d", got)
	}
	holds(first)
	if !unconfirmed() {
		t.Fatal("a fresh write-once upload is not tagged unconfirmed")
	}
	if got := put(up, first); got != http.StatusPreconditionFailed {
		t.Fatalf("the same link again: %d, want 412", got)
	}
	if got := put(link(second), second); got != http.StatusPreconditionFailed {
		t.Fatalf("another link to the key: %d, want 412", got)
	}
	holds(first)

	if err := store.MarkConfirmed(ctx, key); err != nil {
		t.Fatal(err)
	}
	if unconfirmed() {
		t.Fatal("still tagged unconfirmed after MarkConfirmed")
	}
	if err := store.MarkConfirmed(ctx, key); err != nil {
		t.Fatalf("MarkConfirmed again: %v", err)
	}
	if got := put(link(second), second); got != http.StatusPreconditionFailed {
		t.Fatalf("a link after confirm: %d, want 412", got)
	}
	holds(first)
	if _, err := store.Unconfirmed(ctx, "tenant/app/missing"); err == nil {
		t.Fatal("Unconfirmed of a missing key answered")
	}

	// Without the signed If-None-Match the link's signature does not match: a client cannot
	// drop the header to overwrite.
	up = link(second)
	delete(up.Headers, "If-None-Match")
	if got := put(up, second); got < 400 || got > 403 {
		t.Fatalf("PUT without If-None-Match: %d, want refused (400–403)", got)
	}
	holds(first)

	days, err := store.UnconfirmedExpiry(ctx)
	if err != nil || days != objects.StagingExpiryDays {
		t.Fatalf("unconfirmed uploads expire after %d days (%v), want %d", days, err, objects.StagingExpiryDays)
	}
	if days, err := store.StagingExpiry(ctx); err != nil || days != objects.StagingExpiryDays {
		t.Fatalf("staging expires after %d days (%v)", days, err)
	}
}
