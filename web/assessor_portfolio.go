package web

import (
	"net/http"
	"time"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/objects"
	"awardengine/structs"
)

// The portfolio viewer: the framework's standards, each with the evidence mapped to it, for
// the assessor holding the application (and its moderator and admins). Files open through
// short-lived links (openEvidence): PDFs and images in the browser, anything else downloads.

// portfolioData is the portfolio viewer.
type portfolioData struct {
	App    structs.Application
	Target award.Level
	Areas  []portfolioArea
	// Above counts the standards applying only above the target level (not assessed).
	Above int
	Files int // confirmed files in the portfolio
	// Scoring says the person is its assessor and the assessment is open: the page links the
	// scoring form (the journey refuses anyone else anyway).
	Scoring  bool
	Rated    int // standards rated in the draft
	ToRate   int // standards to rate (those applying at the target level)
	Due      *time.Time
	Overdue  bool
	Referred string // a moderator's reason for referring the assessment back
	// Submitted: the assessment is submitted (moderation), with its recommendation.
	Submitted   bool
	Recommended award.Level
}

// portfolioArea is one area of the framework.
type portfolioArea struct {
	Code, Title string
	Standards   []portfolioStandard
}

// portfolioStandard is one standard with its descriptors and its evidence.
type portfolioStandard struct {
	award.Standard
	Levels []levelDescriptor // the levels up to the target, with their descriptors
	Files  []portfolioFile
	Rating string // the draft's or submitted rating ("" none)
}

// levelDescriptor is what a standard looks like at one level.
type levelDescriptor struct {
	Level      award.Level
	Descriptor string
}

// portfolioFile is one confirmed evidence file.
type portfolioFile struct {
	structs.Evidence
	TypeName string
	Inline   bool // opens in the browser (else downloads)
}

func (s *Server) portfolioPage(w http.ResponseWriter, r *http.Request, me award.Person) {
	p, err := s.Apps().Portfolio(r.Context(), me, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	d := portfolioOf(p, me, now())
	s.render(w, r, http.StatusOK, "assessor/portfolio", &Page{Title: "Portfolio of " + p.Application.Setting.Name, Me: me, Back: "/assess",
		Notice: s.Sessions.PopString(r.Context(), noticeKey), Data: d})
}

// targetOf is the level an application was submitted for (Bronze if it cannot be read).
func targetOf(a structs.Application) award.Level {
	if l, err := award.ParseLevel(a.TargetLevel); err == nil && l.IsAward() {
		return l
	}
	return award.Bronze
}

func portfolioOf(p applications.Portfolio, me award.Person, at time.Time) portfolioData {
	a := p.Application
	d := portfolioData{App: a, Target: targetOf(a)}
	files := map[string][]portfolioFile{}
	for _, e := range a.Evidence {
		if e.State != award.EvidenceConfirmed {
			continue
		}
		d.Files++
		f := portfolioFile{Evidence: e, TypeName: typeName(e.ContentType), Inline: objects.Inline(e.ContentType)}
		for _, code := range e.Standards {
			files[code] = append(files[code], f)
		}
	}
	var ratings map[string]award.Level
	if as := a.Assessment; as != nil {
		ratings = as.Ratings
		d.Scoring = a.Stage == award.StageAssessment && as.AssessorID == me.ID
		d.Submitted = a.Stage == award.StageModeration && as.AssessedAt != nil
		d.Recommended = as.Recommended
		if a.Stage == award.StageAssessment {
			d.Due = as.DueAt
			d.Overdue = as.DueAt != nil && at.After(*as.DueAt)
			if m := as.Moderation; m != nil && m.ReferredBack {
				d.Referred = m.Rationale
			}
		}
	}
	for _, area := range p.Framework.Areas {
		pa := portfolioArea{Code: area.Code, Title: area.Title}
		for _, st := range area.Standards {
			if !st.AppliesAt(d.Target) {
				d.Above++
				continue
			}
			ps := portfolioStandard{Standard: st, Files: files[st.Code]}
			for _, l := range award.AwardLevels() {
				if l <= d.Target && st.Descriptors.For(l) != "" {
					ps.Levels = append(ps.Levels, levelDescriptor{Level: l, Descriptor: st.Descriptors.For(l)})
				}
			}
			if l, ok := ratings[st.Code]; ok {
				ps.Rating = l.String()
				d.Rated++
			}
			d.ToRate++
			pa.Standards = append(pa.Standards, ps)
		}
		if len(pa.Standards) > 0 {
			d.Areas = append(d.Areas, pa)
		}
	}
	return d
}

// openEvidence sends the browser to a short-lived link to one evidence file (the service
// decides who may open it: the assessor only once they accepted the offer).
func (s *Server) openEvidence(w http.ResponseWriter, r *http.Request, me award.Person) {
	link, err := s.Apps().OpenEvidence(r.Context(), me, r.PathValue("id"), r.PathValue("evidence"))
	if err != nil {
		s.fail(w, r, me, err)
		return
	}
	http.Redirect(w, r, link.URL, http.StatusSeeOther)
}
