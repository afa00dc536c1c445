// Package offerlinks is the one-click offer link (issue 13): the link in an assessor_offer
// email opens that one offer's page, where its assessor accepts or declines it without
// signing in. OJS's reviewers asked for this most; its links leaked whole accounts. These do
// not:
//
//   - a link answers one offer (an assignment) of one application, for the one person it was
//     offered to, in one tenant, and only while that offer is open (the journey's own state and
//     deadline decide, so an admin's extension extends it and a reassignment ends it);
//   - it works once: the answer uses it, whatever the answer;
//   - it is no credential anywhere else: it starts no session and sets no cookie, the API's
//     token and session checks never look at it, and nothing here reads another application;
//   - opening it (GET, which mail scanners do) uses nothing: only the answer's POST does;
//   - only its SHA-256 is stored (the email activity makes it: activities/offerlink.go,
//     offertoken), so a copy of the database answers no offer.
//
// The answer goes through the applications service as the person it was offered to (built
// from the database, refused if deactivated), so the usual checks apply: the journey accepts
// an answer only from the person it offered the assessment to, and never an acceptance from
// the application's applicant or supporter.
package offerlinks

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/offerlinks/offertoken"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// Store is what the service needs of PostgreSQL (*postgres.DB).
type Store interface {
	OfferLinkByHash(ctx context.Context, tokenHash []byte) (postgres.OfferLink, error)
	UseOfferLink(ctx context.Context, tokenHash []byte, answer string) (postgres.OfferLink, error)
	ReleaseOfferLink(ctx context.Context, tokenHash []byte, usedAt time.Time) error
	OfferAssignment(ctx context.Context, tenantID, id string) (postgres.Assignment, error)
	Application(ctx context.Context, tenantID, id string) (postgres.Application, error)
	Framework(ctx context.Context, id string, version int, out any) error
	Person(ctx context.Context, tenantID, id string) (postgres.Person, error)
}

// Journeys is what the service needs of the applications service (*applications.Service).
type Journeys interface {
	Status(ctx context.Context, applicationID string) (workflows.Status, error)
	AcceptOffer(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error)
	DeclineOffer(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error)
}

// Service answers offers by their emailed links.
type Service struct {
	DB   Store
	Apps Journeys
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// MaxReasonLength bounds a decline's reason, in characters.
const MaxReasonLength = 2000

// Offer is what the page shows of an open offer: enough to decide, nothing of the portfolio.
type Offer struct {
	// Assignment and Application are the offer and its application as the assessor's own offer
	// page shows them (web's "offer-summary"); Application.DueAt is the offer's deadline.
	Assignment  structs.Assignment
	Application structs.ApplicationSummary
	PersonName  string    // whom it was offered to
	TargetLevel string    // "silver"; "" before the journey says
	ExpiresAt   time.Time // answer by then (the journey's deadline)
	Standards   int       // standards to rate at the target level
	Evidence    int       // confirmed evidence items
	// AssessmentWorkdays is how long the assessment takes once accepted, in working days (the
	// application's deadlines: its council's when it was registered): the page says so
	// before the person accepts.
	AssessmentWorkdays int
}

// Answered is the outcome of an answer.
type Answered struct {
	Offer
	Answer string     // postgres.OfferAccepted or postgres.OfferDeclined
	DueAt  *time.Time // accepted: when the assessment is due
}

// Check says whether a link's offer can be answered, and shows it, without using the link.
func (s *Service) Check(ctx context.Context, token string) (Offer, error) {
	l, _, st, err := s.open(ctx, token)
	if err != nil {
		return Offer{}, err
	}
	return s.offer(ctx, l, st)
}

// Accept accepts the link's offer, using the link.
func (s *Service) Accept(ctx context.Context, token string) (Answered, error) {
	return s.answer(ctx, token, postgres.OfferAccepted, "")
}

// Decline declines the link's offer, with a reason (required), using the link.
func (s *Service) Decline(ctx context.Context, token, reason string) (Answered, error) {
	return s.answer(ctx, token, postgres.OfferDeclined, reason)
}

// CheckReason is the rule for a decline's reason: required, at most MaxReasonLength
// characters, paragraphs of text. Its refusal is a *structs.Problem naming the field "reason".
func CheckReason(reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return structs.Invalid("reason", "enter why you are declining the offer")
	case utf8.RuneCountInString(reason) > MaxReasonLength:
		return structs.Invalid("reason", "the reason must be 2,000 characters or fewer")
	}
	return structs.CheckStrings(structs.ReasonRequest{Reason: reason})
}

func (s *Service) answer(ctx context.Context, token, answer, reason string) (Answered, error) {
	reason = strings.TrimSpace(reason)
	l, me, st, err := s.open(ctx, token)
	if err != nil {
		return Answered{}, err
	}
	if answer == postgres.OfferDeclined {
		if err := CheckReason(reason); err != nil {
			return Answered{}, err
		}
	}
	offer, err := s.offer(ctx, l, st)
	if err != nil {
		return Answered{}, err
	}
	hash := offertoken.Hash(token)
	used, err := s.DB.UseOfferLink(ctx, hash, answer)
	switch {
	case errors.Is(err, postgres.ErrLinkUsed):
		return Answered{}, about(usedRefusal(used), l) // another request won the race
	case errors.Is(err, postgres.ErrNotFound):
		return Answered{}, ErrUnknown
	case err != nil:
		return Answered{}, applications.Unchanged(err)
	}
	req := structs.ReasonRequest{Reason: reason}
	var app structs.Application
	if answer == postgres.OfferAccepted {
		app, err = s.Apps.AcceptOffer(ctx, me, l.ApplicationID, req)
	} else {
		app, err = s.Apps.DeclineOffer(ctx, me, l.ApplicationID, req)
	}
	if err != nil {
		if !nothingChanged(err) {
			// The answer may have been given: the link stays used (the person can check their
			// assessments after signing in).
			return Answered{}, err
		}
		if rerr := s.DB.ReleaseOfferLink(ctx, hash, *used.UsedAt); rerr != nil {
			slog.Error("releasing an offer link after a refused answer", "assignment", l.AssignmentID, "error", rerr)
		}
		// Say precisely why, when the offer closed in the meantime.
		var why *Refusal
		if _, _, _, again := s.open(ctx, token); errors.As(again, &why) {
			return Answered{}, why
		}
		if p, _ := applications.Problem(err, false); p.Status == http.StatusNotFound {
			// The access check no longer finds the offer theirs (their assessor role was
			// removed): the link is as closed as the offer is to them.
			return Answered{}, about(ErrClosed, l)
		}
		return Answered{}, err
	}
	out := Answered{Offer: offer, Answer: answer}
	if app.Assessment != nil {
		out.DueAt = app.Assessment.DueAt
	}
	return out, nil
}

// nothingChanged says whether an answer's error certainly changed nothing: the journey (or
// the access check) refused it, or it failed before it was sent.
func nothingChanged(err error) bool {
	if applications.IsUnchanged(err) {
		return true
	}
	var unknown *applications.OutcomeUnknownError
	if errors.As(err, &unknown) {
		return false
	}
	p, known := applications.Problem(err, false)
	return known && p.Status >= 400 && p.Status < 500 && p.Type != "data-error"
}

// open finds the link and checks that its offer can be answered now by its person.
func (s *Service) open(ctx context.Context, token string) (postgres.OfferLink, award.Person, workflows.Status, error) {
	l, me, st, err := s.check(ctx, token)
	return l, me, st, about(err, l)
}

func (s *Service) check(ctx context.Context, token string) (postgres.OfferLink, award.Person, workflows.Status, error) {
	var st workflows.Status
	if !offertoken.Plausible(token) {
		return postgres.OfferLink{}, award.Person{}, st, ErrUnknown
	}
	l, err := s.DB.OfferLinkByHash(ctx, offertoken.Hash(token))
	if errors.Is(err, postgres.ErrNotFound) {
		return l, award.Person{}, st, ErrUnknown
	}
	if err != nil {
		return l, award.Person{}, st, applications.Unchanged(err)
	}
	if l.UsedAt != nil {
		return l, award.Person{}, st, usedRefusal(l)
	}
	me, err := s.DB.Person(ctx, l.TenantID, l.PersonID)
	if errors.Is(err, postgres.ErrNotFound) {
		return l, me, st, ErrUnknown
	}
	if err != nil {
		return l, me, st, applications.Unchanged(err)
	}
	if !me.Active {
		return l, me, st, ErrDeactivated
	}
	if !me.Has(award.RoleAssessor) {
		return l, me, st, ErrClosed // no longer an assessor: no offer is open to them
	}
	st, err = s.Apps.Status(ctx, l.ApplicationID)
	if err != nil {
		return l, me, st, applications.Unchanged(err)
	}
	if st.TenantID != "" && st.TenantID != l.TenantID {
		return l, me, st, ErrUnknown // never: an application belongs to one tenant
	}
	return l, me, st, s.closed(ctx, l, st)
}

// closed is nil while the link's offer is open to its person, or the refusal that says why
// it is not.
func (s *Service) closed(ctx context.Context, l postgres.OfferLink, st workflows.Status) error {
	a := st.Assessment
	if st.Stage == workflows.StageOffered && a != nil && a.Offer != nil &&
		a.Offer.AssignmentID == l.AssignmentID && a.Offer.PersonID == l.PersonID {
		if !s.now().Before(a.Offer.ExpiresAt) {
			return expired(a.Offer.ExpiresAt) // its timer is about to close it
		}
		return nil
	}
	asg, err := s.DB.OfferAssignment(ctx, l.TenantID, l.AssignmentID)
	if err != nil && !errors.Is(err, postgres.ErrNotFound) {
		return applications.Unchanged(err)
	}
	switch asg.State {
	case "accepted", "completed":
		return answeredRefusal(postgres.OfferAccepted, asg.AcceptedAt, l.ApplicationID)
	case "declined":
		return answeredRefusal(postgres.OfferDeclined, asg.ClosedAt, "")
	case "expired":
		at := l.ExpiresAt
		if asg.ClosedAt != nil {
			at = *asg.ClosedAt
		}
		return expired(at)
	}
	if st.Stage == workflows.StageWithdrawn {
		return ErrWithdrawn
	}
	if asg.State == "released" {
		return ErrReassigned
	}
	return ErrClosed
}

// offer is what the page shows of the link's open offer.
func (s *Service) offer(ctx context.Context, l postgres.OfferLink, st workflows.Status) (Offer, error) {
	app, err := s.DB.Application(ctx, l.TenantID, l.ApplicationID)
	if err != nil {
		return Offer{}, applications.Unchanged(err)
	}
	asg, err := s.DB.OfferAssignment(ctx, l.TenantID, l.AssignmentID)
	if err != nil {
		return Offer{}, applications.Unchanged(err)
	}
	o := Offer{Assignment: asg, Application: app, TargetLevel: st.TargetLevel, AssessmentWorkdays: st.Deadlines.AssessmentWorkdays}
	// The projection may trail the journey by a moment: the journey's stage and deadline show.
	o.Application.Stage = string(st.Stage)
	if a := st.Assessment; a != nil && a.Offer != nil {
		o.PersonName, o.ExpiresAt = a.Offer.Name, a.Offer.ExpiresAt
		o.Application.DueAt = &o.ExpiresAt
	}
	// The standards to rate: of the framework version the application is assessed on, at the
	// level applied for (the journey's status does not list them).
	var fw award.Framework
	if err := s.DB.Framework(ctx, app.FrameworkID, app.FrameworkVersion, &fw); err != nil {
		return Offer{}, applications.Unchanged(err)
	}
	if target, err := award.ParseLevel(st.TargetLevel); err == nil && target.IsAward() {
		o.Standards = len(fw.StandardsFor(target))
	} else {
		o.Standards = len(fw.Standards())
	}
	for _, e := range st.Evidence {
		if e.State == award.EvidenceConfirmed {
			o.Evidence++
		}
	}
	return o, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Refusal is why a link cannot answer its offer, in words for the person holding it. It never
// says more about the application than the link already showed its person.
type Refusal struct {
	Status int
	Kind   string // unknown, used, answered, expired, closed, deactivated
	Title  string
	Detail string
	// Answer and At, for a used link or an offer answered already: what was answered, when.
	Answer string
	At     *time.Time
	// AssessmentID is the application the person accepted: they sign in to assess it.
	AssessmentID string
	// TenantID is the council of the link's offer ("" for a link we do not know).
	TenantID string
}

func (r *Refusal) Error() string { return r.Title + ": " + r.Detail }

// Is matches a refusal of the same kind and words (errors.Is(err, ErrDeactivated)), whatever
// link it is about.
func (r *Refusal) Is(target error) bool {
	t, ok := target.(*Refusal)
	return ok && t.Kind == r.Kind && t.Title == r.Title && t.Detail == r.Detail
}

// about is err with the link's council named, when it is a refusal (a copy: the package's
// refusals are shared).
func about(err error, l postgres.OfferLink) error {
	var r *Refusal
	if !errors.As(err, &r) {
		return err
	}
	c := *r
	c.TenantID = l.TenantID
	return &c
}

// Refusals of a link.
var (
	ErrUnknown = &Refusal{Status: http.StatusNotFound, Kind: "unknown", Title: "This link is not valid",
		Detail: "This offer link is not one we sent, it was copied incompletely, or its offer closed more than 30 days ago."}
	ErrDeactivated = &Refusal{Status: http.StatusForbidden, Kind: "deactivated", Title: "Your account is deactivated",
		Detail: "Your award team has deactivated your account, so this link cannot be used. Contact them if you think this is wrong."}
	ErrWithdrawn = &Refusal{Status: http.StatusGone, Kind: "closed", Title: "This offer is no longer open",
		Detail: "The application has been withdrawn, so it no longer needs an assessor. You do not need to do anything."}
	ErrReassigned = &Refusal{Status: http.StatusGone, Kind: "closed", Title: "This offer is no longer open",
		Detail: "The award team has taken this offer back, so it can no longer be answered. You do not need to do anything."}
	ErrClosed = &Refusal{Status: http.StatusGone, Kind: "closed", Title: "This offer is no longer open",
		Detail: "This offer has closed. You do not need to do anything."}
)

func expired(at time.Time) *Refusal {
	return &Refusal{Status: http.StatusGone, Kind: "expired", Title: "This offer has expired", At: &at,
		Detail: "The offer had to be answered by " + longDate(at) + ". It is being offered to another assessor, so you do not need to do anything."}
}

// usedRefusal is a link used already: it says how, and when.
func usedRefusal(l postgres.OfferLink) *Refusal {
	r := &Refusal{Status: http.StatusGone, Kind: "used", Title: "This link has already been used", Answer: l.Answer, At: l.UsedAt}
	when := ""
	if l.UsedAt != nil {
		when = " on " + longDate(*l.UsedAt)
	}
	switch l.Answer {
	case postgres.OfferAccepted:
		r.Detail = "You accepted this offer" + when + " using this link. Each offer link works once."
		r.AssessmentID = l.ApplicationID
	case postgres.OfferDeclined:
		r.Detail = "You declined this offer" + when + " using this link. Each offer link works once."
	default:
		r.Detail = "Each offer link works once."
	}
	return r
}

// answeredRefusal is an offer answered without the link (from the assessor's inbox).
func answeredRefusal(answer string, at *time.Time, applicationID string) *Refusal {
	r := &Refusal{Status: http.StatusGone, Kind: "answered", Title: "You have already answered this offer", Answer: answer, At: at}
	when := ""
	if at != nil {
		when = " on " + longDate(*at)
	}
	if answer == postgres.OfferAccepted {
		r.Detail, r.AssessmentID = "You accepted this offer"+when+".", applicationID
	} else {
		r.Detail = "You declined this offer" + when + ". You do not need to do anything."
	}
	return r
}

var london = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

func longDate(t time.Time) string { return t.In(london).Format("2 January 2006") }
