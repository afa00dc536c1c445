package appstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Store is the service's PostgreSQL in memory: applications, people, frameworks, toolkit
// documents, assignments and emails, each of a tenant. Like the database, a lookup with
// another tenant's id finds nothing (postgres.ErrNotFound), and a second active application of
// a setting is refused with *postgres.DuplicateError naming the first.
type Store struct {
	mu          sync.Mutex
	apps        map[string]postgres.Application // by id
	order       []string                        // ids, oldest first (lists are newest first)
	people      map[string]award.Person         // by id
	frameworks  map[string]award.Framework      // by id@version
	current     map[string]string               // variant → id@version
	toolkit     map[string][]postgres.ToolkitDocument
	assignments map[string][]postgres.Assignment // by tenant|person
	emails      map[string][]postgres.SentEmail  // by tenant|application|person
	pending     map[string][]byte                // journey starts owed: application id → input
	settings    map[string]award.Settings        // by tenant
	fail        map[string]error                 // method → error
	evidence    map[string][]postgres.Evidence   // by application id

	// Registered are the registrations the store committed, in order.
	Registered []postgres.Registration
	// Started are the applications marked as having their journey started.
	Started []string
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{apps: map[string]postgres.Application{}, people: map[string]award.Person{},
		frameworks: map[string]award.Framework{}, current: map[string]string{},
		toolkit: map[string][]postgres.ToolkitDocument{}, assignments: map[string][]postgres.Assignment{},
		emails: map[string][]postgres.SentEmail{}, pending: map[string][]byte{}, settings: map[string]award.Settings{},
		fail: map[string]error{}, evidence: map[string][]postgres.Evidence{}}
}

// Fail makes every later call of the named method ("Application", "Applications",
// "Register", …) return err (nil clears it): the database down, or a refusal to test.
func (s *Store) Fail(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.fail, method)
		return
	}
	s.fail[method] = err
}

func (s *Store) failed(method string) error { return s.fail[method] }

// PutApplication adds or replaces an application row as it is (see Fakes.AddApplication to
// seed a journey with it).
func (s *Store) PutApplication(a postgres.Application) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[a.ID]; !ok {
		s.order = append(s.order, a.ID)
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = Time
	}
	s.apps[a.ID] = a
}

// AddPerson adds or replaces a person (of p.TenantID).
func (s *Store) AddPerson(p award.Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people[p.ID] = p
}

// AddFramework adds a framework version; current makes it its variant's current version (the
// one new registrations use).
func (s *Store) AddFramework(fw award.Framework, current bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := fmt.Sprintf("%s@%d", fw.ID, fw.Version)
	s.frameworks[key] = fw
	if current {
		s.current[string(fw.Variant)] = key
	}
}

// AddToolkitDocument adds a document to its variant's toolkit.
func (s *Store) AddToolkitDocument(d postgres.ToolkitDocument) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.toolkit[d.Variant] = append(s.toolkit[d.Variant], d)
}

// AddAssignment adds an assignment of tenantID (to a.PersonID).
func (s *Store) AddAssignment(tenantID string, a postgres.Assignment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tenantID + "|" + a.PersonID
	s.assignments[k] = append(s.assignments[k], a)
}

// AddEmail records an email of an application of tenantID sent to e.RecipientID.
func (s *Store) AddEmail(tenantID, applicationID string, e postgres.SentEmail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := tenantID + "|" + applicationID + "|" + e.RecipientID
	s.emails[k] = append(s.emails[k], e)
}

// SetTenantSettings gives a tenant its own settings (others get the service's defaults).
func (s *Store) SetTenantSettings(tenantID string, st award.Settings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[tenantID] = st
}

// OweJourney marks an application's journey start as owed (registered, not yet started), with
// its start input.
func (s *Store) OweJourney(applicationID string, input []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[applicationID] = input
}

// Project records a journey's status in its application's row and evidence, as the journey's
// Record step does: stage, active (neither ended nor awarded), next action, who acts next and
// when, the holders (the assessor offered it or assessing it, the moderator), target level,
// submission, flags, the assessment's summary for the moderation queue, and the evidence.
func (s *Store) Project(st workflows.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[st.ApplicationID]
	if !ok {
		return
	}
	a.Stage, a.Active = string(st.Stage), !st.Stage.Closed() && st.Stage != award.StageAwarded
	a.NextAction, a.DueAt = st.Next.Action, nextDue(st)
	a.AssessorID, a.ModeratorID = holder(st, workflows.RoleAssessor), holder(st, workflows.RoleModerator)
	a.NextWho, a.TargetLevel, a.SubmittedAt, a.Flags = nextWho(st), st.TargetLevel, st.SubmittedAt, slices.Clone(st.Flags)
	a.AssessorName, a.Recommended, a.ModerationReasons = assessmentSummary(st)
	s.apps[a.ID] = a
	s.evidence[a.ID] = projectEvidence(a, st.Evidence)
}

// project fills the row's projected fields left empty from the journey's status (AddApplication).
func (s *Store) project(a postgres.Application, st workflows.Status) postgres.Application {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	if a.DueAt == nil {
		a.DueAt = nextDue(st)
	}
	fill(&a.AssessorID, holder(st, workflows.RoleAssessor))
	fill(&a.ModeratorID, holder(st, workflows.RoleModerator))
	fill(&a.NextWho, nextWho(st))
	fill(&a.TargetLevel, st.TargetLevel)
	if a.SubmittedAt == nil {
		a.SubmittedAt = st.SubmittedAt
	}
	if a.Flags == nil {
		a.Flags = slices.Clone(st.Flags)
	}
	name, recommended, reasons := assessmentSummary(st)
	fill(&a.AssessorName, name)
	fill(&a.Recommended, recommended)
	if a.ModerationReasons == nil {
		a.ModerationReasons = reasons
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evidence[a.ID] = projectEvidence(a, st.Evidence)
	return a
}

// holder is who holds the application in a role, as the journey projects it.
func holder(st workflows.Status, role string) string {
	a := st.Assessment
	switch {
	case a == nil:
	case role == workflows.RoleAssessor && st.Stage == workflows.StageOffered && a.Offer != nil:
		return a.Offer.PersonID
	case role == workflows.RoleAssessor && (st.Stage == workflows.StageAssessment || st.Stage == workflows.StageModeration):
		return a.AssessorID
	case role == workflows.RoleModerator && st.Stage == workflows.StageModeration && a.Moderation != nil:
		return a.Moderation.ModeratorID
	}
	return ""
}

// nextDue is when the next step is due: the status's, or as the journey works it out after
// submission (the offer's expiry, the assessment's and the moderation's due dates).
func nextDue(st workflows.Status) *time.Time {
	a := st.Assessment
	switch {
	case st.Next.DueAt != nil || a == nil:
		return st.Next.DueAt
	case st.Stage == workflows.StageOffered && a.Offer != nil:
		return &a.Offer.ExpiresAt
	case st.Stage == workflows.StageAssessment:
		return a.DueAt
	case st.Stage == workflows.StageModeration && a.Moderation != nil && a.Moderation.Outcome == "":
		return a.Moderation.DueAt
	}
	return nil
}

// nextWho is the role that acts next: the status's, or as the journey works it out.
func nextWho(st workflows.Status) string {
	if st.Next.Who != "" {
		return st.Next.Who
	}
	switch st.Stage {
	case workflows.StageOffered, workflows.StageAssessment:
		return workflows.RoleAssessor
	case workflows.StageModeration:
		if m := st.Assessment.Moderation; m != nil && m.DueAt != nil && m.Outcome == "" {
			return workflows.RoleModerator
		}
		return workflows.RoleSystem
	case workflows.StageToolkit, workflows.StagePortfolio, workflows.StageNotYet, workflows.StageAwarded:
		return workflows.RoleApplicant
	}
	return workflows.RoleSystem
}

// assessmentSummary is what the projection keeps of the assessment for the moderation queue.
func assessmentSummary(st workflows.Status) (name, recommended string, reasons []string) {
	a := st.Assessment
	if a == nil {
		return "", "", nil
	}
	if holder(st, workflows.RoleAssessor) == a.AssessorID {
		name = a.AssessorName
	}
	if a.AssessedAt != nil || st.Stage == workflows.StageModeration {
		recommended = a.Recommended.String()
	}
	if a.Moderation != nil {
		reasons = slices.Clone(a.Moderation.Reasons)
	}
	return name, recommended, reasons
}

func projectEvidence(a postgres.Application, items []activities.Evidence) []postgres.Evidence {
	out := make([]postgres.Evidence, 0, len(items))
	for _, e := range items {
		out = append(out, postgres.Evidence{ID: e.ID, ApplicationID: a.ID, TenantID: a.TenantID, ObjectKey: e.ObjectKey,
			Filename: e.Filename, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, Standards: slices.Clone(e.Standards),
			Note: e.Note, State: e.State, Immutable: e.Immutable, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt,
			ConfirmedAt: e.ConfirmedAt, RemovedAt: e.RemovedAt, SubmittedAt: e.SubmittedAt})
	}
	return out
}

// EvidenceOf is the application's evidence as the projection has it, removed items left out.
func (s *Store) EvidenceOf(_ context.Context, tenantID, applicationID string) ([]postgres.Evidence, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("EvidenceOf"); err != nil {
		return nil, err
	}
	var out []postgres.Evidence
	for _, e := range s.evidence[applicationID] {
		if e.TenantID == tenantID && e.State != activities.EvidenceRemoved {
			out = append(out, e)
		}
	}
	return out, nil
}

// --- applications.Store ---

// Application is one application of a tenant.
func (s *Store) Application(_ context.Context, tenantID, id string) (postgres.Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Application"); err != nil {
		return postgres.Application{}, err
	}
	a, ok := s.apps[id]
	if !ok || a.TenantID != tenantID || tenantID == "" {
		return postgres.Application{}, fmt.Errorf("application %q: %w", id, postgres.ErrNotFound)
	}
	return a, nil
}

// Applications lists a tenant's applications narrowed by f, newest first.
func (s *Store) Applications(_ context.Context, f postgres.ApplicationFilter) ([]postgres.Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Applications"); err != nil {
		return nil, err
	}
	var out []postgres.Application
	for i := len(s.order) - 1; i >= 0; i-- {
		a := s.apps[s.order[i]]
		switch {
		case a.TenantID != f.TenantID:
		case f.ApplicantID != "" && a.ApplicantID != f.ApplicantID:
		case f.SupporterID != "" && a.SupporterID != f.SupporterID:
		case f.HolderID != "" && a.AssessorID != f.HolderID && a.ModeratorID != f.HolderID:
		default:
			out = append(out, a)
		}
	}
	return out, nil
}

// Register records a registration as the database does: a setting reference registered to
// another applicant is refused (unless asAdmin), so is one registered as another track or
// variant, and so is a second active application of a setting. The new application is active,
// at its registration's stage, and its journey start is owed until MarkJourneyStarted.
func (s *Store) Register(_ context.Context, r postgres.Registration, asAdmin bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Register"); err != nil {
		return err
	}
	if len(r.JourneyInput) == 0 {
		return errors.New("registering an application: the journey's start input is missing")
	}
	settingID := ""
	for _, id := range s.order {
		a := s.apps[id]
		if a.TenantID != r.TenantID || a.SettingReference != r.SettingReference {
			continue
		}
		settingID = a.SettingID
		if a.ApplicantID != r.ApplicantID && !asAdmin {
			return &postgres.SettingOwnedError{Reference: r.SettingReference}
		}
		if a.Track != r.Track || a.Variant != r.Variant {
			return &postgres.SettingVariantError{Reference: r.SettingReference, Track: a.Track, Variant: a.Variant}
		}
		if a.Active {
			return &postgres.DuplicateError{ExistingID: a.ID}
		}
	}
	if settingID == "" {
		settingID = "set-" + r.SettingReference
	}
	s.Registered = append(s.Registered, r)
	s.order = append(s.order, r.ApplicationID)
	s.apps[r.ApplicationID] = postgres.Application{ID: r.ApplicationID, TenantID: r.TenantID, SettingID: settingID,
		SettingReference: r.SettingReference, SettingName: r.SettingName, ApplicantID: r.ApplicantID, SupporterID: r.SupporterID,
		Track: r.Track, Variant: r.Variant, FrameworkID: r.FrameworkID, FrameworkVersion: r.FrameworkVersion, Stage: r.Stage,
		Active: true, UpdatedAt: Time}
	s.pending[r.ApplicationID] = r.JourneyInput
	return nil
}

// JourneyStartOwed says whether the application's journey has not been marked started.
func (s *Store) JourneyStartOwed(_ context.Context, applicationID string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("JourneyStartOwed"); err != nil {
		return false, err
	}
	_, ok := s.pending[applicationID]
	return ok, nil
}

// TenantSettings is the tenant's settings, or def.
func (s *Store) TenantSettings(_ context.Context, tenantID string, def award.Settings) (award.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("TenantSettings"); err != nil {
		return def, err
	}
	if st, ok := s.settings[tenantID]; ok {
		return st, nil
	}
	return def, nil
}

// EnsureApplicant finds the tenant's person with p's address or adds them as an applicant.
// A member of staff (assessor, moderator, admin) is refused as the database refuses them.
func (s *Store) EnsureApplicant(_ context.Context, p postgres.Person) (postgres.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("EnsureApplicant"); err != nil {
		return postgres.Person{}, err
	}
	for _, q := range s.people {
		if q.TenantID == p.TenantID && strings.EqualFold(q.Email, p.Email) {
			var staff []string
			for _, r := range []string{award.RoleAdmin, award.RoleAssessor, award.RoleModerator} {
				if q.Has(r) {
					staff = append(staff, r)
				}
			}
			if len(staff) > 0 {
				slices.Sort(staff)
				return postgres.Person{}, &postgres.StaffAddressError{Roles: staff}
			}
			return q, nil
		}
	}
	p.ID = fmt.Sprintf("person-%d", len(s.people)+1)
	p.Roles = []string{award.RoleApplicant}
	p.Active = true
	s.people[p.ID] = p
	return p, nil
}

// Person is one person of a tenant.
func (s *Store) Person(_ context.Context, tenantID, id string) (postgres.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Person"); err != nil {
		return postgres.Person{}, err
	}
	p, ok := s.people[id]
	if !ok || p.TenantID != tenantID {
		return postgres.Person{}, fmt.Errorf("person %q: %w", id, postgres.ErrNotFound)
	}
	return p, nil
}

// PersonByEmail is the tenant's person with this address (any case).
func (s *Store) PersonByEmail(_ context.Context, tenantID, email string) (postgres.Person, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("PersonByEmail"); err != nil {
		return postgres.Person{}, err
	}
	for _, p := range s.people {
		if p.TenantID == tenantID && strings.EqualFold(p.Email, email) {
			return p, nil
		}
	}
	return postgres.Person{}, postgres.ErrNotFound
}

// CurrentFramework is the variant's current framework (AddFramework with current), or, when
// none was added, Framework("fw-<variant>", 1, variant).
func (s *Store) CurrentFramework(_ context.Context, variant string, out any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("CurrentFramework"); err != nil {
		return err
	}
	fw, ok := s.frameworks[s.current[variant]]
	if !ok {
		fw = Framework("fw-"+variant, 1, award.Variant(variant))
	}
	return jsonInto(fw, out)
}

// Framework is one framework version (AddFramework), or, when none was added under this id,
// Framework(id, version, "").
func (s *Store) Framework(_ context.Context, id string, version int, out any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Framework"); err != nil {
		return err
	}
	fw, ok := s.frameworks[fmt.Sprintf("%s@%d", id, version)]
	if !ok {
		fw = Framework(id, version, "")
	}
	return jsonInto(fw, out)
}

// ToolkitDocuments is the variant's toolkit.
func (s *Store) ToolkitDocuments(_ context.Context, variant string) ([]postgres.ToolkitDocument, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("ToolkitDocuments"); err != nil {
		return nil, err
	}
	return slices.Clone(s.toolkit[variant]), nil
}

// Assignments is a person's assignments in a tenant.
func (s *Store) Assignments(_ context.Context, tenantID, personID string) ([]postgres.Assignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("Assignments"); err != nil {
		return nil, err
	}
	return slices.Clone(s.assignments[tenantID+"|"+personID]), nil
}

// ApplicationAssignments is every assignment of one application of a tenant.
func (s *Store) ApplicationAssignments(_ context.Context, tenantID, applicationID string) ([]postgres.Assignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("ApplicationAssignments"); err != nil {
		return nil, err
	}
	var out []postgres.Assignment
	for k, as := range s.assignments {
		if !strings.HasPrefix(k, tenantID+"|") {
			continue
		}
		for _, a := range as {
			if a.ApplicationID == applicationID {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b postgres.Assignment) int { return a.OfferedAt.Compare(b.OfferedAt) })
	return out, nil
}

// EmailsTo is the emails of one application of a tenant sent to one person.
func (s *Store) EmailsTo(_ context.Context, tenantID, applicationID, personID string) ([]postgres.SentEmail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("EmailsTo"); err != nil {
		return nil, err
	}
	return slices.Clone(s.emails[tenantID+"|"+applicationID+"|"+personID]), nil
}

// --- journeys.Store (the journey_starts outbox) ---

// PendingJourneyStart is an owed start's input, if the application is the tenant's and owed.
func (s *Store) PendingJourneyStart(_ context.Context, tenantID, applicationID string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("PendingJourneyStart"); err != nil {
		return nil, false, err
	}
	in, ok := s.pending[applicationID]
	if !ok || (tenantID != "" && s.apps[applicationID].TenantID != tenantID) {
		return nil, false, nil
	}
	return in, true, nil
}

// ClaimJourneyStarts claims nothing: tests start journeys on request, not by the sweeper.
func (s *Store) ClaimJourneyStarts(context.Context, time.Duration, time.Duration, int) ([]postgres.JourneyStart, error) {
	return nil, s.failed("ClaimJourneyStarts")
}

// MarkJourneyStarted marks an owed start done; started is true if it was owed.
func (s *Store) MarkJourneyStarted(_ context.Context, applicationID string, _ *postgres.AuditEntry) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failed("MarkJourneyStarted"); err != nil {
		return false, err
	}
	_, owed := s.pending[applicationID]
	delete(s.pending, applicationID)
	if owed {
		s.Started = append(s.Started, applicationID)
	}
	return owed, nil
}

// JourneyStartFailed records nothing.
func (s *Store) JourneyStartFailed(context.Context, string, string) error {
	return s.failed("JourneyStartFailed")
}
