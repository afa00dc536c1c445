package activities

import (
	"context"
	"errors"

	"awardengine/award"
	"awardengine/metrics"
	"awardengine/storage/objects"
)

// UploadKey is the object the item's upload link writes: the staging key for an item whose
// upload goes through staging (see objects.StagingKey), its final key for write-once items
// (objects.PresignPutOnce) and for items declared before staging existed.
func (e Evidence) UploadKey() string {
	if e.Staged && !e.WriteOnce {
		return objects.StagingKey(e.ObjectKey)
	}
	return e.ObjectKey
}

// CopyKey is where bytes that reach storage another way than the item's upload link (the web
// form's POST, copied inside the store) go for confirm to check: the staging key of any
// staged item, so that a copy never writes a write-once item's final key.
func (e Evidence) CopyKey() string {
	if e.Staged {
		return objects.StagingKey(e.ObjectKey)
	}
	return e.ObjectKey
}

// VerifyInput names a stored object and what its uploader declared.
type VerifyInput struct {
	ObjectKey string
	Size      int64
	SHA256    string
}

// VerifyResult is what storage actually holds.
type VerifyResult struct {
	Uploaded bool
	Size     int64
	SHA256   string
}

// VerifyEvidence reads an uploaded object back and computes its size and SHA-256.
// A missing object is a result (not an error): the person has not uploaded yet.
// It serves items declared before uploads went through staging (ConfirmUpload).
func (a *Activities) VerifyEvidence(ctx context.Context, in VerifyInput) (VerifyResult, error) {
	d, err := a.Objects.Digest(ctx, in.ObjectKey)
	if errors.Is(err, objects.ErrNotFound) {
		return VerifyResult{}, nil
	}
	if err != nil {
		return VerifyResult{}, err
	}
	return VerifyResult{Uploaded: true, Size: d.Size, SHA256: d.SHA256}, nil
}

// ConfirmInput is a staged upload and what its uploader declared.
type ConfirmInput struct {
	ObjectKey   string // the final key; the upload is under it (write-once) or objects.StagingKey(ObjectKey)
	Size        int64
	SHA256      string // lowercase hex
	ContentType string // as declared
	// WriteOnce says the upload was made to ObjectKey itself (activities.Evidence.WriteOnce):
	// there is no staging key to look for first.
	WriteOnce bool
}

// Outcomes of ConfirmUpload.
const (
	UploadConfirmed        = "confirmed"         // the bytes are under the final key
	UploadMissing          = "not-uploaded"      // nothing was uploaded (or it expired)
	UploadSizeMismatch     = "size-mismatch"     // the unconfirmed upload was deleted
	UploadChecksumMismatch = "checksum-mismatch" // the unconfirmed upload was deleted
	UploadTypeMismatch     = "type-mismatch"     // the unconfirmed upload was deleted
)

// ConfirmResult says what storage holds and what became of it.
type ConfirmResult struct {
	Outcome     string
	Size        int64
	SHA256      string // as the store computed it when the bytes were written ("" if it did not)
	SniffedType string // the real type, from the first bytes
}

// ConfirmUpload checks a staged upload against its declaration and, if it matches, makes it
// the item's for good. It trusts the store, not the client, and reads almost nothing: the
// size and the SHA-256 the store computed (and checked against the signed
// x-amz-checksum-sha256 header) come from a HEAD request, the real type from the first
// objects.SniffBytes. Bytes that do not match are deleted, so they never linger.
//
// The upload is found where it was written: under the staging key (an upload link of an
// item declared before write-once uploads, or the web form's copy), moved to the final key
// that no link can write; or under the final key itself, written once by a write-once link
// and still tagged unconfirmed, whose tag is removed so the lifecycle rule keeps it. Neither
// way copies the bytes of a write-once upload.
//
// Every step can run again: after a crash between the copy and the delete, or after the
// delete (or the tag's removal) but before the answer reached the workflow, the staging
// object may be there (it is checked and copied again) or gone with the final object in
// place (checked there, and its tag removed if it still has it). For a write-once item whose
// bytes came through the form's copy, the retry finds the checked final object first and
// answers from it; the staging leftover expires with the staging lifecycle rule.
func (a *Activities) ConfirmUpload(ctx context.Context, in ConfirmInput) (ConfirmResult, error) {
	// Where the bytes are: a write-once link wrote the final key itself (looked at first, so
	// the usual case costs one HEAD); otherwise, or when a write-once item came through the
	// web form's copy, the staging key.
	staging := objects.StagingKey(in.ObjectKey)
	keys := []string{staging, in.ObjectKey}
	if in.WriteOnce {
		keys = []string{in.ObjectKey, staging}
	}
	var key string
	var got objects.Stored
	var err error
	for _, key = range keys {
		if got, err = a.Objects.Stat(ctx, key); !errors.Is(err, objects.ErrNotFound) {
			break
		}
	}
	if errors.Is(err, objects.ErrNotFound) {
		return ConfirmResult{Outcome: UploadMissing}, nil
	}
	if err != nil {
		return ConfirmResult{}, err
	}
	// Bytes not yet confirmed: a staging object, or a write-once upload still tagged (the
	// HEAD counts its tags; only a write-once link tags an object, with the unconfirmed tag
	// its signature fixes, and confirm removes it).
	unconfirmed := key == staging || got.Tagged
	res := ConfirmResult{Size: got.Size, SHA256: got.SHA256}
	switch {
	case got.Size != in.Size:
		res.Outcome = UploadSizeMismatch
	case got.SHA256 != in.SHA256:
		res.Outcome = UploadChecksumMismatch
	default:
		if res.SniffedType, err = a.Objects.Sniff(ctx, key, got.ETag); err != nil {
			return ConfirmResult{}, err
		}
		if award.CheckContent(in.ContentType, res.SniffedType) != nil {
			res.Outcome = UploadTypeMismatch
		}
	}
	if res.Outcome != "" {
		// Only unconfirmed bytes are ever discarded: a confirmed final key holds checked bytes.
		if unconfirmed {
			if err := a.Objects.Delete(ctx, key); err != nil {
				return ConfirmResult{}, err
			}
		}
		return res, nil
	}
	switch {
	case key == staging:
		if err := a.Objects.Promote(ctx, staging, in.ObjectKey, got.ETag); err != nil {
			return ConfirmResult{}, err
		}
	case unconfirmed:
		if err := a.Objects.MarkConfirmed(ctx, key); err != nil {
			return ConfirmResult{}, err
		}
	}
	if unconfirmed {
		metrics.UploadBytes(got.Size) // once per object: a retry finds it confirmed already
	}
	res.Outcome = UploadConfirmed
	return res, nil
}

// DeleteObject removes an object (idempotent: a missing object is fine).
func (a *Activities) DeleteObject(ctx context.Context, key string) error {
	return a.Objects.Delete(ctx, key)
}
