package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"awardengine/award"
	"awardengine/certificate"
	"awardengine/storage/postgres"
)

// ErrRefused is the error type of an action that cannot be done as asked (an admin allocating
// to an assessor at capacity); the API answers 409.
const ErrRefused = "Refused"

// AllocateInput asks for an assessor for one application.
type AllocateInput struct {
	TenantID      string
	ApplicationID string
	AssignmentID  string // the offer's idempotency key
	Track         award.Track
	Variant       award.Variant
	ApplicantID   string // never allocated (nor the supporter), whoever asks
	SupporterID   string
	Excluded      map[string]string // person → why they may not be offered it
	Prefer        string            // try this person first (resubmission: the same assessor)
	ByAdmin       string            // an admin allocating Prefer by hand: the rules but the parties' bar are theirs to override
}

// parties are the application's applicant and supporter, from the journey's input and, for
// journeys that did not send them, from the application's row: neither may ever hold it.
func parties(app postgres.Application, applicantID, supporterID string) award.Parties {
	p := award.Parties{Applicant: applicantID, Supporter: supporterID}
	if p.Applicant == "" {
		p.Applicant = app.ApplicantID
	}
	if p.Supporter == "" {
		p.Supporter = app.SupporterID
	}
	return p
}

// errOwnApplication refuses an admin's choice of the applicant or the supporter (the API
// answers 409); the journey's validator refuses it earlier, this is the last word.
func errOwnApplication(why string) error {
	return temporal.NewNonRetryableApplicationError(
		"the person chosen "+why+": the applicant and the supporter never assess or moderate it", ErrRefused, nil)
}

// AllocateResult is the choice, the reasons, and who (if anyone) holds the offer.
type AllocateResult struct {
	Allocation    award.Allocation
	AssessorID    string
	AssessorName  string
	AssessorPrior int // assessments they completed before
}

// Allocate chooses an assessor by the allocation rules and reserves the offer in PostgreSQL,
// where the assessor's row is locked: capacity holds however many allocations run at once.
// If the best candidate filled up meanwhile, the next is tried. A retried activity returns the
// reservation it already made. The applicant and the supporter are never chosen: the rules
// exclude them with their reason, an admin choosing them by hand is refused, and a
// resubmission's preferred assessor who is one of them goes to the rules.
func (a *Activities) Allocate(ctx context.Context, in AllocateInput) (AllocateResult, error) {
	app, err := a.DB.Application(ctx, in.TenantID, in.ApplicationID)
	if err != nil {
		return AllocateResult{}, err
	}
	own := parties(app, in.ApplicantID, in.SupporterID)
	if done, ok, err := a.existingOffer(ctx, in); ok || err != nil {
		return done, err
	}
	cands, err := a.DB.Candidates(ctx, in.TenantID, app.SettingID)
	if err != nil {
		return AllocateResult{}, err
	}
	prev, err := a.DB.PreviousAssessor(ctx, in.TenantID, app.SettingID, in.ApplicationID)
	if err != nil {
		return AllocateResult{}, err
	}
	reserve := func(c award.Candidate, alloc award.Allocation) (AllocateResult, error) {
		err := a.DB.Reserve(ctx, postgres.Reservation{ID: in.AssignmentID, TenantID: in.TenantID, ApplicationID: in.ApplicationID,
			SettingID: app.SettingID, PersonID: c.PersonID, Role: postgres.RoleAssessor})
		if err != nil {
			return AllocateResult{}, err
		}
		prior, err := a.DB.CompletedAssessments(ctx, in.TenantID, c.PersonID)
		return AllocateResult{Allocation: alloc, AssessorID: c.PersonID, AssessorName: c.Name, AssessorPrior: prior}, err
	}
	if why := own.Bar(in.Prefer); why != "" {
		if in.ByAdmin != "" {
			return AllocateResult{}, errOwnApplication(why)
		}
		in.Prefer = ""
	}
	if in.Prefer != "" {
		i := slices.IndexFunc(cands, func(c award.Candidate) bool { return c.PersonID == in.Prefer })
		if i < 0 {
			if in.ByAdmin != "" {
				return AllocateResult{}, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("%s is not an assessor of this authority", in.Prefer), "NotFound", nil)
			}
		} else {
			reason := "the same assessor as before (resubmission)"
			if in.ByAdmin != "" {
				reason = "allocated by hand by " + in.ByAdmin
			}
			res, err := reserve(cands[i], award.Allocation{Chosen: in.Prefer, Reason: reason, Ranked: []string{in.Prefer}, Excluded: []award.Exclusion{}})
			switch {
			case err == nil:
				return res, nil
			case in.ByAdmin != "" && errors.Is(err, postgres.ErrOwnApplication):
				return AllocateResult{}, errOwnApplication("is the applicant or the supporter of this application")
			case in.ByAdmin != "" && errors.Is(err, postgres.ErrNotFound): // the role was removed meanwhile
				return AllocateResult{}, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("%s is not an assessor of this authority", in.Prefer), "NotFound", nil)
			case in.ByAdmin != "" && (errors.Is(err, postgres.ErrAtCapacity) || errors.Is(err, postgres.ErrInactive)):
				return AllocateResult{}, temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("cannot allocate %s: %v", cands[i].PersonID, err), ErrRefused, nil) // an id: no names in errors
			case !passOver(err):
				return AllocateResult{}, err
			}
			// The previous assessor is full or gone: allocate by the rules.
		}
	}
	req := award.AllocationRequest{Track: in.Track, Variant: in.Variant, PreviousAssessor: prev,
		Applicant: own.Applicant, Supporter: own.Supporter, Excluded: in.Excluded}
	for range len(cands) + 1 {
		alloc := award.Allocate(req, cands)
		if alloc.Chosen == "" {
			return AllocateResult{Allocation: alloc}, nil
		}
		i := slices.IndexFunc(cands, func(c award.Candidate) bool { return c.PersonID == alloc.Chosen })
		res, err := reserve(cands[i], alloc)
		switch {
		case errors.Is(err, postgres.ErrAtCapacity):
			cands[i].Open = max(cands[i].Capacity, award.DefaultAssessorCapacity) // filled up meanwhile
		case passOver(err):
			cands[i].Active = false // left the roster meanwhile (or the database knows a party we did not)
		default:
			return res, err
		}
	}
	return AllocateResult{}, errors.New("allocation did not settle")
}

// passOver says whether a reservation failed because of the person, who is then passed over:
// inactive, no longer holding the role (ErrNotFound), or a party of the application.
func passOver(err error) bool {
	return errors.Is(err, postgres.ErrInactive) || errors.Is(err, postgres.ErrNotFound) ||
		errors.Is(err, postgres.ErrOwnApplication) || errors.Is(err, postgres.ErrAtCapacity)
}

// existingOffer finds the reservation a previous attempt of this activity made.
func (a *Activities) existingOffer(ctx context.Context, in AllocateInput) (AllocateResult, bool, error) {
	as, err := a.DB.ApplicationAssignments(ctx, in.TenantID, in.ApplicationID)
	if err != nil {
		return AllocateResult{}, false, err
	}
	for _, as := range as {
		if as.ID == in.AssignmentID {
			prior, err := a.DB.CompletedAssessments(ctx, in.TenantID, as.PersonID)
			return AllocateResult{
				Allocation: award.Allocation{Chosen: as.PersonID, Reason: "offered", Ranked: []string{as.PersonID}, Excluded: []award.Exclusion{}},
				AssessorID: as.PersonID, AssessorName: as.PersonName, AssessorPrior: prior,
			}, true, err
		}
	}
	return AllocateResult{}, false, nil
}

// AssignmentInput moves an offer or assignment on (accepted, declined, expired, completed, released).
type AssignmentInput struct {
	TenantID string
	ID       string
	State    string
	Reason   string
}

// SetAssignment records what became of an offer; repeating it is harmless.
func (a *Activities) SetAssignment(ctx context.Context, in AssignmentInput) error {
	err := a.DB.SetAssignment(ctx, in.TenantID, in.ID, in.State, in.Reason)
	if errors.Is(err, postgres.ErrBadTransition) {
		// The journey is the source of truth; a record that cannot follow it must not stop
		// the journey. Say so loudly instead.
		activity.GetLogger(ctx).Error("assignment record out of step with the journey", "assignment", in.ID, "state", in.State, "error", err)
		return nil
	}
	return err
}

// ModeratorInput asks for a moderator for one application.
type ModeratorInput struct {
	TenantID      string
	ApplicationID string
	AssignmentID  string
	AssessorID    string // never moderates their own assessment
	ApplicantID   string // never moderates (nor the supporter)
	SupporterID   string
}

// ModeratorResult is the moderator chosen ("" when nobody is available) and why. It lands in
// the journey's history, so it names nobody else (no list of the moderators passed over).
type ModeratorResult struct {
	ModeratorID string
	Name        string
	Reason      string
}

// AssignModerator chooses a moderator by award.ChooseModerator (never the assessor, the
// applicant or the supporter; the least loaded of the others) and records the assignment. A
// moderator who left the roster meanwhile is passed over; a retried activity returns the
// assignment it already made.
func (a *Activities) AssignModerator(ctx context.Context, in ModeratorInput) (ModeratorResult, error) {
	app, err := a.DB.Application(ctx, in.TenantID, in.ApplicationID)
	if err != nil {
		return ModeratorResult{}, err
	}
	held, err := a.DB.ApplicationAssignments(ctx, in.TenantID, in.ApplicationID)
	if err != nil {
		return ModeratorResult{}, err
	}
	for _, as := range held {
		if as.ID == in.AssignmentID {
			return ModeratorResult{ModeratorID: as.PersonID, Name: as.PersonName, Reason: "assigned"}, nil
		}
	}
	mods, err := a.DB.ModeratorCandidates(ctx, in.TenantID, app.SettingID)
	if err != nil {
		return ModeratorResult{}, err
	}
	req := award.ModeratorRequest{Parties: parties(app, in.ApplicantID, in.SupporterID), Assessor: in.AssessorID}
	for range len(mods) + 1 {
		choice := award.ChooseModerator(req, mods)
		if choice.Chosen == "" {
			return ModeratorResult{Reason: choice.Reason}, nil
		}
		i := slices.IndexFunc(mods, func(c award.Candidate) bool { return c.PersonID == choice.Chosen })
		err := a.DB.Reserve(ctx, postgres.Reservation{ID: in.AssignmentID, TenantID: in.TenantID, ApplicationID: in.ApplicationID,
			SettingID: app.SettingID, PersonID: choice.Chosen, Role: postgres.RoleModerator})
		switch {
		case err == nil:
			return ModeratorResult{ModeratorID: choice.Chosen, Name: mods[i].Name, Reason: choice.Reason}, nil
		case passOver(err):
			mods[i].Active = false
		default:
			return ModeratorResult{}, err
		}
	}
	return ModeratorResult{}, errors.New("the choice of a moderator did not settle")
}

// CertificateInput is what an award certificate shows.
type CertificateInput struct {
	TenantID      string
	ApplicationID string
	SettingName   string
	Reference     string
	Track         award.Track
	Level         award.Level
	AwardedOn     time.Time
	ValidUntil    time.Time
}

// CertificateKey is where an application's certificate is stored.
func CertificateKey(tenantID, applicationID string) string {
	return "tenants/" + tenantID + "/applications/" + applicationID + "/certificate.pdf"
}

// IssueCertificate renders the certificate PDF and stores it. The PDF is the same bytes for
// the same input, so a retry simply writes it again.
func (a *Activities) IssueCertificate(ctx context.Context, in CertificateInput) (string, error) {
	tenant, err := a.DB.Tenant(ctx, in.TenantID)
	if err != nil {
		return "", err
	}
	pdf, err := certificate.Render(certificate.Certificate{
		Number: in.ApplicationID, TenantName: tenant.Name, SettingName: in.SettingName, Reference: in.Reference,
		AwardTitle: in.Track.Title(), LevelTitle: in.Level.Title(), AwardedOn: in.AwardedOn, ValidUntil: in.ValidUntil,
	})
	if err != nil {
		return "", temporal.NewNonRetryableApplicationError(err.Error(), "BadCertificate", err)
	}
	key := CertificateKey(in.TenantID, in.ApplicationID)
	return key, a.Objects.Put(ctx, key, "application/pdf", bytes.NewReader(pdf), int64(len(pdf)))
}

// TenantAdmins lists the ids of a tenant's admins (escalations go to each).
func (a *Activities) TenantAdmins(ctx context.Context, tenantID string) ([]string, error) {
	return a.DB.PeopleWithRole(ctx, tenantID, postgres.RoleAdmin)
}
