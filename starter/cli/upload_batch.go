package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"awardengine/structs"
)

// batchSize is the most files the API declares or confirms in one action.
const batchSize = 50

// uploadMany uploads several files: declared in one action, their bytes sent to object
// storage one after another, confirmed in one action (per batch of up to batchSize). Files
// refused on the way (by storage, or at confirm) are removed again; the others stay.
func (a *app) uploadMany(ctx context.Context, appID string, files []string, codes []string, note string) error {
	decls := make([]structs.AddEvidenceRequest, 0, len(files))
	for _, file := range files {
		d, err := declareFile(file)
		if err != nil {
			return err
		}
		d.Standards, d.Note = codes, note
		decls = append(decls, d)
	}
	var failed []string
	var confirmed []structs.EvidenceConfirmation
	var raws [][]byte
	for start := 0; start < len(decls); start += batchSize {
		end := min(start+batchSize, len(decls))
		got, raw, bad, err := a.uploadBatch(ctx, appID, files[start:end], decls[start:end])
		if err != nil {
			return err
		}
		confirmed, failed, raws = append(confirmed, got...), append(failed, bad...), append(raws, raw)
	}
	if a.json && len(raws) == 1 {
		if err := a.printJSON(raws[0]); err != nil {
			return err
		}
	} else if !a.json {
		for _, c := range confirmed {
			fmt.Fprintf(a.stdout, "Uploaded %s (%s) as evidence %s, mapped to %s (%s)\n",
				c.Evidence.Filename, formatBytes(c.Evidence.Size), c.Evidence.ID, strings.Join(c.Evidence.Standards, ", "), c.Evidence.State)
		}
	}
	if len(failed) > 0 {
		return &cliError{code: exitRefused, msg: fmt.Sprintf("upload: %d of %d files were not uploaded", len(failed), len(files)), items: failed}
	}
	return nil
}

// declareFile reads a file's size and SHA-256 for its declaration.
func declareFile(file string) (structs.AddEvidenceRequest, error) {
	f, err := os.Open(file)
	if err != nil {
		return structs.AddEvidenceRequest{}, usageErr("upload", "cannot read %s: %v", file, errors.Unwrap(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return structs.AddEvidenceRequest{}, usageErr("upload", "%s is not a regular file", file)
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return structs.AddEvidenceRequest{}, usageErr("upload", "reading %s: %v", file, err)
	}
	return structs.AddEvidenceRequest{Filename: filepath.Base(file), Size: size, ContentType: guessType(file),
		SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// uploadBatch declares one batch, sends each file's bytes and confirms the batch. It returns
// the confirmed items, the confirm's raw answer and a line for each file that was not
// uploaded (its pending item removed, or left pending when that is not known to be safe).
func (a *app) uploadBatch(ctx context.Context, appID string, files []string, decls []structs.AddEvidenceRequest) (
	[]structs.EvidenceConfirmation, []byte, []string, error) {
	var created structs.EvidenceBatchCreated
	if _, err := a.call(ctx, http.MethodPost, appPath(appID, "evidence", "batch"), structs.AddEvidenceBatchRequest{Items: decls}, &created); err != nil {
		return nil, nil, nil, err
	}
	if len(created.Items) != len(decls) {
		return nil, nil, nil, unavailable("upload: the API declared %d of %d files", len(created.Items), len(decls))
	}
	var failed, ids []string
	for i, c := range created.Items {
		if err := a.putFile(ctx, files[i], c); err != nil {
			failed = append(failed, a.abandonQuietly(ctx, appID, c.Evidence.ID, decls[i].Filename, err))
			continue
		}
		ids = append(ids, c.Evidence.ID)
	}
	if len(ids) == 0 {
		return nil, nil, failed, nil
	}
	var res structs.EvidenceBatchConfirmed
	raw, err := a.call(ctx, http.MethodPost, appPath(appID, "evidence", "batch", "confirm"), structs.ConfirmEvidenceBatchRequest{EvidenceIDs: ids}, &res)
	if err != nil {
		return nil, nil, nil, withItem(err, fmt.Sprintf("evidence %s may not be confirmed: check with 'starter status %s'", strings.Join(ids, ", "), appID))
	}
	var confirmed []structs.EvidenceConfirmation
	for _, c := range res.Items {
		switch {
		case c.Confirmed:
			confirmed = append(confirmed, c)
		case c.Problem != nil && (c.Problem.Status == http.StatusUnprocessableEntity ||
			(c.Problem.Status == http.StatusConflict && strings.HasSuffix(c.Problem.Type, "/not-uploaded"))):
			cause := fmt.Errorf("%s: %s", c.Problem.Title, c.Problem.Detail)
			failed = append(failed, a.abandonQuietly(ctx, appID, c.Evidence.ID, c.Evidence.Filename, cause))
		default:
			why := "not confirmed"
			if c.Problem != nil {
				why = c.Problem.Title + ": " + c.Problem.Detail
			}
			failed = append(failed, fmt.Sprintf("%s: %s; evidence %s is still pending: confirm it again later", c.Evidence.Filename, why, c.Evidence.ID))
		}
	}
	return confirmed, raw, failed, nil
}

// putFile sends one declared file's bytes to its upload link.
func (a *app) putFile(ctx context.Context, file string, c structs.EvidenceCreated) error {
	f, err := os.Open(file)
	if err != nil {
		return usageErr("upload", "cannot read %s: %v", file, errors.Unwrap(err))
	}
	defer f.Close()
	return a.put(ctx, f, c.Evidence.Size, c, c.Evidence.Filename)
}

// abandonQuietly removes a file's pending item after its upload failed (as abandon does) and
// returns the line that says so.
func (a *app) abandonQuietly(ctx context.Context, appID, evID, name string, cause error) string {
	var ce *cliError
	if errors.As(a.abandon(ctx, appID, evID, cause), &ce) && len(ce.items) > 0 {
		return fmt.Sprintf("%s: %s; %s", name, cause.Error(), ce.items[len(ce.items)-1])
	}
	return fmt.Sprintf("%s: %s", name, cause.Error())
}
