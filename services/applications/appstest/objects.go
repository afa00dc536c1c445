package appstest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"time"

	"awardengine/storage/objects"
)

// URL is the origin of the fake object storage's links.
const URL = "https://objects.test"

// Objects hands out presigned links as fixed strings, and keeps objects in memory (Put) for
// what reads them (Stat, Sniff, Inspect, copies): a download link is URL/<key>?download=<name>,
// an upload link URL/<key> with a PUT, a form upload POSTs to URL/form with its key under
// FormKeyPrefix(application)+"0123…ef/" (a fixed token). Links expire at Time plus their
// lifetime.
type Objects struct {
	mu      sync.Mutex
	objects map[string][]byte
	// Err, when set, fails every call (storage unreachable).
	Err error
	// Gets, Puts and Posts are what links were handed out for, in order: keys, keys, and
	// applications. Deleted and Copied ("from → to") are what was changed.
	Gets, Puts, Posts, Deleted, Copied []string
}

// FormToken is the token of every form upload's key.
const FormToken = "0123456789abcdef0123456789abcdef"

// Put stores data under key (a file a form uploaded, say).
func (o *Objects) Put(key string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.objects == nil {
		o.objects = map[string][]byte{}
	}
	o.objects[key] = append([]byte(nil), data...)
}

// Has says whether an object is stored under key.
func (o *Objects) Has(key string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.objects[key]
	return ok
}

// PresignGet is a download link to key.
func (o *Objects) PresignGet(_ context.Context, key, filename string, ttl time.Duration) (string, time.Time, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Err != nil {
		return "", time.Time{}, o.Err
	}
	o.Gets = append(o.Gets, key)
	return URL + "/" + key + "?download=" + url.QueryEscape(filename), Time.Add(ttl), nil
}

// PresignPut is an upload link to key, binding its content type, size and checksum.
func (o *Objects) PresignPut(_ context.Context, key, contentType string, _ int64, sha256Hex string, ttl time.Duration) (objects.PresignedUpload, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Err != nil {
		return objects.PresignedUpload{}, o.Err
	}
	o.Puts = append(o.Puts, key)
	return objects.PresignedUpload{Method: "PUT", URL: URL + "/" + key,
		Headers: map[string]string{"Content-Type": contentType, "x-amz-checksum-sha256": sha256Hex}, ExpiresAt: Time.Add(ttl)}, nil
}

// PresignPutOnce is PresignPut with the write-once headers (If-None-Match, the unconfirmed tag).
func (o *Objects) PresignPutOnce(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (objects.PresignedUpload, error) {
	up, err := o.PresignPut(ctx, key, contentType, size, sha256Hex, ttl)
	if err == nil {
		up.Headers["If-None-Match"] = "*"
		up.Headers["x-amz-tagging"] = "award-upload=unconfirmed"
	}
	return up, err
}

// PresignPost is a form that uploads one file for the application.
func (o *Objects) PresignPost(_ context.Context, applicationID string, _ int64, redirect string, ttl time.Duration) (objects.PostForm, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Err != nil {
		return objects.PostForm{}, o.Err
	}
	o.Posts = append(o.Posts, applicationID)
	prefix := objects.FormKeyPrefix(applicationID) + FormToken + "/"
	return objects.PostForm{URL: URL + "/form", KeyPrefix: prefix, ExpiresAt: Time.Add(ttl),
		Fields: map[string]string{"key": prefix + objects.FilenameField, "success_action_redirect": redirect, "policy": "policy"}}, nil
}

func (o *Objects) object(key, etag string) ([]byte, error) {
	if o.Err != nil {
		return nil, o.Err
	}
	b, ok := o.objects[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, objects.ErrNotFound)
	}
	if etag != "" && etag != etagOf(b) {
		return nil, fmt.Errorf("reading %s: %w", key, objects.ErrChanged)
	}
	return b, nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Stat is a stored object's size, SHA-256 and ETag.
func (o *Objects) Stat(_ context.Context, key string) (objects.Stored, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.object(key, "")
	if err != nil {
		return objects.Stored{}, err
	}
	return objects.Stored{Size: int64(len(b)), SHA256: sha(b), ETag: etagOf(b)}, nil
}

// Sniff is a stored object's type from its first bytes.
func (o *Objects) Sniff(_ context.Context, key, etag string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.object(key, etag)
	if err != nil {
		return "", err
	}
	if len(b) > objects.SniffBytes {
		b = b[:objects.SniffBytes]
	}
	return objects.DetectType(b), nil
}

// Inspect is a stored object's size, SHA-256, type and ETag.
func (o *Objects) Inspect(_ context.Context, key, etag string) (objects.Inspected, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.object(key, etag)
	if err != nil {
		return objects.Inspected{}, err
	}
	head := b
	if len(head) > objects.SniffBytes {
		head = head[:objects.SniffBytes]
	}
	return objects.Inspected{Size: int64(len(b)), SHA256: sha(b), Type: objects.DetectType(head), ETag: etagOf(b)}, nil
}

// CopyChecked copies an object (as long as it is still the one with etag).
func (o *Objects) CopyChecked(_ context.Context, from, to, etag string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, err := o.object(from, etag)
	if err != nil {
		return err
	}
	o.objects[to] = b
	o.Copied = append(o.Copied, from+" → "+to)
	return nil
}

// Delete removes an object (a missing one is no error).
func (o *Objects) Delete(_ context.Context, key string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Err != nil {
		return o.Err
	}
	delete(o.objects, key)
	o.Deleted = append(o.Deleted, key)
	return nil
}
