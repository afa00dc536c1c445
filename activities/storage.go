package activities

import (
	"context"
	"errors"

	"awardengine/award"
	"awardengine/metrics"
	"awardengine/storage/objects"
)

// UploadKey is the object the item's upload link writes: the staging key for an item whose
// upload goes through staging (see objects.StagingKey), its final key for items declared
// before staging existed.
func (e Evidence) UploadKey() string {
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
	ObjectKey   string // the final key; the upload is under objects.StagingKey(ObjectKey)
	Size        int64
	SHA256      string // lowercase hex
	ContentType string // as declared
}

// Outcomes of ConfirmUpload.
const (
	UploadConfirmed        = "confirmed"         // the bytes are under the final key
	UploadMissing          = "not-uploaded"      // nothing was uploaded (or it expired)
	UploadSizeMismatch     = "size-mismatch"     // the staging object was deleted
	UploadChecksumMismatch = "checksum-mismatch" // the staging object was deleted
	UploadTypeMismatch     = "type-mismatch"     // the staging object was deleted
)

// ConfirmResult says what storage holds and what became of it.
type ConfirmResult struct {
	Outcome     string
	Size        int64
	SHA256      string // as the store computed it when the bytes were written ("" if it did not)
	SniffedType string // the real type, from the first bytes
}

// ConfirmUpload checks a staged upload against its declaration and, if it matches, moves it
// to the final key that no link can write. It trusts the store, not the client, and reads
// almost nothing: the size and the SHA-256 the store computed (and checked against the
// signed x-amz-checksum-sha256 header) come from a HEAD request, the real type from the
// first objects.SniffBytes. Bytes that do not match are deleted, so they never linger.
//
// Every step can run again: after a crash between the copy and the delete, or after the
// delete but before the answer reached the workflow, the staging object may be there (it is
// checked and copied again) or gone with the final object in place (checked there).
func (a *Activities) ConfirmUpload(ctx context.Context, in ConfirmInput) (ConfirmResult, error) {
	staging := objects.StagingKey(in.ObjectKey)
	key := staging
	got, err := a.Objects.Stat(ctx, staging)
	if errors.Is(err, objects.ErrNotFound) {
		key = in.ObjectKey
		got, err = a.Objects.Stat(ctx, in.ObjectKey)
		if errors.Is(err, objects.ErrNotFound) {
			return ConfirmResult{Outcome: UploadMissing}, nil
		}
	}
	if err != nil {
		return ConfirmResult{}, err
	}
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
		// Only the staging object is ever discarded: the final key holds checked bytes.
		if key == staging {
			if err := a.Objects.Delete(ctx, staging); err != nil {
				return ConfirmResult{}, err
			}
		}
		return res, nil
	}
	if key == staging {
		if err := a.Objects.Promote(ctx, staging, in.ObjectKey, got.ETag); err != nil {
			return ConfirmResult{}, err
		}
		metrics.UploadBytes(got.Size) // once per object: a retry finds it promoted already
	}
	res.Outcome = UploadConfirmed
	return res, nil
}

// DeleteObject removes an object (idempotent: a missing object is fine).
func (a *Activities) DeleteObject(ctx context.Context, key string) error {
	return a.Objects.Delete(ctx, key)
}
