package web

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"awardengine/award"
	"awardengine/services/cohort"
	"awardengine/structs"
)

// The cohort import (services/cohort): upload a CSV file of settings and their applicants, see
// the dry run (every row, or every problem by line), then import it.
//
// The confirmation needs the same file. It is kept in the admin's session (scs, stored in
// PostgreSQL with the session, so it survives a restart and works behind several servers), at
// most one file of at most 1 MiB, under a random id the confirmation form carries: a second
// upload replaces the first (an older tab's confirmation then says to upload again instead of
// importing a file the admin is no longer looking at), the import or a new visit to the upload
// page removes it, and it is not used after an hour. Asking for the file again instead would
// let the admin pick a different file than the one checked; carrying it in a hidden field would
// send up to a megabyte to the browser and back.

// officeCohortMaxBytes bounds an uploaded cohort file.
const officeCohortMaxBytes = 1 << 20

// officeCohortTTL is how long a checked file waits for its confirmation.
const officeCohortTTL = time.Hour

// Session keys of the file waiting for its confirmation.
const (
	officeCohortKeyID   = "cohort_upload_id"
	officeCohortKeyFile = "cohort_upload_file"
	officeCohortKeyName = "cohort_upload_name"
	officeCohortKeyAt   = "cohort_upload_at"
)

func (s *Server) officeCohortRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/cohort", s.signedIn(s.officeCohortPage))
	mux.Handle("GET /admin/cohort/template.csv", s.signedIn(s.officeCohortTemplate))
	mux.Handle("POST /admin/cohort", s.signedIn(s.officeCohortUpload))
	mux.Handle("POST /admin/cohort/import", s.signedIn(s.officeCohortImport))
}

// officeCohortData is the upload page, the dry run and the import's result.
type officeCohortData struct {
	Columns, Required []string
	// Filename is the file checked or imported.
	Filename string
	// Problems are a refused file's problems, by line.
	Problems []structs.CohortRowProblem
	// Rows are what the file registers (or registered), with the applications' ids once imported.
	Rows []officeCohortRow
	// ID names the file waiting for its confirmation.
	ID      string
	Invited int
	Message string
}

// officeCohortRow is one row of the file, and what it does.
type officeCohortRow struct {
	Line                                                         int
	SettingReference, SettingName, Track, Variant                string
	ApplicantName, ApplicantEmail, SupporterName, SupporterEmail string
	ApplicantInvited, SupporterInvited                           bool
	// ApplicationID is the application's id; Journey says it started (once imported).
	ApplicationID, Journey string
}

func (d officeCohortData) Count() int { return len(d.Rows) }

func newOfficeCohortData() officeCohortData {
	return officeCohortData{Columns: cohort.Columns, Required: cohort.RequiredColumns}
}

// officeCohortForget removes the file waiting for its confirmation.
func (s *Server) officeCohortForget(r *http.Request) {
	for _, k := range []string{officeCohortKeyID, officeCohortKeyFile, officeCohortKeyName, officeCohortKeyAt} {
		if s.Sessions.Exists(r.Context(), k) {
			s.Sessions.Remove(r.Context(), k)
		}
	}
}

func (s *Server) officeCohortPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := cohort.MayImport(me); err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.officeCohortForget(r)
	s.render(w, r, http.StatusOK, "admin/cohort", &Page{Title: "Import a cohort", Me: me, Back: "/admin/people", Data: newOfficeCohortData()})
}

// officeCohortTemplate is an empty file with the header row, to fill in a spreadsheet.
func (s *Server) officeCohortTemplate(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := cohort.MayImport(me); err != nil {
		s.fail(w, r, me, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="cohort-template.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, strings.Join(cohort.Columns, ",")+"\r\n")
}

// officeCohortRefused shows the upload page with errs (and a refused file's problems).
func (s *Server) officeCohortRefused(w http.ResponseWriter, r *http.Request, me award.Person, status int, errs []structs.FieldError, d officeCohortData) {
	s.render(w, r, status, "admin/cohort", &Page{Title: "Import a cohort", Me: me, Back: "/admin/people", Errors: errs, Data: d})
}

func (s *Server) officeCohortUpload(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := cohort.MayImport(me); err != nil {
		s.fail(w, r, me, err)
		return
	}
	s.officeCohortForget(r)
	d := newOfficeCohortData()
	r.Body = http.MaxBytesReader(w, r.Body, officeCohortMaxBytes+64<<10)
	if err := r.ParseMultipartForm(officeCohortMaxBytes + 64<<10); err != nil {
		var tooLarge *http.MaxBytesError
		msg := "The file could not be read: choose it and upload it again"
		if errors.As(err, &tooLarge) {
			msg = "The file must be smaller than 1 MB: split it into several files"
		} else if errors.Is(err, http.ErrNotMultipart) {
			msg = "Select a CSV file"
		}
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, oneError("file", msg), d)
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	f, header, err := r.FormFile("file")
	if err != nil {
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, oneError("file", "Select a CSV file"), d)
		return
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, officeCohortMaxBytes+1))
	switch {
	case err != nil:
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, oneError("file", "The file could not be read: choose it and upload it again"), d)
		return
	case len(data) > officeCohortMaxBytes:
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, oneError("file", "The file must be smaller than 1 MB: split it into several files"), d)
		return
	case len(bytes.TrimSpace(data)) == 0:
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, oneError("file", "The selected file is empty"), d)
		return
	}
	d.Filename = header.Filename
	if award.CheckText("file", d.Filename, award.SingleLine) != nil || len(d.Filename) > 200 {
		d.Filename = "your file"
	}
	res, err := s.Cohort().Import(r.Context(), me, bytes.NewReader(data), true)
	if s.officeCohortProblems(w, r, me, err, d) {
		return
	}
	d.Rows, d.Invited = officeCohortRows(data, res)
	d.ID = rand.Text()
	s.Sessions.Put(r.Context(), officeCohortKeyID, d.ID)
	s.Sessions.Put(r.Context(), officeCohortKeyFile, data)
	s.Sessions.Put(r.Context(), officeCohortKeyName, d.Filename)
	s.Sessions.Put(r.Context(), officeCohortKeyAt, time.Now().Unix())
	s.render(w, r, http.StatusOK, "admin/cohort-check", &Page{Title: "Check the cohort before you import it", Me: me,
		Back: "/admin/cohort", Data: d})
}

// officeCohortProblems shows an import's refusal: a file's problems by line, or any other
// refusal as the page's error. It says whether there was one.
func (s *Server) officeCohortProblems(w http.ResponseWriter, r *http.Request, me award.Person, err error, d officeCohortData) bool {
	if err == nil {
		return false
	}
	var rows *structs.CohortProblem
	if errors.As(err, &rows) {
		d.Problems = rows.Rows
		msg := "Nothing was imported. " + upperFirst(strings.TrimPrefix(rows.Detail, "nothing was imported: "))
		s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, []structs.FieldError{{Field: "problems", Message: msg}}, d)
		return true
	}
	errs, ok := formErrors(err)
	if !ok {
		s.fail(w, r, me, err)
		return true
	}
	for i := range errs {
		errs[i].Field = "file"
	}
	s.officeCohortRefused(w, r, me, http.StatusUnprocessableEntity, errs, d)
	return true
}

// officeCohortRows joins the file's rows (names and addresses, read again from it) to what
// the import did with each line.
func officeCohortRows(data []byte, res structs.CohortResult) ([]officeCohortRow, int) {
	parsed, _ := cohort.Check(bytes.NewReader(data), time.Now())
	byLine := map[int]cohort.Row{}
	for _, row := range parsed {
		byLine[row.Line] = row
	}
	out := make([]officeCohortRow, 0, len(res.Applications))
	invited := 0
	for _, a := range res.Applications {
		row := byLine[a.Line]
		out = append(out, officeCohortRow{Line: a.Line, SettingReference: a.SettingReference, SettingName: row.SettingName,
			Track: string(row.Track), Variant: string(row.Variant), ApplicantName: row.ApplicantName, ApplicantEmail: row.ApplicantEmail,
			SupporterName: row.SupporterName, SupporterEmail: row.SupporterEmail, ApplicantInvited: a.ApplicantInvited,
			SupporterInvited: a.SupporterInvited, ApplicationID: a.ApplicationID, Journey: a.Journey})
		if a.ApplicantInvited {
			invited++
		}
		if a.SupporterInvited {
			invited++
		}
	}
	return out, invited
}

func (s *Server) officeCohortImport(w http.ResponseWriter, r *http.Request, me award.Person) {
	if err := cohort.MayImport(me); err != nil {
		s.fail(w, r, me, err)
		return
	}
	d := newOfficeCohortData()
	if !readForm(w, r) {
		s.officeCohortRefused(w, r, me, http.StatusBadRequest, oneError("file", "The form could not be read: upload the file again"), d)
		return
	}
	ctx := r.Context()
	id := r.PostForm.Get("id")
	data := s.Sessions.GetBytes(ctx, officeCohortKeyFile)
	at := time.Unix(s.Sessions.GetInt64(ctx, officeCohortKeyAt), 0)
	if id == "" || id != s.Sessions.GetString(ctx, officeCohortKeyID) || len(data) == 0 || time.Since(at) > officeCohortTTL {
		s.officeCohortForget(r)
		s.officeCohortRefused(w, r, me, http.StatusConflict, oneError("file",
			"The file you checked is no longer waiting to be imported (it was replaced, imported, or checked over an hour ago): upload it again"), d)
		return
	}
	d.Filename = s.Sessions.GetString(ctx, officeCohortKeyName)
	res, err := s.Cohort().Import(ctx, me, bytes.NewReader(data), false)
	var rows *structs.CohortProblem
	if err != nil && errors.As(err, &rows) {
		s.officeCohortForget(r) // refused whole: it must be corrected and checked again
	}
	if s.officeCohortProblems(w, r, me, err, d) {
		return
	}
	s.officeCohortForget(r)
	d.Rows, d.Invited = officeCohortRows(data, res)
	d.Message = upperFirst(res.Message) + "."
	s.render(w, r, http.StatusOK, "admin/cohort-result", &Page{Title: "Cohort imported", Me: me, Notice: d.Message, Data: d})
}
