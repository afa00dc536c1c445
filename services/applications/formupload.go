package applications

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Evidence from a web page without JavaScript. A browser without JavaScript cannot compute a
// file's SHA-256, so it cannot use the presigned PUT that AddEvidence hands out (storage
// checks the bytes against the declared checksum). Instead the page's form POSTs the file
// straight to storage under a key of the form's own (objects.PresignPost); storage sends the
// browser back to the page, which shows what is about to be added and asks which standards it
// is evidence for (CheckFormUpload), and then AdoptFormUpload:
//
//  1. reads the stored object once (size, SHA-256, real type) — the server trusts the store,
//     never the browser;
//  2. declares it with the journey's own add-evidence update (the same validation, limits and
//     portfolio accounting as any upload);
//  3. copies it inside the store to the declared item's upload key, the store computing and
//     keeping its SHA-256 as it does for a checked PUT (no bytes pass through the server, and
//     the browser's upload was never proxied);
//  4. confirms it with the journey's confirm update (activities.ConfirmUpload checks size,
//     SHA-256 and type again and moves it to the final key);
//  5. deletes the form object.
//
// Every step can run again. A pending item that declares exactly these bytes under this name
// is this upload's item (a crash after step 2 or 3 resumes there, and two requests racing
// each other settle on the earliest item); an item already confirmed with these bytes and
// name means the upload was added (a crash after step 4). A crash that is never retried
// leaves a pending item, which the evidence page lists as "upload not finished" with Remove,
// and a form object under staging/, which the bucket's lifecycle rule deletes after a day.

// FormUploadTTL is how long an evidence page's upload form works.
const FormUploadTTL = time.Hour

// TypeUploadGone is the problem type of a form upload that is no longer waiting to be added.
const TypeUploadGone = "upload-gone"

// FileField names the form's file in the refusals of a form upload.
const FileField = "file"

// EvidenceForm is the evidence page's upload form for browsers without JavaScript: it sends
// one file, of at most the per-file limit, straight to storage, which then sends the browser
// to redirect (an absolute URL of the evidence page's "uploaded" step).
func (s *Service) EvidenceForm(ctx context.Context, me award.Person, id, redirect string) (objects.PostForm, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return objects.PostForm{}, err
	}
	return s.Objects.PresignPost(ctx, app.ID, s.maxFileBytes(), redirect, FormUploadTTL)
}

func (s *Service) maxFileBytes() int64 {
	if s.Limits.MaxFileBytes > 0 {
		return s.Limits.MaxFileBytes
	}
	if s.Limits.MaxPortfolioBytes > 0 || len(s.Limits.AllowedTypes) > 0 {
		return 0 // a configuration with no per-file limit: storage's own
	}
	return award.DefaultMaxFileBytes
}

// FormUpload is a file an evidence form stored, waiting to be added.
type FormUpload struct {
	Key         string
	Filename    string
	Size        int64
	ContentType string // the type it will be declared as: its name's, checked against its bytes
}

// CheckFormUpload says what the evidence form stored under key and whether it can be added:
// the same rules as a declaration (name, size, type, the portfolio's limit, the stage), and
// its first bytes must be of the type its name says. A file that can never be added is
// deleted and refused in words (field "file"); a key that is not one of this application's
// form keys is not found; a file no longer there is TypeUploadGone.
func (s *Service) CheckFormUpload(ctx context.Context, me award.Person, id, key string) (FormUpload, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return FormUpload{}, err
	}
	fk, ok := objects.ParseFormKey(key, app.ID)
	if !ok {
		return FormUpload{}, structs.NotFound("no such upload")
	}
	up := FormUpload{Key: key, Filename: fk.Filename}
	stored, err := s.Objects.Stat(ctx, key)
	if errors.Is(err, objects.ErrNotFound) {
		return up, uploadGone()
	}
	if err != nil {
		return up, Unchanged(err)
	}
	up.Size = stored.Size
	sniffed := ""
	if fk.Filename != "" && stored.Size > 0 {
		if sniffed, err = s.Objects.Sniff(ctx, key, stored.ETag); err != nil {
			if errors.Is(err, objects.ErrNotFound) {
				return up, uploadGone()
			}
			return up, Unchanged(err)
		}
	}
	st, err := s.journeyStatus(ctx, app)
	if err != nil {
		return up, err
	}
	up.ContentType = declaredType(fk.Filename, sniffed)
	if err := s.checkFormFile(st, fk.Filename, up.Size, up.ContentType, sniffed); err != nil {
		return up, s.discardForm(ctx, key, err)
	}
	return up, nil
}

// FormAdopted is the answer of AdoptFormUpload.
type FormAdopted struct {
	Evidence structs.Evidence
	// Existing: the file was already in the portfolio (this upload was added before, or the
	// same file under the same name was): nothing new was added.
	Existing bool
}

// AdoptFormUpload adds the file the evidence form stored under key to the portfolio, as
// evidence for standards (see the steps above). Its refusals are the declaration's and the
// confirmation's, in words (too large, wrong type, checksum mismatch, portfolio limit,
// stage); after a refusal that no retry can change, the form object (and any item declared
// for it) is removed.
func (s *Service) AdoptFormUpload(ctx context.Context, me award.Person, id, key string, standards []string) (FormAdopted, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return FormAdopted{}, err
	}
	fk, ok := objects.ParseFormKey(key, app.ID)
	if !ok {
		return FormAdopted{}, structs.NotFound("no such upload")
	}
	got, err := s.Objects.Inspect(ctx, key, "")
	if errors.Is(err, objects.ErrNotFound) {
		return FormAdopted{}, uploadGone()
	}
	if err != nil {
		return FormAdopted{}, Unchanged(err)
	}
	st, err := s.journeyStatus(ctx, app)
	if err != nil {
		return FormAdopted{}, err
	}
	declared := declaredType(fk.Filename, got.Type)

	// Added before (a crash after confirming, a second press of the button): done.
	if it, ok := sameFile(st.Evidence, fk.Filename, got, activities.EvidenceConfirmed); ok {
		if err := s.Objects.Delete(ctx, key); err != nil {
			return FormAdopted{}, err
		}
		return FormAdopted{Evidence: ViewEvidence(it), Existing: true}, nil
	}
	if err := s.checkFormFile(st, fk.Filename, got.Size, declared, got.Type); err != nil {
		return FormAdopted{}, s.discardForm(ctx, key, err)
	}
	if len(standards) == 0 {
		return FormAdopted{}, structs.Invalid("standards", "select the standards this file is evidence for")
	}

	item, resumed := sameFile(st.Evidence, fk.Filename, got, activities.EvidencePending)
	if !resumed {
		if err := s.Update(ctx, app.ID, workflows.UpdateAddEvidence, workflows.AddEvidenceRequest{
			Actor: Actor(me), Filename: fk.Filename, ContentType: declared, Size: got.Size,
			SHA256: got.SHA256, Standards: standards,
		}, &item); err != nil {
			return FormAdopted{}, s.discardForm(ctx, key, err)
		}
		// Two requests for the same upload at once each declare an item: both carry on with
		// the earliest, and the later one's item goes.
		if st, err := s.Status(ctx, app.ID); err == nil {
			if first, ok := sameFile(st.Evidence, fk.Filename, got, activities.EvidencePending); ok && first.ID != item.ID {
				if err := s.RemoveEvidence(ctx, me, id, item.ID); err != nil {
					return FormAdopted{}, err
				}
				item = first
			}
		}
	}
	if !slices.Equal(item.Standards, standards) && resumed {
		// A retry with other standards: the person's latest choice counts.
		if _, err := s.MapEvidence(ctx, me, id, item.ID, structs.MapEvidenceRequest{Standards: standards}); err != nil {
			return FormAdopted{}, err
		}
	}
	if err := s.Objects.CopyChecked(ctx, key, item.CopyKey(), got.ETag); err != nil {
		if errors.Is(err, objects.ErrNotFound) || errors.Is(err, objects.ErrChanged) {
			// Replaced or gone since it was read (the same form sent again): start over.
			return FormAdopted{}, &structs.Problem{Status: http.StatusConflict, Type: "upload-changed", Title: "Upload changed",
				Detail: "the uploaded file changed while it was being added; check your evidence, and upload it again if it is missing"}
		}
		return FormAdopted{}, err
	}
	ev, err := s.ConfirmEvidence(ctx, me, id, item.ID)
	if err != nil {
		if p, known := Problem(err, false); known && slices.Contains(refusedBytes, p.Type) {
			// The journey refused the bytes (and deleted its copy): the item can never be
			// confirmed, so it goes too.
			if rerr := s.RemoveEvidence(ctx, me, id, item.ID); rerr != nil {
				return FormAdopted{}, err
			}
			return FormAdopted{}, s.discardForm(ctx, key, err)
		}
		return FormAdopted{}, err
	}
	if err := s.Objects.Delete(ctx, key); err != nil {
		return FormAdopted{}, err
	}
	return FormAdopted{Evidence: ev}, nil
}

// refusedBytes are the confirmation's refusals of the stored bytes themselves.
var refusedBytes = []string{"size-mismatch", "checksum-mismatch", "type-mismatch", "invalid"}

// journeyStatus is the journey's state (starting it if registration left it behind).
func (s *Service) journeyStatus(ctx context.Context, app postgres.Application) (workflows.Status, error) {
	var st workflows.Status
	err := s.WithJourney(ctx, app, func() (err error) {
		st, err = s.Status(ctx, app.ID)
		return err
	})
	return st, err
}

// checkFormFile applies the declaration's rules to a stored file before anything is declared,
// so a file that can never be added is refused at once, in words.
func (s *Service) checkFormFile(st workflows.Status, filename string, size int64, declared, sniffed string) error {
	if filename == "" {
		return structs.Invalid(FileField, "select a file to upload")
	}
	if err := award.CheckText("filename", filename, award.SingleLine); err != nil {
		return structs.Invalid(FileField, "the file's name: "+err.Error())
	}
	if !st.Stage.AcceptsEvidence() {
		return structs.WrongStage(fmt.Sprintf("evidence can only be added while the portfolio is open (the application is at stage %s)", st.Stage))
	}
	var held int64
	for _, e := range st.Evidence {
		if e.State == activities.EvidenceConfirmed || e.State == activities.EvidencePending {
			held += e.Size
		}
	}
	limits := s.Limits
	if limits.MaxFileBytes == 0 && limits.MaxPortfolioBytes == 0 && len(limits.AllowedTypes) == 0 {
		limits = award.DefaultUploadLimits()
	}
	// The SHA-256 is not known yet (the bytes are read when the file is added): any
	// well-formed one passes.
	if err := limits.Check(award.Upload{Filename: filename, Size: size, ContentType: declared,
		SHA256: strings.Repeat("0", 64)}, held); err != nil {
		var in *award.InputError
		if errors.As(err, &in) {
			return structs.Invalid(FileField, in.Message)
		}
		return structs.Invalid(FileField, err.Error())
	}
	if err := award.CheckContent(declared, sniffed); err != nil {
		return &structs.Problem{Status: http.StatusUnprocessableEntity, Type: "type-mismatch", Title: "File type mismatch",
			Detail: err.Error(), Errors: []structs.FieldError{{Field: FileField, Message: err.Error()}}}
	}
	return nil
}

// declaredType is the type a stored file is declared as: its name's (the browser's choice,
// which the person sees), or, for a name of no known type, its real type (a type the tenant
// allows beyond the defaults is then accepted; any other is refused as not allowed).
func declaredType(filename, sniffed string) string {
	if t, ok := award.ContentTypeFor(filename); ok {
		return t
	}
	t, _, _ := strings.Cut(sniffed, ";")
	if t == "" {
		return "application/octet-stream"
	}
	return strings.TrimSpace(t)
}

// sameFile is the earliest item in state that declares exactly these bytes under this name.
func sameFile(items []activities.Evidence, filename string, got objects.Inspected, state string) (activities.Evidence, bool) {
	var found *activities.Evidence
	for i := range items {
		e := &items[i]
		if e.State != state || e.Immutable || e.Filename != filename || e.Size != got.Size || e.SHA256 != got.SHA256 {
			continue
		}
		if found == nil || e.CreatedAt.Before(found.CreatedAt) || (e.CreatedAt.Equal(found.CreatedAt) && e.ID < found.ID) {
			found = e
		}
	}
	if found == nil {
		return activities.Evidence{}, false
	}
	return *found, true
}

// discardForm deletes a form object after a refusal that no retry can change (the
// person's, in words: 4xx other than not found), and returns the refusal.
func (s *Service) discardForm(ctx context.Context, key string, refusal error) error {
	p, known := Problem(refusal, false)
	if !known || p.Status < 400 || p.Status >= 500 || p.Status == http.StatusNotFound {
		return refusal
	}
	if err := s.Objects.Delete(ctx, key); err != nil {
		return errors.Join(refusal, err)
	}
	return refusal
}

func uploadGone() *structs.Problem {
	return &structs.Problem{Status: http.StatusGone, Type: TypeUploadGone, Title: "Upload no longer waiting",
		Detail: "this upload is no longer waiting to be added: it was added to your evidence already, or it was not added within a day and was deleted. Check your evidence below, and upload the file again if it is missing"}
}
