// Package objects keeps evidence, toolkit documents and certificates in S3-compatible object
// storage (MinIO in development, any S3 service in production). Bytes never pass through the
// API: people get short-lived presigned links that name a single object.
package objects

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where the object store is.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
	Region    string // set so that presigning needs no network round trip
	// PublicURL (scheme://host[:port]) is where browsers reach the store, when that is not
	// Endpoint: in a cluster the processes talk to an internal host, but presigned links go to
	// people, so they are signed for the public address (the signature covers the host).
	// "" means Endpoint is public.
	PublicURL string
}

// Store is a bucket in object storage.
type Store struct {
	client *minio.Client
	signer *minio.Client // presigns links: client itself, or one for Config.PublicURL
	bucket string
}

// ErrNotFound means the object does not exist (for example, confirm before upload).
var ErrNotFound = errors.New("object not found")

// Open connects to the object store. It does no I/O.
func Open(cfg Config) (*Store, error) {
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: region,
	})
	if err != nil {
		return nil, fmt.Errorf("object storage at %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: c, signer: c, bucket: cfg.Bucket}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
			u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("object storage public URL %q: want scheme://host[:port], nothing more", cfg.PublicURL)
		}
		// Signing needs no request: the region is set, so minio-go never asks the public host.
		s.signer, err = minio.New(u.Host, &minio.Options{
			Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
			Secure: u.Scheme == "https",
			Region: region,
		})
		if err != nil {
			return nil, fmt.Errorf("object storage public URL %q: %w", cfg.PublicURL, err)
		}
	}
	return s, nil
}

// EnsureBucket creates the bucket if it is missing and makes sure unconfirmed uploads expire
// (stagingLifecycle); both steps are idempotent, so every start of the product runs them.
func (s *Store) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("checking bucket %q: %w", s.bucket, err)
	}
	if !ok {
		if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
			return fmt.Errorf("creating bucket %q: %w", s.bucket, err)
		}
	}
	return s.ensureStagingExpiry(ctx)
}

// PresignGet returns a short-lived download link for one object, offered under filename.
func (s *Store) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, time.Time, error) {
	params := url.Values{}
	params.Set("response-content-disposition", fmt.Sprintf("attachment; filename=%q", filename))
	u, err := s.signer.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("presigning download: %w", err)
	}
	return u.String(), time.Now().Add(ttl).UTC().Truncate(time.Second), nil
}

// Digest is what is actually stored under a key.
type Digest struct {
	Size   int64
	SHA256 string // lowercase hex
}

// Digest reads the stored object and computes its size and SHA-256, so that a confirm step
// trusts the bytes in storage rather than what the client declared.
func (s *Store) Digest(ctx context.Context, key string) (Digest, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return Digest{}, s.wrap(err, key)
	}
	defer obj.Close()
	h := sha256.New()
	n, err := io.Copy(h, obj)
	if err != nil {
		return Digest{}, s.wrap(err, key)
	}
	return Digest{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Put stores bytes under key (used for toolkit documents and generated files).
func (s *Store) Put(ctx context.Context, key, contentType string, r io.Reader, size int64) error {
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("storing %s: %w", key, err)
	}
	return nil
}

// Exists says whether an object is stored under key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if errors.Is(s.wrap(err, key), ErrNotFound) {
		return false, nil
	}
	return false, fmt.Errorf("checking %s: %w", key, err)
}

// Delete removes an object; deleting a missing object is not an error (idempotent).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.wrap(err, key), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("deleting %s: %w", key, err)
	}
	return nil
}

func (s *Store) wrap(err error, key string) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("reading %s: %w", key, err)
}

// Origin is scheme://host[:port] of the store's links (presigned uploads and downloads): web
// pages allow it in their Content-Security-Policy, since browsers send files straight there.
func (s *Store) Origin() string {
	u := s.signer.EndpointURL()
	return u.Scheme + "://" + u.Host
}
