package objects

import (
	"context"
	"fmt"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
)

// Write-once uploads (issue 16) put evidence straight under its final key, so that confirm
// moves no bytes: the staging copy cost as much as the upload itself (a 64 MiB file ran at
// under half the speed of a raw PutObject). What the staging key bought is kept by the link's
// signature instead:
//   - `If-None-Match: *` is signed, so the store writes the key only while it is empty: once
//     the bytes are there no link, this one or any other, can replace them (412). No link is
//     ever issued again for a key: a new declaration gets a new id and key.
//   - Content-Length and x-amz-checksum-sha256 stay signed (PresignPut), so the one write
//     there can be is of exactly the declared bytes.
//   - `x-amz-tagging: award-upload=unconfirmed` is signed, and a lifecycle rule expires
//     objects with that tag a day after they were written, as it expires staging objects;
//     confirm removes the tag once the journey has checked the store's checksum and the type.
//     A person cannot put the tag back: that would need a second write, which the store
//     refuses.
const (
	unconfirmedTagKey   = "award-upload"
	unconfirmedTagValue = "unconfirmed"
	unconfirmedRuleID   = "expire-unconfirmed-write-once-uploads"

	headerIfNoneMatch = "If-None-Match"
	headerTagging     = "x-amz-tagging"
)

// PresignPutOnce is PresignPut for a key that must be written at most once: the link can
// create the object, tagged as unconfirmed, and never replace it.
func (s *Store) PresignPutOnce(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (PresignedUpload, error) {
	return s.presignPut(ctx, key, contentType, size, sha256Hex, ttl, map[string]string{
		headerIfNoneMatch: "*",
		headerTagging:     unconfirmedTagKey + "=" + unconfirmedTagValue,
	})
}

// Unconfirmed says whether the object under key still carries the unconfirmed tag of a
// write-once upload (ErrNotFound if it is missing).
func (s *Store) Unconfirmed(ctx context.Context, key string) (bool, error) {
	t, err := s.client.GetObjectTagging(ctx, s.bucket, key, minio.GetObjectTaggingOptions{})
	if err != nil {
		return false, s.wrap(err, key)
	}
	return t.ToMap()[unconfirmedTagKey] == unconfirmedTagValue, nil
}

// MarkConfirmed removes the unconfirmed tag from a write-once upload, so that the lifecycle
// rule no longer expires it. It changes the object's metadata only, and running it again
// changes nothing.
func (s *Store) MarkConfirmed(ctx context.Context, key string) error {
	if err := s.client.RemoveObjectTagging(ctx, s.bucket, key, minio.RemoveObjectTaggingOptions{}); err != nil {
		return fmt.Errorf("marking %s confirmed: %w", key, s.wrap(err, key))
	}
	return nil
}

// unconfirmedExpiryRule expires write-once uploads that were never confirmed, as the staging
// rule expires staging objects.
func unconfirmedExpiryRule() lifecycle.Rule {
	return lifecycle.Rule{
		ID:         unconfirmedRuleID,
		Status:     "Enabled",
		RuleFilter: lifecycle.Filter{Tag: lifecycle.Tag{Key: unconfirmedTagKey, Value: unconfirmedTagValue}},
		Expiration: lifecycle.Expiration{Days: StagingExpiryDays},
	}
}

// UnconfirmedExpiry reports the number of days after which the bucket's lifecycle rules
// expire write-once uploads still tagged unconfirmed (0 if no enabled rule does).
func (s *Store) UnconfirmedExpiry(ctx context.Context) (int, error) {
	return s.expiryDays(ctx, func(r lifecycle.Rule) bool {
		t := r.RuleFilter.Tag
		return r.RuleFilter.Prefix == "" && t.Key == unconfirmedTagKey && t.Value == unconfirmedTagValue
	})
}
