// Package applications is the service behind everything a person does with an application:
// who may see or act on it (access.go), what each person sees of it (views.go), registering it
// and starting its journey durably (register.go, journey_starts.go), and the journey's Updates
// and Queries with truthful errors (journey.go). The JSON API (starter/api) and the web pages
// are thin adapters over it: they authenticate, decode, call a method with
// (ctx, person, id, request), and write the answer or the error.
//
// Errors are typed: *structs.Problem for anything the person can read and act on (access,
// validation, a journey's refusal once mapped by Problem), *OutcomeUnknownError for an update
// whose effect is not known, and errors marked Unchanged for failures before anything was
// changed or sent. Problem turns any of them into the problem document to show.
package applications

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"awardengine/award"
	"awardengine/journeys"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Store is what the service needs of PostgreSQL (*postgres.DB).
type Store interface {
	journeys.Store
	Application(ctx context.Context, tenantID, id string) (postgres.Application, error)
	Applications(ctx context.Context, f postgres.ApplicationFilter) ([]postgres.Application, error)
	Register(ctx context.Context, r postgres.Registration, asAdmin bool) error
	JourneyStartOwed(ctx context.Context, applicationID string) (bool, error)
	TenantSettings(ctx context.Context, tenantID string, def award.Settings) (award.Settings, error)
	EnsureApplicant(ctx context.Context, p postgres.Person) (postgres.Person, error)
	Person(ctx context.Context, tenantID, id string) (postgres.Person, error)
	PersonByEmail(ctx context.Context, tenantID, email string) (postgres.Person, error)
	CurrentFramework(ctx context.Context, variant string, out any) error
	Framework(ctx context.Context, id string, version int, out any) error
	ToolkitDocuments(ctx context.Context, variant string) ([]postgres.ToolkitDocument, error)
	Assignments(ctx context.Context, tenantID, personID string) ([]postgres.Assignment, error)
	ApplicationAssignments(ctx context.Context, tenantID, applicationID string) ([]postgres.Assignment, error)
	EmailsTo(ctx context.Context, tenantID, applicationID, personID string) ([]postgres.SentEmail, error)
	EvidenceOf(ctx context.Context, tenantID, applicationID string) ([]postgres.Evidence, error)
}

// Applicants is what registration needs of the people service (*people.Service): the
// applicant of an admin's registration (new ones created, staff refused as 409
// staff-address), and a new applicant's invitation once the registration is done.
type Applicants interface {
	Applicant(ctx context.Context, me award.Person, name, email string) (award.Person, bool, error)
	Welcome(ctx context.Context, p award.Person) (string, string)
}

// Temporal is what the service needs of the Temporal client (client.Client).
type Temporal interface {
	journeys.Temporal
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// Objects is what the service needs of object storage (*objects.Store).
type Objects interface {
	PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, time.Time, error)
	PresignPut(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (objects.PresignedUpload, error)
	PresignPutOnce(ctx context.Context, key, contentType string, size int64, sha256Hex string, ttl time.Duration) (objects.PresignedUpload, error)
	PresignPost(ctx context.Context, applicationID string, maxBytes int64, redirect string, ttl time.Duration) (objects.PostForm, error)
	Stat(ctx context.Context, key string) (objects.Stored, error)
	Sniff(ctx context.Context, key, etag string) (string, error)
	Inspect(ctx context.Context, key, etag string) (objects.Inspected, error)
	CopyChecked(ctx context.Context, from, to, etag string) error
	Delete(ctx context.Context, key string) error
}

// Service holds the dependencies of the applications service.
type Service struct {
	DB       Store
	Temporal Temporal
	Objects  Objects
	Settings award.Settings
	Limits   award.UploadLimits
	// People, when set, creates and invites the applicant an admin registers on someone's
	// behalf (services/people); nil keeps the older EnsureApplicant (no invitation).
	People Applicants
	// ReadWait bounds how long a read waits for a busy journey's answer before it answers from
	// the projection (0: DefaultReadWait). See Service.statusWithin.
	ReadWait time.Duration
	// CrashAt, set only by tests, is called at each point of a registration where a process
	// could die (journey_starts.go); a hook that panics stops the registration there.
	CrashAt func(CrashPoint, workflows.ApplicationInput)
}

func (s *Service) journeyStarter() journeys.Starter {
	return journeys.Starter{DB: s.DB, Temporal: s.Temporal}
}
