package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"awardengine/structs"
)

func uploadCommand() command {
	return command{
		name:    "upload",
		args:    "APPLICATION_ID FILE [FILE...] --standards CODES [--type MIME] [--note TEXT]",
		summary: "Upload one or more files as evidence",
		about: `Uploads FILE as evidence mapped to the given standards: declares it to the
API (name, size, SHA-256, type), sends the bytes straight to object storage,
then confirms it. The content type is guessed from the file extension unless
--type is given. Prints the new evidence id.

Several FILEs are declared in one action and confirmed in one action (up to
50 a batch), each mapped to the given standards, each with its type guessed
from its extension (--type is for one FILE only). A file that storage or the
confirm refuses is removed again and named; the others stay uploaded.`,
		setup: func(fs *flag.FlagSet) runner {
			var standards, ctype, note string
			fs.StringVar(&standards, "standards", "", "comma-separated standard `codes`, e.g. LD1,RB2")
			fs.StringVar(&ctype, "type", "", "content `type` (default: guessed from the extension)")
			fs.StringVar(&note, "note", "", "a `note` for the assessor")
			return func(ctx context.Context, a *app, args []string) error {
				files := args
				if len(args) > 2 {
					files = args[:2] // checked here; every FILE is checked again when read
				}
				if err := wantArgs("upload", files, "APPLICATION_ID", "FILE"); err != nil {
					return err
				}
				codes := splitCodes(standards)
				if len(codes) == 0 {
					return usageErr("upload", "missing --standards")
				}
				if ctype = strings.TrimSpace(ctype); ctype != "" {
					if _, _, err := mime.ParseMediaType(ctype); err != nil {
						return usageErr("upload", "--type %q is not a media type", ctype)
					}
				}
				if len(args) > 2 {
					if ctype != "" {
						return usageErr("upload", "--type is for one FILE only: several files take their types from their extensions")
					}
					return a.uploadMany(ctx, args[0], args[1:], codes, strings.TrimSpace(note))
				}
				return a.upload(ctx, args[0], args[1], codes, ctype, strings.TrimSpace(note))
			}
		},
	}
}

func (a *app) upload(ctx context.Context, appID, file string, codes []string, ctype, note string) error {
	f, err := os.Open(file)
	if err != nil {
		return usageErr("upload", "cannot read FILE: %v", errors.Unwrap(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return usageErr("upload", "%s is not a regular file", file)
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return usageErr("upload", "reading %s: %v", file, err)
	}
	if ctype == "" {
		ctype = guessType(file)
	}
	decl := structs.AddEvidenceRequest{
		Filename:    filepath.Base(file),
		Size:        size,
		ContentType: ctype,
		SHA256:      hex.EncodeToString(h.Sum(nil)),
		Standards:   codes,
		Note:        note,
	}
	var created structs.EvidenceCreated
	if _, err := a.call(ctx, http.MethodPost, appPath(appID, "evidence"), decl, &created); err != nil {
		return err
	}
	evID := created.Evidence.ID

	if err := a.put(ctx, f, size, created, decl.Filename); err != nil {
		return a.abandon(ctx, appID, evID, err)
	}
	var item structs.Evidence
	raw, err := a.call(ctx, http.MethodPost, appPath(appID, "evidence", evID, "confirm"), nil, &item)
	if err != nil {
		if uploadRejected(err) {
			return a.abandon(ctx, appID, evID, err)
		}
		return withItem(err, fmt.Sprintf("evidence %s may not be confirmed: check with 'starter status %s'", evID, appID))
	}
	if a.json {
		return a.printJSON(raw)
	}
	fmt.Fprintf(a.stdout, "Uploaded %s (%s) as evidence %s, mapped to %s (%s)\n",
		decl.Filename, formatBytes(size), item.ID, strings.Join(item.Standards, ", "), item.State)
	return nil
}

// put sends the file's bytes to the presigned URL with exactly the signed
// headers. The link signs the declared size and SHA-256, so storage refuses
// the upload if the file changed after it was declared.
func (a *app) put(ctx context.Context, f *os.File, size int64, c structs.EvidenceCreated, name string) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return usageErr("upload", "rewinding %s: %v", name, err)
	}
	method := c.Upload.Method
	if method == "" {
		method = http.MethodPut
	}
	bar := newProgress(a.stderr, name, size, !a.json)
	req, err := http.NewRequestWithContext(ctx, method, c.Upload.URL, bar.reader(f))
	if err != nil {
		return unavailable("upload: bad upload link from the API: %v", err)
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody // otherwise Go would send it chunked
	}
	for k, v := range c.Upload.Headers {
		switch {
		case strings.EqualFold(k, "Host"):
			req.Host = v
		case strings.EqualFold(k, "Content-Length"):
			// Sent from req.ContentLength (Go never sends a header copy); it is the size
			// that was declared, so it can only differ if the API and this file disagree.
			if v != strconv.FormatInt(size, 10) {
				return &cliError{code: exitRefused, msg: fmt.Sprintf("upload: the upload link is for %s bytes but %s has %d", v, name, size)}
			}
		default:
			req.Header.Set(k, v)
		}
	}
	resp, err := a.storageDo(req, "uploading "+name)
	bar.finish(err == nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// uploadRejected says whether confirmation failed because the stored bytes
// are wrong or missing (422 size, checksum or type mismatch, 409 not-uploaded),
// so the pending item is of no further use.
func uploadRejected(err error) bool {
	var ce *cliError
	if !errors.As(err, &ce) {
		return false
	}
	return ce.status == http.StatusUnprocessableEntity ||
		(ce.status == http.StatusConflict && strings.HasSuffix(ce.ptype, "/not-uploaded"))
}

// abandon removes a pending evidence item after a failed upload (best
// effort), so that running the command again starts clean.
func (a *app) abandon(ctx context.Context, appID, evID string, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	_, err := a.call(ctx, http.MethodDelete, appPath(appID, "evidence", evID), nil, nil)
	var de *cliError
	if err == nil || (errors.As(err, &de) && de.status == http.StatusNotFound) {
		return withItem(cause, "the unfinished evidence item was removed: run the upload again")
	}
	return withItem(cause, fmt.Sprintf("evidence %s is left pending: remove it with 'starter remove %s %s'", evID, appID, evID))
}

// extraTypes are content types the system's MIME table may lack or get wrong.
var extraTypes = map[string]string{
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
	".rtf":  "application/rtf",
	".pdf":  "application/pdf",
	".txt":  "text/plain",
	".csv":  "text/csv",
	".md":   "text/markdown",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".gif":  "image/gif",
	".webp": "image/webp",
	".heic": "image/heic",
	".heif": "image/heif",
	".mp4":  "video/mp4",
	".mov":  "video/quicktime",
	".mp3":  "audio/mpeg",
	".m4a":  "audio/mp4",
	".wav":  "audio/wav",
}

// guessType returns the bare media type (no parameters) for a file name.
func guessType(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	t, ok := extraTypes[ext]
	if !ok {
		t = mime.TypeByExtension(ext)
	}
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		return mt
	}
	return "application/octet-stream"
}
