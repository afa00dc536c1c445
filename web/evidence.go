package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/objects"
	"awardengine/structs"
)

// Evidence: the portfolio's files, uploading more, mapping each to standards, removing.
//
// Bytes never pass through this server. With JavaScript (static/upload.js), the upload form's
// files are each declared through the JSON API (POST /v1/applications/{id}/evidence, which
// takes the browser's session), PUT straight to the presigned storage link with a progress
// bar, and confirmed (POST …/confirm). Without JavaScript, the same form is an S3 POST-policy
// form: the browser sends one file straight to storage, storage sends it back to
// /evidence/uploaded, which asks which standards it is evidence for, and the service adopts
// it (services/applications, formupload.go).

func (s *Server) evidenceRoutes(mux *http.ServeMux) {
	mux.Handle("GET /applications/{id}/evidence", s.signedIn(s.evidencePage))
	mux.Handle("GET /applications/{id}/evidence/uploaded", s.signedIn(s.uploadedPage))
	mux.Handle("POST /applications/{id}/evidence/uploaded", s.signedIn(s.uploadedForm))
	mux.Handle("GET /applications/{id}/evidence/{evidence}/standards", s.signedIn(s.standardsPage))
	mux.Handle("POST /applications/{id}/evidence/{evidence}/standards", s.signedIn(s.standardsForm))
	mux.Handle("GET /applications/{id}/evidence/{evidence}/remove", s.signedIn(s.removePage))
	mux.Handle("POST /applications/{id}/evidence/{evidence}/remove", s.signedIn(s.removeForm))
}

// Session keys of what the next evidence page shows once: a success message (the key the
// other pages use too) and a refusal of the last upload.
const (
	evidenceNoticeKey = "notice"
	evidenceErrorKey  = "evidence-error"
)

// evidenceApp is the application of the request's {id} as the person sees it, with its
// framework. ok is false when a page was already written (not found, a service down).
type evidenceApp struct {
	App       structs.Application
	Framework award.Framework
	// CanChange: the person is the applicant (or an admin) and the portfolio is open. The
	// service decides every change anyway; this only decides which links the page shows.
	CanChange bool
	Applicant bool
}

func (s *Server) loadEvidence(w http.ResponseWriter, r *http.Request, me award.Person) (evidenceApp, bool) {
	id := r.PathValue("id")
	app, err := s.Apps().Viewed(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return evidenceApp{}, false
	}
	fw, err := s.Apps().Framework(r.Context(), me, id)
	if err != nil {
		s.fail(w, r, me, err)
		return evidenceApp{}, false
	}
	actor := app.Mine || me.Has(award.RoleAdmin)
	return evidenceApp{App: app.Application, Framework: fw, Applicant: app.Mine,
		CanChange: actor && app.Stage.AcceptsEvidence()}, true
}

// --- the evidence page ---

// evidenceData is the evidence page.
type evidenceData struct {
	evidenceApp
	Items []evidenceItem
	// Form is the upload form (for the applicant while the portfolio is open): its action and
	// hidden fields are the no-JavaScript POST to storage; upload.js uses its data- attributes.
	Form     *objects.PostForm
	Choices  []standardChoices // the standards, area by area, for the upload form
	MaxBytes int64
	Limit    string // "250 MB"
	Types    string // the allowed types in words
	Pending  int
}

// evidenceItem is one file of the portfolio.
type evidenceItem struct {
	structs.Evidence
	TypeName  string
	Standards []award.Standard // the standards it is mapped to, in framework order
}

// standardChoices is one area's standards as checkboxes.
type standardChoices struct {
	Title   string
	Choices []standardChoice
}

type standardChoice struct {
	Code, Title, ID string
	Checked         bool
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ea, ok := s.loadEvidence(w, r, me)
	if !ok {
		return
	}
	p := &Page{Title: "Evidence – " + ea.App.Setting.Name, Me: me, Back: "/applications/" + ea.App.ID}
	p.Notice = s.Sessions.PopString(r.Context(), evidenceNoticeKey)
	if msg := s.Sessions.PopString(r.Context(), evidenceErrorKey); msg != "" {
		p.Errors = []structs.FieldError{{Field: "file", Message: msg}}
	}
	s.renderEvidence(w, r, me, ea, p, http.StatusOK, r.URL.Query()["standard"])
}

func (s *Server) renderEvidence(w http.ResponseWriter, r *http.Request, me award.Person, ea evidenceApp, p *Page, status int, selected []string) {
	d := evidenceData{evidenceApp: ea, Choices: choices(ea.Framework, selected, "standards")}
	for _, e := range ea.App.Evidence {
		if e.State == award.EvidenceRemoved {
			continue
		}
		if e.State == award.EvidencePending {
			d.Pending++
		}
		d.Items = append(d.Items, evidenceItem{Evidence: e, TypeName: typeName(e.ContentType), Standards: standardsOf(ea.Framework, e.Standards)})
	}
	limits := s.Apps().Limits
	if limits.MaxFileBytes == 0 && limits.MaxPortfolioBytes == 0 && len(limits.AllowedTypes) == 0 {
		limits = award.DefaultUploadLimits()
	}
	d.MaxBytes, d.Types = limits.MaxFileBytes, typesInWords(limits.AllowedTypes)
	if d.MaxBytes > 0 {
		d.Limit = megabytes(d.MaxBytes)
	}
	if ea.CanChange {
		form, err := s.Apps().EvidenceForm(r.Context(), me, ea.App.ID, s.absoluteURL(r, "/applications/"+ea.App.ID+"/evidence/uploaded"))
		switch {
		case err == nil:
			d.Form = &form
		default:
			// Without a form the page still lists the evidence; say why it cannot take more.
			if errs, shown := formErrors(err); shown {
				p.Errors = append(p.Errors, errs...)
			} else {
				p.Errors = append(p.Errors, structs.FieldError{Message: "Uploading is not possible just now. Try again in a few minutes."})
			}
		}
	}
	p.Data = d
	s.render(w, r, status, "applicant/evidence", p)
}

// absoluteURL is path on this site: storage sends the browser back to it after a form upload.
// It is the configured public URL's when there is one (a Host header is the client's to
// choose); else as the browser reached it, https when the request came over TLS or the
// session cookie is Secure (the service is served over https, perhaps behind a proxy).
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if s.PublicURL != "" {
		return strings.TrimSuffix(s.PublicURL, "/") + path
	}
	scheme := "http"
	if r.TLS != nil || (s.Sessions != nil && s.Sessions.Cookie.Secure) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// --- no JavaScript: storage sends the browser back here after the upload ---

// standardsData is a page choosing the standards of one file: an uploaded file about to be
// added (Key set) or an item of the portfolio (Item set).
type standardsData struct {
	AppID, Setting string
	Filename       string
	Size           int64
	TypeName       string
	Key            string
	Item           *structs.Evidence
	Choices        []standardChoices
	Action, Button string
}

func (s *Server) uploadedPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	key := r.URL.Query().Get("key")
	up, err := s.Apps().CheckFormUpload(r.Context(), me, id, key)
	if err != nil {
		s.uploadRefused(w, r, me, id, key, err)
		return
	}
	ea, ok := s.loadEvidence(w, r, me)
	if !ok {
		return
	}
	s.renderUploaded(w, r, me, ea, up, nil, nil, http.StatusOK)
}

func (s *Server) renderUploaded(w http.ResponseWriter, r *http.Request, me award.Person, ea evidenceApp, up applications.FormUpload, selected []string, errs []structs.FieldError, status int) {
	d := standardsData{AppID: ea.App.ID, Setting: ea.App.Setting.Name, Filename: up.Filename, Size: up.Size,
		TypeName: typeName(up.ContentType), Key: up.Key, Choices: choices(ea.Framework, selected, "standards"),
		Action: "/applications/" + ea.App.ID + "/evidence/uploaded", Button: "Add to your evidence"}
	s.render(w, r, status, "applicant/evidence-standards", &Page{Title: "Which standards is " + up.Filename + " evidence for?",
		Me: me, Back: "/applications/" + ea.App.ID + "/evidence", Errors: errs, Data: d})
}

func (s *Server) uploadedForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	if !readForm(w, r) {
		s.evidenceMessage(w, r, id, "", "The form could not be read. Upload the file again.")
		return
	}
	key, standards := r.PostForm.Get("key"), r.PostForm["standards"]
	got, err := s.Apps().AdoptFormUpload(r.Context(), me, id, key, standards)
	var p *structs.Problem
	switch {
	case errors.As(err, &p) && p.Status == http.StatusUnprocessableEntity && len(p.Errors) > 0 && p.Errors[0].Field == "standards":
		ea, ok := s.loadEvidence(w, r, me)
		if !ok {
			return
		}
		up := applications.FormUpload{Key: key}
		if fk, ok := objects.ParseFormKey(key, id); ok {
			up.Filename = fk.Filename
		}
		if c, err := s.Apps().CheckFormUpload(r.Context(), me, id, key); err == nil {
			up = c
		}
		s.renderUploaded(w, r, me, ea, up, standards,
			oneError("standards", "Select the standards "+up.Filename+" is evidence for"), http.StatusUnprocessableEntity)
	case err != nil:
		s.uploadRefused(w, r, me, id, key, err)
	case got.Existing:
		s.evidenceMessage(w, r, id, got.Evidence.Filename+" is already in your evidence.", "")
	default:
		s.evidenceMessage(w, r, id, got.Evidence.Filename+" has been added to your evidence.", "")
	}
}

// uploadRefused shows a refusal of a form upload in words on the evidence page (a
// refusal the person can read: too large, wrong type, gone, …), naming the file, or the
// problem page.
func (s *Server) uploadRefused(w http.ResponseWriter, r *http.Request, me award.Person, id, key string, err error) {
	errs, ok := formErrors(err)
	if !ok {
		s.fail(w, r, me, err)
		return
	}
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	msg := strings.Join(msgs, " ")
	if fk, ok := objects.ParseFormKey(key, id); ok && fk.Filename != "" && !strings.Contains(msg, fk.Filename) {
		msg = fk.Filename + ": " + lowerFirst(msg)
	}
	s.evidenceMessage(w, r, id, "", msg)
}

// lowerFirst undoes upperFirst for a message that follows a file's name.
func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && (s[1] < 'A' || s[1] > 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// evidenceMessage sends the browser to the evidence page, which shows notice (success) or
// refusal once.
func (s *Server) evidenceMessage(w http.ResponseWriter, r *http.Request, id, notice, refusal string) {
	if notice != "" {
		s.Sessions.Put(r.Context(), evidenceNoticeKey, notice)
	}
	if refusal != "" {
		s.Sessions.Put(r.Context(), evidenceErrorKey, refusal)
	}
	http.Redirect(w, r, "/applications/"+url.PathEscape(id)+"/evidence", http.StatusSeeOther)
}

// --- changing an item's standards ---

// loadItem is the evidence item of the request's {evidence}; a page is written if not ok.
func (s *Server) loadItem(w http.ResponseWriter, r *http.Request, me award.Person) (evidenceApp, structs.Evidence, bool) {
	ea, ok := s.loadEvidence(w, r, me)
	if !ok {
		return ea, structs.Evidence{}, false
	}
	id := r.PathValue("evidence")
	for _, e := range ea.App.Evidence {
		if e.ID == id && e.State != award.EvidenceRemoved {
			return ea, e, true
		}
	}
	s.notFound(w, r, me)
	return ea, structs.Evidence{}, false
}

func (s *Server) standardsPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ea, item, ok := s.loadItem(w, r, me)
	if !ok {
		return
	}
	s.renderStandards(w, r, me, ea, item, item.Standards, nil, http.StatusOK)
}

func (s *Server) renderStandards(w http.ResponseWriter, r *http.Request, me award.Person, ea evidenceApp, item structs.Evidence, selected []string, errs []structs.FieldError, status int) {
	d := standardsData{AppID: ea.App.ID, Setting: ea.App.Setting.Name, Filename: item.Filename, Size: item.Size,
		TypeName: typeName(item.ContentType), Item: &item, Choices: choices(ea.Framework, selected, "standards"),
		Action: "/applications/" + ea.App.ID + "/evidence/" + item.ID + "/standards", Button: "Save standards"}
	s.render(w, r, status, "applicant/evidence-standards", &Page{Title: "Which standards is " + item.Filename + " evidence for?",
		Me: me, Back: "/applications/" + ea.App.ID + "/evidence", Errors: errs, Data: d})
}

func (s *Server) standardsForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	ea, item, ok := s.loadItem(w, r, me)
	if !ok {
		return
	}
	if !readForm(w, r) {
		s.renderStandards(w, r, me, ea, item, item.Standards, oneError("", "The form could not be read. Try again."), http.StatusBadRequest)
		return
	}
	standards := r.PostForm["standards"]
	if len(standards) == 0 {
		s.renderStandards(w, r, me, ea, item, nil, oneError("standards", "Select the standards "+item.Filename+" is evidence for"), http.StatusUnprocessableEntity)
		return
	}
	ev, err := s.Apps().MapEvidence(r.Context(), me, ea.App.ID, item.ID, structs.MapEvidenceRequest{Standards: standards})
	if err != nil {
		errs, shown := formErrors(err)
		if !shown {
			s.fail(w, r, me, err)
			return
		}
		s.renderStandards(w, r, me, ea, item, standards, standardsErrors(errs), statusOf(err))
		return
	}
	s.evidenceMessage(w, r, ea.App.ID, "The standards for "+ev.Filename+" have been saved.", "")
}

// standardsErrors points the journey's "standards: …" refusals at the checkboxes.
func standardsErrors(errs []structs.FieldError) []structs.FieldError {
	for i, e := range errs {
		if rest, ok := strings.CutPrefix(e.Message, "Standards: "); ok && e.Field == "" {
			errs[i] = structs.FieldError{Field: "standards", Message: upperFirst(rest)}
		}
	}
	return errs
}

// --- removing an item ---

// removeData is the "are you sure" page.
type removeData struct {
	AppID string
	Item  structs.Evidence
}

func (s *Server) removePage(w http.ResponseWriter, r *http.Request, me award.Person) {
	ea, item, ok := s.loadItem(w, r, me)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "applicant/evidence-remove", &Page{Title: "Are you sure you want to remove " + item.Filename + "?",
		Me: me, Back: "/applications/" + ea.App.ID + "/evidence", Data: removeData{AppID: ea.App.ID, Item: item}})
}

func (s *Server) removeForm(w http.ResponseWriter, r *http.Request, me award.Person) {
	ea, item, ok := s.loadItem(w, r, me)
	if !ok {
		return
	}
	if err := s.Apps().RemoveEvidence(r.Context(), me, ea.App.ID, item.ID); err != nil {
		errs, shown := formErrors(err)
		if !shown {
			s.fail(w, r, me, err)
			return
		}
		s.render(w, r, statusOf(err), "applicant/evidence-remove", &Page{Title: "Are you sure you want to remove " + item.Filename + "?",
			Me: me, Back: "/applications/" + ea.App.ID + "/evidence", Errors: errs, Data: removeData{AppID: ea.App.ID, Item: item}})
		return
	}
	s.evidenceMessage(w, r, ea.App.ID, item.Filename+" has been removed from your evidence.", "")
}

// --- helpers ---

// statusOf is the HTTP status of a refusal the form shows.
func statusOf(err error) int {
	p, _ := applications.Problem(err, false)
	return p.Status
}

// choices are the framework's standards as checkboxes named name, area by area, the
// selected ones ticked. The first box's id is name (the error summary links to it), the
// others name-CODE.
func choices(fw award.Framework, selected []string, name string) []standardChoices {
	var out []standardChoices
	first := true
	for _, a := range fw.Areas {
		sc := standardChoices{Title: a.Title}
		for _, st := range a.Standards {
			id := name + "-" + st.Code
			if first {
				id, first = name, false
			}
			sc.Choices = append(sc.Choices, standardChoice{Code: st.Code, Title: st.Title, ID: id, Checked: slices.Contains(selected, st.Code)})
		}
		out = append(out, sc)
	}
	return out
}

// standardsOf is the framework's standards among codes, in framework order (a code the
// framework does not have is shown as itself).
func standardsOf(fw award.Framework, codes []string) []award.Standard {
	var out []award.Standard
	for _, st := range fw.Standards() {
		if slices.Contains(codes, st.Code) {
			out = append(out, st)
		}
	}
	for _, c := range codes {
		if !slices.ContainsFunc(out, func(st award.Standard) bool { return st.Code == c }) {
			out = append(out, award.Standard{Code: c})
		}
	}
	return out
}

// typeNames are evidence types in words.
var typeNames = map[string]string{
	"application/pdf":    "PDF",
	"application/msword": "Word",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
	"application/vnd.ms-excel": "Excel",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "Excel",
	"application/vnd.ms-powerpoint":                                             "PowerPoint",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
	"application/vnd.oasis.opendocument.text":                                   "OpenDocument text",
	"application/vnd.oasis.opendocument.spreadsheet":                            "OpenDocument spreadsheet",
	"application/vnd.oasis.opendocument.presentation":                           "OpenDocument presentation",
	"text/plain":  "text",
	"text/csv":    "CSV",
	"image/jpeg":  "JPEG",
	"image/png":   "PNG",
	"image/heic":  "HEIC",
	"video/mp4":   "MP4",
	"audio/mpeg":  "MP3",
	"audio/mp4":   "M4A",
	"audio/x-m4a": "M4A",
}

func typeName(contentType string) string {
	t, _, _ := strings.Cut(contentType, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	if n, ok := typeNames[t]; ok {
		return n
	}
	return t
}

// typesInWords lists the allowed types once each: "PDF, Word, … or M4A".
func typesInWords(allowed []string) string {
	var names []string
	for _, t := range allowed {
		n := typeName(t)
		if strings.HasPrefix(n, "OpenDocument") {
			n = "OpenDocument"
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// megabytes is a limit in words: "250 MB" (MB as the limits are stated: 2^20 bytes).
func megabytes(n int64) string {
	if n%award.MB == 0 {
		return strconv.FormatInt(n/award.MB, 10) + " MB"
	}
	return fileSize(n)
}
