// Package objectstest gives tests a real object store: a MinIO process of their own with an
// empty bucket, and a client that uses presigned links as a browser or the CLI does.
package objectstest

import (
	"bytes"
	"net/http"
	"testing"

	"awardengine/deploy/devstack"
	"awardengine/storage/objects"
)

// Store starts MinIO for the test (stopped when it ends) and returns a store on a new bucket
// with its lifecycle rules set, as the product's start-up leaves it. Skipped with -short.
func Store(t testing.TB, bucket string) *objects.Store {
	t.Helper()
	if testing.Short() {
		t.Skip("starts MinIO")
	}
	m, err := devstack.StartMinIO(t.Context(), devstack.MinIOOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Stop() })
	store, err := objects.Open(objects.Config{Endpoint: m.Endpoint(), AccessKey: m.AccessKey(), SecretKey: m.SecretKey(), Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	return store
}

// Put sends content to a presigned upload link with its signed headers (Content-Length is
// the body's) and returns the store's status code.
func Put(t testing.TB, up objects.PresignedUpload, content []byte) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), up.Method, up.URL, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range up.Headers {
		if k != "Content-Length" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
