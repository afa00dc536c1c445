package applications

import (
	"context"
	"slices"
	"time"

	"awardengine/award"
	"awardengine/storage/objects"
	"awardengine/structs"
	"awardengine/workflows"
)

// The assessor's reads: the inbox, one offer, the portfolio to score, and an evidence file to
// read in the browser. The assessor's changes (accept, decline, save, submit) are
// assessment.go's.

// Inbox is Assignments for the people who have an inbox: assessors and moderators. Anyone
// else is refused (403), so a page can say so instead of showing an empty list.
func (s *Service) Inbox(ctx context.Context, me award.Person) (structs.Assignments, error) {
	if !me.Has(award.RoleAssessor) && !me.Has(award.RoleModerator) {
		return structs.Assignments{}, structs.Forbidden("only assessors and moderators have offers and assessments")
	}
	return s.Assignments(ctx, me)
}

// Offer is one application's offer to a person, as the accept and decline pages show it.
type Offer struct {
	// Assignment is the person's latest assignment of the application: State "offered" while
	// the offer is open ("accepted" once they accepted it).
	Assignment structs.Assignment
	// Application is the application's summary; while the offer is open its DueAt is the
	// offer's expiry as the journey has it (the last moment to accept).
	Application structs.ApplicationSummary
}

// Offer is the person's offer of application id: only the person it was made to sees it
// (CanHold: the applicant and the supporter are refused, anyone else finds nothing), and an
// application they have no assignment of is not found.
func (s *Service) Offer(ctx context.Context, me award.Person, id string) (Offer, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return Offer{}, err
	}
	as, err := s.DB.Assignments(ctx, me.TenantID, me.ID)
	if err != nil {
		return Offer{}, Unchanged(err)
	}
	i := slices.IndexFunc(as, func(a structs.Assignment) bool { return a.ApplicationID == app.ID })
	if i < 0 {
		return Offer{}, structs.NotFound("no offer of application " + id + " to you")
	}
	// While the offer is open the projection's due date is its expiry (the journey's next step
	// is the offered assessor's answer, due then): no need to ask the journey.
	return Offer{Assignment: as[i], Application: app}, nil
}

// Portfolio is an application as its assessor (or moderator) reads and scores it: the
// application as they may see it (with their draft ratings) and the framework it is assessed
// on.
type Portfolio struct {
	Application structs.Application
	Framework   award.Framework
}

// PortfolioClosed is the refusal of a portfolio to the assessor offered it, before they accept.
const PortfolioClosed = "the portfolio opens to the assessor once they accept the offer"

// Portfolio is the application held by the person, once the assessment has started: the
// assessor and moderator holding it (CanHold) and admins. The assessor offered it is refused
// (403) until they accept; the applicant and the supporter are refused; anyone else finds
// nothing.
func (s *Service) Portfolio(ctx context.Context, me award.Person, id string) (Portfolio, error) {
	app, err := s.Application(ctx, me, id, CanHold)
	if err != nil {
		return Portfolio{}, err
	}
	if !me.Has(award.RoleAdmin) && app.Stage == string(award.StageOffered) {
		return Portfolio{}, structs.Forbidden(PortfolioClosed) // the projection names them as offered it
	}
	// The portfolio to score needs the journey's own state (the draft ratings): this read
	// waits for the journey, as the action it leads to does.
	var st workflows.Status
	if err := s.WithJourney(ctx, app, func() (err error) {
		st, err = s.Status(ctx, app.ID)
		return err
	}); err != nil {
		return Portfolio{}, err
	}
	if !me.Has(award.RoleAdmin) && st.Stage != workflows.StageAssessment && st.Stage != workflows.StageModeration {
		if st.Stage == workflows.StageOffered {
			return Portfolio{}, structs.Forbidden(PortfolioClosed)
		}
		return Portfolio{}, structs.NotFound("no application " + id)
	}
	var fw award.Framework
	if err := s.DB.Framework(ctx, app.FrameworkID, app.FrameworkVersion, &fw); err != nil {
		return Portfolio{}, Unchanged(err)
	}
	return Portfolio{Application: ViewFor(st, me), Framework: fw}, nil
}

// ObjectViewer is object storage that can hand out a link a browser shows in place
// (*objects.Store's PresignView). Without it, evidence opens as a download.
type ObjectViewer interface {
	PresignView(ctx context.Context, key, filename, contentType string, ttl time.Duration) (string, time.Time, error)
}

// OpenEvidence is DownloadEvidence for reading in a browser: a short-lived link that shows a
// PDF or an image in place (objects.Inline) and downloads anything else. Who may open it is
// DownloadEvidence's rule (it answers first).
func (s *Service) OpenEvidence(ctx context.Context, me award.Person, id, evidenceID string) (structs.DownloadLink, error) {
	link, err := s.DownloadEvidence(ctx, me, id, evidenceID)
	if err != nil {
		return link, err
	}
	viewer, ok := s.Objects.(ObjectViewer)
	if !ok {
		return link, nil
	}
	e, found, err := s.evidenceItem(ctx, me.TenantID, id, evidenceID)
	if err != nil || !found || !objects.Inline(e.ContentType) {
		return link, nil // the download link stands
	}
	url, exp, err := viewer.PresignView(ctx, e.ObjectKey, e.Filename, e.ContentType, s.Settings.DownloadLinkTTL)
	return structs.DownloadLink{URL: url, ExpiresAt: exp}, err
}
