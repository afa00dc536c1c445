package appstest

import (
	"context"
	"net/url"
	"sync"
	"time"

	"awardengine/storage/objects"
)

// URL is the origin of the fake object storage's links.
const URL = "https://objects.test"

// Objects hands out presigned links as fixed strings, without storage: a download link is
// URL/<key>?download=<filename>, an upload link URL/<key> with a PUT. Links expire at
// Time plus their lifetime.
type Objects struct {
	mu sync.Mutex
	// Err, when set, fails every link (storage unreachable).
	Err error
	// Gets and Puts are the keys links were handed out for, in order.
	Gets, Puts []string
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
