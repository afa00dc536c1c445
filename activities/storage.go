package activities

import (
	"context"
	"errors"

	"awardengine/storage/objects"
)

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

// DeleteObject removes an object (idempotent: a missing object is fine).
func (a *Activities) DeleteObject(ctx context.Context, key string) error {
	return a.Objects.Delete(ctx, key)
}
