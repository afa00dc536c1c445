package objects

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
)

// Inline says whether a browser is given a file of this type to show in place (a PDF, or a PNG
// or JPEG image: types browsers display themselves, and which run no script on storage's
// origin). Anything else is downloaded.
func Inline(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch strings.ToLower(t) {
	case "application/pdf", "image/png", "image/jpeg":
		return true
	}
	return false
}

// PresignView is PresignGet for reading a file in a browser: a type Inline allows is answered
// with Content-Disposition inline and that Content-Type (so the browser shows it in place, under
// filename if saved); any other type is an attachment, as PresignGet's.
func (s *Store) PresignView(ctx context.Context, key, filename, contentType string, ttl time.Duration) (string, time.Time, error) {
	if !Inline(contentType) {
		return s.PresignGet(ctx, key, filename, ttl)
	}
	t, _, _ := mime.ParseMediaType(contentType)
	params := url.Values{}
	params.Set("response-content-disposition", Disposition("inline", filename))
	params.Set("response-content-type", strings.ToLower(t))
	u, err := s.signer.PresignedGetObject(ctx, s.bucket, key, ttl, params)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("presigning view: %w", err)
	}
	return u.String(), time.Now().Add(ttl).UTC().Truncate(time.Second), nil
}

// Disposition is a Content-Disposition of kind ("inline" or "attachment") naming filename,
// encoded for any filename (RFC 2231 for one that is not plain ASCII); the bare kind when the
// filename cannot be said.
func Disposition(kind, filename string) string {
	if v := mime.FormatMediaType(kind, map[string]string{"filename": filename}); v != "" {
		return v
	}
	return kind
}
