package objects

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
)

// Evidence is uploaded in two steps. The person's presigned link writes a staging key; confirm
// checks what the store holds there and then copies it, inside the store, to the final key
// that assessors download. We copy to a key of its own rather than pin the verified version
// of one key: versioning is not switched on for the bucket (not in development, and not
// something every S3 service offers), and a final key that no presigned link ever names
// cannot be overwritten by any link, old or new, whatever the bucket's settings. A staging
// object that is never confirmed expires by the bucket's lifecycle rule.
const (
	stagingPrefix = "staging/"
	// StagingExpiryDays is how long an unconfirmed upload stays in the store.
	StagingExpiryDays = 1
	stagingRuleID     = "expire-unconfirmed-uploads"
)

// StagingKey is where the upload link for the object finally stored under key writes.
func StagingKey(key string) string { return stagingPrefix + key }

// ensureStagingExpiry sets the lifecycle rules that delete unconfirmed uploads a day after
// they were written (staging objects, and write-once uploads still tagged unconfirmed),
// keeping any other rules the bucket has.
func (s *Store) ensureStagingExpiry(ctx context.Context) error {
	cfg, err := s.client.GetBucketLifecycle(ctx, s.bucket)
	if err != nil {
		if minio.ToErrorResponse(err).Code != "NoSuchLifecycleConfiguration" {
			return fmt.Errorf("reading the lifecycle rules of bucket %q: %w", s.bucket, err)
		}
		cfg = lifecycle.NewConfiguration()
	}
	rules := []lifecycle.Rule{{
		ID:         stagingRuleID,
		Status:     "Enabled",
		RuleFilter: lifecycle.Filter{Prefix: stagingPrefix},
		Expiration: lifecycle.Expiration{Days: StagingExpiryDays},
	}, unconfirmedExpiryRule()}
	for _, r := range cfg.Rules {
		if r.ID != stagingRuleID && r.ID != unconfirmedRuleID {
			rules = append(rules, r)
		}
	}
	cfg.Rules = rules
	if err := s.client.SetBucketLifecycle(ctx, s.bucket, cfg); err != nil {
		return fmt.Errorf("setting the expiry rules of unconfirmed uploads on bucket %q: %w", s.bucket, err)
	}
	return nil
}

// StagingExpiry reports the number of days after which the bucket's lifecycle rules expire
// staging objects (0 if no enabled rule does).
func (s *Store) StagingExpiry(ctx context.Context) (int, error) {
	return s.expiryDays(ctx, func(r lifecycle.Rule) bool {
		prefix := r.RuleFilter.Prefix
		if prefix == "" {
			prefix = r.Prefix
		}
		return strings.HasPrefix(stagingPrefix, prefix)
	})
}

// expiryDays is the expiry in days of the first enabled lifecycle rule that matches and
// expires objects (0 if none does).
func (s *Store) expiryDays(ctx context.Context, match func(lifecycle.Rule) bool) (int, error) {
	cfg, err := s.client.GetBucketLifecycle(ctx, s.bucket)
	if err != nil {
		return 0, fmt.Errorf("reading the lifecycle rules of bucket %q: %w", s.bucket, err)
	}
	for _, r := range cfg.Rules {
		if r.Status == "Enabled" && r.Expiration.Days > 0 && match(r) {
			return int(r.Expiration.Days), nil
		}
	}
	return 0, nil
}

// Stored is what the store says about an object, without reading it.
type Stored struct {
	Size int64
	// SHA256 is the checksum the store computed and checked when the object was written
	// (lowercase hex); empty if the store recorded none.
	SHA256 string
	ETag   string
	// Tagged says the object carries tags (the HEAD's x-amz-tagging-count): a write-once upload
	// not yet confirmed carries its unconfirmed tag, a confirmed one none.
	Tagged bool
}

// Stat returns the size and store-computed SHA-256 of an object (ErrNotFound if missing).
func (s *Store) Stat(ctx context.Context, key string) (Stored, error) {
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		return Stored{}, s.wrap(err, key)
	}
	return Stored{Size: info.Size, SHA256: fullObjectSHA256(info.ChecksumSHA256), ETag: info.ETag, Tagged: info.UserTagCount > 0}, nil
}

// fullObjectSHA256 turns the store's base64 checksum into hex. A checksum of parts (a
// multipart upload's "…-N") is not the content's SHA-256, so it counts as none.
func fullObjectSHA256(b64 string) string {
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != 32 {
		return ""
	}
	return hex.EncodeToString(sum)
}

// SniffBytes is how much of an object's head is read to tell its real type. Office Open XML
// files (docx, xlsx, pptx) are zip archives whose telling entry ("word/", "xl/", "ppt/")
// comes after a few others, sometimes after a thumbnail image: the library's default of
// 4 KiB often stops short of it, 64 KiB rarely does. A document whose telling entry lies even
// further in is reported as a plain zip (award.ContentMatches accepts that for zip-based
// document types).
const SniffBytes = 64 << 10

func init() {
	// The limit is global to the library; this package is its only user.
	mimetype.SetLimit(SniffBytes)
}

// Sniff reads the first SniffBytes of the object stored under key, as long as it is still the
// one with this ETag, and returns its type from its magic numbers (for example
// "application/pdf", "application/x-executable"; "application/octet-stream" if unknown).
func (s *Store) Sniff(ctx context.Context, key, etag string) (string, error) {
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(0, SniffBytes-1); err != nil {
		return "", err
	}
	if etag != "" {
		if err := opts.SetMatchETag(etag); err != nil {
			return "", err
		}
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return "", s.wrap(err, key)
	}
	defer obj.Close()
	head, err := io.ReadAll(io.LimitReader(obj, SniffBytes))
	if err != nil {
		return "", s.wrap(err, key)
	}
	return DetectType(head), nil
}

// DetectType names the type of content from its first bytes (see Sniff).
func DetectType(head []byte) string { return mimetype.Detect(head).String() }

// Promote copies the object under from, as long as it is still the one with this ETag, to
// key to inside the store (no bytes pass through this process), then deletes from. Running
// it again after a crash between the copy and the delete copies the same bytes again.
func (s *Store) Promote(ctx context.Context, from, to, etag string) error {
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: to},
		minio.CopySrcOptions{Bucket: s.bucket, Object: from, MatchETag: etag})
	if err != nil {
		if minio.ToErrorResponse(err).Code == "PreconditionFailed" {
			return fmt.Errorf("copying %s to %s: %w", from, to, ErrChanged)
		}
		return fmt.Errorf("copying %s to %s: %w", from, to, s.wrap(err, from))
	}
	return s.Delete(ctx, from)
}

// ErrChanged means an object was replaced between two steps that expected the same one.
var ErrChanged = errors.New("object changed while it was being checked")
