package objects

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"
)

// PresignedUpload is what a client needs to PUT one object straight into storage. Headers
// are part of the signature: the client must send every one of them, with these values.
type PresignedUpload struct {
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
}

// Header names the upload link signs.
const (
	headerContentType    = "Content-Type"
	headerContentLength  = "Content-Length"
	headerChecksumSHA256 = "x-amz-checksum-sha256"
)

// PresignPut returns a link that lets its holder PUT exactly the declared bytes to key until
// it expires. The signature covers Content-Length (the declared size) and
// x-amz-checksum-sha256 (the declared SHA-256), so the store itself refuses anything else:
// a body of another length fails the signature, and different bytes of the same length fail
// the checksum (BadDigest). minio-go's presigner signs every header it is given (only
// Authorization, User-Agent and Accept-Encoding are left out), and MinIO checks a signed
// content-length against the request's real length.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (PresignedUpload, error) {
	return s.presignPut(ctx, key, contentType, size, sha256Hex, ttl, nil)
}

// presignPut signs a PUT of the declared bytes with these extra headers signed too.
func (s *Store) presignPut(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration, extra map[string]string) (PresignedUpload, error) {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil || len(sum) != 32 {
		return PresignedUpload{}, fmt.Errorf("presigning upload: sha256 %q is not 64 hexadecimal characters", sha256Hex)
	}
	if size <= 0 {
		return PresignedUpload{}, fmt.Errorf("presigning upload: size %d is not positive", size)
	}
	headers := map[string]string{
		headerContentType:    contentType,
		headerContentLength:  strconv.FormatInt(size, 10),
		headerChecksumSHA256: base64.StdEncoding.EncodeToString(sum),
	}
	maps.Copy(headers, extra)
	signed := http.Header{}
	for k, v := range headers {
		signed.Set(k, v)
	}
	u, err := s.signer.PresignHeader(ctx, http.MethodPut, s.bucket, key, ttl, nil, signed)
	if err != nil {
		return PresignedUpload{}, fmt.Errorf("presigning upload: %w", err)
	}
	return PresignedUpload{
		Method:    http.MethodPut,
		URL:       u.String(),
		Headers:   headers,
		ExpiresAt: time.Now().Add(ttl).UTC().Truncate(time.Second),
	}, nil
}
