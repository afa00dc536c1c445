package activities

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"awardengine/storage/objects"
	"awardengine/storage/objects/objectstest"
)

// ConfirmUpload against a real MinIO: every outcome, and every step safe to run again.
func TestConfirmUploadOnRealStorage(t *testing.T) {
	ctx := t.Context()
	store := objectstest.Store(t, "confirm-test")
	a := &Activities{Objects: store}

	pdf := []byte("%PDF-1.4\n% the wellbeing plan\n%%EOF\n")
	declare := func(key string, content []byte) ConfirmInput {
		sum := sha256.Sum256(content)
		return ConfirmInput{ObjectKey: key, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), ContentType: "application/pdf"}
	}
	// send PUTs content to the link, which must take it.
	send := func(up objects.PresignedUpload, content []byte) {
		t.Helper()
		if status := objectstest.Put(t, up, content); status != http.StatusOK {
			t.Fatalf("PUT: %d", status)
		}
	}
	// upload goes through staging (items declared before write-once uploads, and the web
	// form's copies); uploadOnce writes the final key itself, once, tagged unconfirmed.
	upload := func(in ConfirmInput, content []byte) {
		t.Helper()
		up, err := store.PresignPut(ctx, objects.StagingKey(in.ObjectKey), in.ContentType, in.Size, in.SHA256, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		send(up, content)
	}
	uploadOnce := func(in ConfirmInput, content []byte) {
		t.Helper()
		up, err := store.PresignPutOnce(ctx, in.ObjectKey, in.ContentType, in.Size, in.SHA256, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		send(up, content)
	}
	unconfirmed := func(key string) bool {
		t.Helper()
		u, err := store.Unconfirmed(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	elf := make([]byte, 4096)
	copy(elf, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(elf[16:], 2)
	binary.LittleEndian.PutUint16(elf[18:], 62)
	binary.LittleEndian.PutUint32(elf[20:], 1)
	confirm := func(in ConfirmInput, want string) ConfirmResult {
		t.Helper()
		res, err := a.ConfirmUpload(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != want {
			t.Fatalf("outcome %+v, want %s", res, want)
		}
		return res
	}
	exists := func(key string) bool {
		t.Helper()
		ok, err := store.Exists(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	t.Run("confirmed, and confirmed again", func(t *testing.T) {
		in := declare("ev/one", pdf)
		upload(in, pdf)
		res := confirm(in, UploadConfirmed)
		if res.SHA256 != in.SHA256 || res.Size != in.Size || res.SniffedType != "application/pdf" {
			t.Fatalf("result %+v", res)
		}
		if exists(objects.StagingKey(in.ObjectKey)) {
			t.Fatal("the staging object is still there")
		}
		// The answer was lost: the retry finds the bytes at their final key.
		confirm(in, UploadConfirmed)
		if st, err := store.Stat(ctx, in.ObjectKey); err != nil || st.SHA256 != in.SHA256 {
			t.Fatalf("final object %+v, %v", st, err)
		}
	})
	t.Run("a crash between the copy and the delete", func(t *testing.T) {
		in := declare("ev/two", pdf)
		upload(in, pdf)
		// The copy happened (here: the same bytes written directly), the delete did not.
		if err := store.Put(ctx, in.ObjectKey, "application/pdf", bytes.NewReader(pdf), int64(len(pdf))); err != nil {
			t.Fatal(err)
		}
		confirm(in, UploadConfirmed)
		if exists(objects.StagingKey(in.ObjectKey)) {
			t.Fatal("the staging object is still there")
		}
		if st, err := store.Stat(ctx, in.ObjectKey); err != nil || st.SHA256 != in.SHA256 {
			t.Fatalf("final object %+v, %v: want the checked copy with the store's checksum", st, err)
		}
	})
	t.Run("nothing uploaded", func(t *testing.T) {
		confirm(declare("ev/three", pdf), UploadMissing)
	})
	t.Run("write-once: confirmed where it was written, and confirmed again", func(t *testing.T) {
		in := declare("ev/once", pdf)
		in.WriteOnce = true
		uploadOnce(in, pdf)
		if !unconfirmed(in.ObjectKey) {
			t.Fatal("a write-once upload is not tagged unconfirmed")
		}
		res := confirm(in, UploadConfirmed)
		if res.SHA256 != in.SHA256 || res.Size != in.Size || res.SniffedType != "application/pdf" {
			t.Fatalf("result %+v", res)
		}
		if unconfirmed(in.ObjectKey) || exists(objects.StagingKey(in.ObjectKey)) {
			t.Fatal("confirm left the upload tagged unconfirmed, or made a staging object")
		}
		// The answer was lost: the retry finds it confirmed already.
		confirm(in, UploadConfirmed)
		if st, err := store.Stat(ctx, in.ObjectKey); err != nil || st.SHA256 != in.SHA256 {
			t.Fatalf("final object %+v, %v", st, err)
		}
	})
	t.Run("write-once: an executable declared as a PDF is deleted", func(t *testing.T) {
		in := declare("ev/once-elf", elf)
		in.WriteOnce = true
		uploadOnce(in, elf)
		confirm(in, UploadTypeMismatch)
		if exists(in.ObjectKey) {
			t.Fatal("the executable was kept")
		}
		confirm(in, UploadMissing)
	})
	t.Run("write-once item through the form's copy: found in staging", func(t *testing.T) {
		in := declare("ev/once-form", pdf)
		in.WriteOnce = true
		upload(in, pdf) // the web form copies to the staging key, never to a write-once key
		confirm(in, UploadConfirmed)
		if exists(objects.StagingKey(in.ObjectKey)) || unconfirmed(in.ObjectKey) {
			t.Fatal("the staging object is still there, or the final one is tagged unconfirmed")
		}
		confirm(in, UploadConfirmed)
	})
	t.Run("write-once: wrong bytes are deleted, the retry finds nothing", func(t *testing.T) {
		in := declare("ev/once-wrong", pdf)
		in.WriteOnce = true
		other := declare("ev/once-wrong", []byte("%PDF-1.4\n% the wellbeing PLAN\n%%EOF\n"))
		other.WriteOnce = true
		uploadOnce(other, []byte("%PDF-1.4\n% the wellbeing PLAN\n%%EOF\n"))
		confirm(in, UploadChecksumMismatch)
		if exists(in.ObjectKey) {
			t.Fatal("unconfirmed bytes that did not match were kept")
		}
		confirm(in, UploadMissing)
	})
	t.Run("confirmed bytes are never deleted", func(t *testing.T) {
		// A final key without the unconfirmed tag holds checked bytes: a confirm that does not
		// match them (a declaration that disagrees) refuses, and deletes nothing.
		in := declare("ev/kept", pdf)
		if err := store.Put(ctx, in.ObjectKey, "application/pdf", bytes.NewReader(pdf), int64(len(pdf))); err != nil {
			t.Fatal(err)
		}
		confirm(in, UploadChecksumMismatch)
		in.WriteOnce = true
		confirm(in, UploadChecksumMismatch)
		if !exists(in.ObjectKey) {
			t.Fatal("confirmed bytes were deleted")
		}
	})
	t.Run("an executable declared as a PDF is deleted", func(t *testing.T) {
		in := declare("ev/four", elf)
		upload(in, elf)
		res := confirm(in, UploadTypeMismatch)
		if res.SniffedType != "application/x-executable" {
			t.Fatalf("sniffed %s", res.SniffedType)
		}
		if exists(objects.StagingKey(in.ObjectKey)) || exists(in.ObjectKey) {
			t.Fatal("the executable was kept")
		}
		confirm(in, UploadMissing)
	})
	t.Run("bytes without the store's checksum are deleted", func(t *testing.T) {
		// Written around the link (no x-amz-checksum-sha256): nothing vouches for the bytes.
		in := declare("ev/five", pdf)
		if err := store.Put(ctx, objects.StagingKey(in.ObjectKey), "application/pdf", bytes.NewReader(pdf), int64(len(pdf))); err != nil {
			t.Fatal(err)
		}
		confirm(in, UploadChecksumMismatch)
		if exists(objects.StagingKey(in.ObjectKey)) {
			t.Fatal("the unvouched bytes were kept")
		}
	})
	t.Run("staging objects and unconfirmed uploads expire after a day", func(t *testing.T) {
		if days, err := store.StagingExpiry(context.WithoutCancel(ctx)); err != nil || days != 1 {
			t.Fatalf("staging expiry %d days, %v", days, err)
		}
		if days, err := store.UnconfirmedExpiry(context.WithoutCancel(ctx)); err != nil || days != 1 {
			t.Fatalf("unconfirmed expiry %d days, %v", days, err)
		}
		// EnsureBucket runs at every start: a second run keeps one rule.
		if err := store.EnsureBucket(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
