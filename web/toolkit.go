package web

import (
	"net/http"
	"strings"

	"awardengine/award"
	"awardengine/structs"
)

// The toolkit (stage 2: opening it is recorded) and the award certificate: both are files in
// object storage, handed out as short-lived links.

// toolkitData is the toolkit page.
type toolkitData struct {
	ID, SettingName string
	Documents       []toolkitDoc
}

type toolkitDoc struct {
	structs.ToolkitDocument
	Kind string // the file's type in words ("PDF", "Word document")
}

func (s *Server) toolkitPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	id := r.PathValue("id")
	tk, err := s.Apps().OpenToolkit(r.Context(), me, id)
	if err != nil {
		if journeyStarting(err) {
			s.startingPage(w, r, me, id)
			return
		}
		s.fail(w, r, me, err)
		return
	}
	d := toolkitData{ID: id}
	for _, doc := range tk.Documents {
		d.Documents = append(d.Documents, toolkitDoc{ToolkitDocument: doc, Kind: fileKind(doc.ContentType, doc.Filename)})
	}
	s.render(w, r, http.StatusOK, "applicant/toolkit", &Page{Title: "Toolkit", Me: me, Back: "/applications/" + id, Data: d})
}

// fileKind names a file's type for people ("PDF", "Word document"), from its content type
// or, failing that, its extension.
func fileKind(contentType, filename string) string {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/pdf":
		return "PDF"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/msword":
		return "Word document"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.ms-excel":
		return "Excel spreadsheet"
	case "application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/vnd.ms-powerpoint":
		return "PowerPoint presentation"
	case "text/plain":
		return "Text file"
	case "text/markdown":
		return "Text file"
	case "text/csv":
		return "CSV spreadsheet"
	}
	if i := strings.LastIndexByte(filename, '.'); i >= 0 && i < len(filename)-1 {
		return strings.ToUpper(filename[i+1:]) + " file"
	}
	return "File"
}

// certificate sends the browser to a short-lived link to the award certificate (PDF).
func (s *Server) certificate(w http.ResponseWriter, r *http.Request, me award.Person) {
	link, err := s.Apps().DownloadCertificate(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	http.Redirect(w, r, link.URL, http.StatusSeeOther)
}
