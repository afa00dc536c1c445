package objects

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

// A web page without JavaScript uploads evidence with an HTML form that POSTs the file straight
// to storage (an S3 POST policy): the browser cannot compute the file's SHA-256 to sign a PUT,
// so the form writes a key of its own under FormPrefix, and the server then reads what was
// stored, declares it like any other upload and copies it inside the store to the declared
// item's staging key (services/applications, formupload.go). Form objects are under the
// staging prefix, so any that are never adopted expire by the same lifecycle rule.

// FormPrefix is where evidence forms write: FormPrefix + <application id> + "/" + <token> +
// "/" + <the file's own name>.
const FormPrefix = stagingPrefix + "form/"

// FilenameField is what storage replaces, in a form's key, with the name of the chosen file.
const FilenameField = "${filename}"

// FormTokenLength is the length of a form key's random token: 128 bits in lowercase hex.
const FormTokenLength = 32

// MaxPostBytes is the most one S3 POST (or PUT) may carry: 5 GiB.
const MaxPostBytes int64 = 5 << 30

// FormKeyPrefix is the folder of an application's form uploads.
func FormKeyPrefix(applicationID string) string { return FormPrefix + applicationID + "/" }

// FormKey is the parts of a form upload's key.
type FormKey struct {
	ApplicationID string
	Token         string // 32 lowercase hexadecimal characters
	Filename      string // as the browser named the file; "" when no file was chosen
}

// ParseFormKey splits a form upload's key. It refuses anything that is not exactly
// FormPrefix + applicationID + "/" + token + "/" + name with a well-formed token and a name
// that is a file name (no "/"). A form sent with no file chosen stores the key with its
// placeholder unreplaced (storage names the object after the key itself): that is a valid key
// with an empty Filename.
func ParseFormKey(key, applicationID string) (FormKey, bool) {
	rest, ok := strings.CutPrefix(key, FormKeyPrefix(applicationID))
	if !ok || applicationID == "" || strings.Contains(applicationID, "/") {
		return FormKey{}, false
	}
	token, name, ok := strings.Cut(rest, "/")
	if !ok || !isFormToken(token) {
		return FormKey{}, false
	}
	k := FormKey{ApplicationID: applicationID, Token: token}
	if strings.HasSuffix(name, FilenameField) {
		// No file: the key was substituted into itself, "…/<token>/staging/form/…/${filename}".
		if name == FilenameField || name == FormKeyPrefix(applicationID)+token+"/"+FilenameField {
			return k, true
		}
		return FormKey{}, false
	}
	if name == "" || strings.Contains(name, "/") {
		return FormKey{}, false
	}
	k.Filename = name
	return k, true
}

func isFormToken(s string) bool {
	if len(s) != FormTokenLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// NewFormToken is a fresh random token for a form key.
func NewFormToken() string {
	var b [FormTokenLength / 2]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return hex.EncodeToString(b[:])
}

// PostForm is an HTML form that uploads one file straight to storage. Fields are its hidden
// inputs (all of them, with these values: the policy signs them); the file input must be named
// "file" and come after them, and the form must send nothing else (a named submit button
// would be a field the policy does not list).
type PostForm struct {
	URL       string
	Fields    map[string]string
	KeyPrefix string // every object the form writes is under it
	ExpiresAt time.Time
}

// PresignPost returns a form that stores one file of at most maxBytes under
// FormKeyPrefix(applicationID) + <a new token> + "/" + <the file's name>, and then sends the
// browser to redirect (storage adds ?bucket=…&key=…&etag=…). The range starts at 0 so that an
// empty file, or a form sent with no file chosen, still comes back to the page, which says
// what is wrong in words (storage would answer with an XML error).
func (s *Store) PresignPost(ctx context.Context, applicationID string, maxBytes int64, redirect string, ttl time.Duration) (PostForm, error) {
	if applicationID == "" || strings.Contains(applicationID, "/") {
		return PostForm{}, fmt.Errorf("presigning a form upload: application id %q", applicationID)
	}
	if maxBytes <= 0 || maxBytes > MaxPostBytes {
		maxBytes = MaxPostBytes
	}
	prefix := FormKeyPrefix(applicationID) + NewFormToken() + "/"
	expires := time.Now().Add(ttl).UTC().Truncate(time.Second)
	p := minio.NewPostPolicy()
	for _, err := range []error{
		p.SetBucket(s.bucket),
		p.SetKeyStartsWith(prefix),
		p.SetContentLengthRange(0, maxBytes),
		p.SetSuccessActionRedirect(redirect),
		p.SetExpires(expires),
	} {
		if err != nil {
			return PostForm{}, fmt.Errorf("presigning a form upload: %w", err)
		}
	}
	u, fields, err := s.signer.PresignedPostPolicy(ctx, p)
	if err != nil {
		return PostForm{}, fmt.Errorf("presigning a form upload: %w", err)
	}
	fields["key"] = prefix + FilenameField
	return PostForm{URL: u.String(), Fields: fields, KeyPrefix: prefix, ExpiresAt: expires}, nil
}

// Inspected is what an object holds, read once.
type Inspected struct {
	Size   int64
	SHA256 string // lowercase hex
	Type   string // from its first SniffBytes (see Sniff)
	ETag   string
}

// Inspect reads the object under key once, as long as it is the one with this ETag ("" = any):
// its size, its SHA-256 and its real type. ErrNotFound if it is missing, ErrChanged if it was
// replaced.
func (s *Store) Inspect(ctx context.Context, key, etag string) (Inspected, error) {
	opts := minio.GetObjectOptions{}
	if etag != "" {
		if err := opts.SetMatchETag(etag); err != nil {
			return Inspected{}, err
		}
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, opts)
	if err != nil {
		return Inspected{}, s.inspectErr(err, key)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		return Inspected{}, s.inspectErr(err, key)
	}
	h := sha256.New()
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(obj, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Inspected{}, s.inspectErr(err, key)
	}
	head = head[:n]
	h.Write(head)
	rest, err := io.Copy(h, obj)
	if err != nil {
		return Inspected{}, s.inspectErr(err, key)
	}
	return Inspected{Size: int64(n) + rest, SHA256: hex.EncodeToString(h.Sum(nil)), Type: DetectType(head), ETag: info.ETag}, nil
}

func (s *Store) inspectErr(err error, key string) error {
	if minio.ToErrorResponse(err).Code == "PreconditionFailed" {
		return fmt.Errorf("reading %s: %w", key, ErrChanged)
	}
	return s.wrap(err, key)
}

// CopyChecked copies the object under from, as long as it is the one with this ETag, to to
// inside the store (no bytes pass through this process), and has the store compute and keep
// the copy's SHA-256, as it does for an upload with a checksum: Stat then reports it, so
// the copy can be confirmed like an upload. The source stays. ErrNotFound if it is missing,
// ErrChanged if it was replaced.
func (s *Store) CopyChecked(ctx context.Context, from, to, etag string) error {
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: to, ChecksumType: minio.ChecksumSHA256},
		minio.CopySrcOptions{Bucket: s.bucket, Object: from, MatchETag: etag})
	if err != nil {
		if minio.ToErrorResponse(err).Code == "PreconditionFailed" {
			return fmt.Errorf("copying %s to %s: %w", from, to, ErrChanged)
		}
		return fmt.Errorf("copying %s to %s: %w", from, to, s.wrap(err, from))
	}
	return nil
}
