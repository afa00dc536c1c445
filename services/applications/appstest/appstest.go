// Package appstest holds in-memory fakes of what the applications service depends on (its
// Store, Temporal and Objects interfaces), so that other packages' tests (the web pages, the
// API) can run the real *applications.Service without PostgreSQL, Temporal or object storage.
// Only tests import it.
//
// The fakes behave like the real dependencies where a page can tell the difference: the store
// is tenant-checked (another tenant's id is not found), a registration of a setting with an
// active application is refused as the database refuses it, the journey answers the "status"
// query with the status a test set, and every update is recorded and answered (by default
// with the journey's status; a test sets a result or a refusal per update name).
package appstest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Fakes are one fake of each dependency of the applications service.
type Fakes struct {
	Store    *Store
	Temporal *Temporal
	Objects  *Objects
}

// New returns empty fakes.
// The journey projects its status into the store after every update that changes it, as the
// real journey's record activity does (stage, active, next action and due date).
func New() *Fakes {
	f := &Fakes{Store: NewStore(), Temporal: NewTemporal(), Objects: &Objects{}}
	f.Temporal.Project = f.Store.Project
	return f
}

// Service is an applications service over the fakes, with the SPEC's default settings and
// upload limits.
func (f *Fakes) Service() *applications.Service {
	return &applications.Service{DB: f.Store, Temporal: f.Temporal, Objects: f.Objects,
		Settings: award.DefaultSettings(), Limits: award.DefaultUploadLimits()}
}

// AddApplication seeds one application: its row in the store and its journey's status.
// Fields of st left empty are taken from a (id, tenant, setting, track, variant, stage,
// framework), and the reverse, so a test sets each once. The stage defaults to toolkit, the
// framework to the store's "fw-<variant>" version 1 (its standards pinned in the status), and
// the status's Missing is worked out from its evidence as the journey does.
func (f *Fakes) AddApplication(a postgres.Application, st workflows.Status) {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&st.ApplicationID, a.ID)
	fill(&a.ID, st.ApplicationID)
	fill(&st.TenantID, a.TenantID)
	fill(&a.TenantID, st.TenantID)
	fill(&st.SettingReference, a.SettingReference)
	fill(&a.SettingReference, st.SettingReference)
	fill(&st.SettingName, a.SettingName)
	fill(&a.SettingName, st.SettingName)
	if st.Track == "" {
		st.Track = award.Track(a.Track)
	}
	fill(&a.Track, string(st.Track))
	if st.Variant == "" {
		st.Variant = award.Variant(a.Variant)
	}
	fill(&a.Variant, string(st.Variant))
	if st.Stage == "" {
		st.Stage = award.Stage(a.Stage)
	}
	if st.Stage == "" {
		st.Stage = workflows.StageToolkit
	}
	fill(&a.Stage, string(st.Stage))
	fill(&st.Framework.ID, a.FrameworkID)
	fill(&st.Framework.ID, "fw-"+string(st.Variant))
	fill(&a.FrameworkID, st.Framework.ID)
	if st.Framework.Version == 0 {
		st.Framework.Version = a.FrameworkVersion
	}
	if st.Framework.Version == 0 {
		st.Framework.Version = 1
	}
	if a.FrameworkVersion == 0 {
		a.FrameworkVersion = st.Framework.Version
	}
	if len(st.Framework.Standards) == 0 {
		// The journey pins the framework version the store holds (Store.Framework).
		var fw award.Framework
		if err := f.Store.Framework(context.Background(), st.Framework.ID, st.Framework.Version, &fw); err == nil {
			st.Framework = applications.FrameworkRef(fw)
		}
	}
	fill(&a.NextAction, st.Next.Action)
	if a.DueAt == nil {
		a.DueAt = st.Next.DueAt
	}
	fill(&a.SettingID, "set-"+a.SettingReference)
	if st.Evidence == nil {
		st.Evidence = []activities.Evidence{}
	}
	if st.RegisteredAt.IsZero() {
		st.RegisteredAt = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)
	}
	if st := award.Stage(a.Stage); !st.Closed() && st != award.StageAwarded {
		a.Active = true // as the journey's projection says (an award held is not active)
	}
	f.Store.PutApplication(f.Store.project(a, st))
	f.Temporal.setStatus(st)
}

// Refusal is a journey's refusal of an update, as a workflow validator returns it: kind is one
// of the workflows.Err* types (workflows.ErrMissingEvidence, ErrWrongStage, …) and details,
// when given, are the refusal's details (the missing standard codes of ErrMissingEvidence).
func Refusal(kind, message string, details ...any) error {
	return temporal.NewNonRetryableApplicationError(message, kind, nil, details...)
}

// jsonInto copies v into ptr as Temporal's JSON converter would (v's JSON decoded into ptr).
func jsonInto(v, ptr any) error {
	if ptr == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, ptr); err != nil {
		return fmt.Errorf("appstest: the result %T does not decode into %T: %w", v, ptr, err)
	}
	return nil
}

// Time is a fixed instant tests can show dates from: 1 September 2026, 09:00 UTC.
var Time = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)

// Ptr returns a pointer to t (for the journey's optional dates).
func Ptr(t time.Time) *time.Time { return &t }

// Framework is a small valid-shaped framework for variant: areas A–D with standards A1–A3 …
// D1–D3; the first standard of each area applies from bronze, the second from silver, the third
// from gold.
func Framework(id string, version int, variant award.Variant) award.Framework {
	fw := award.Framework{ID: id, Variant: variant, Version: version, Title: "Sample framework " + id, Sample: true}
	levels := []award.Level{award.Bronze, award.Silver, award.Gold}
	for _, area := range []string{"A", "B", "C", "D"} {
		a := award.Area{Code: area, Title: "Area " + area}
		for i, from := range levels {
			code := fmt.Sprintf("%s%d", area, i+1)
			st := award.Standard{Code: code, Title: "Standard " + code, From: from}
			for _, l := range levels {
				if l >= from {
					switch l {
					case award.Bronze:
						st.Descriptors.Bronze = code + " at bronze"
					case award.Silver:
						st.Descriptors.Silver = code + " at silver"
					case award.Gold:
						st.Descriptors.Gold = code + " at gold"
					}
				}
			}
			a.Standards = append(a.Standards, st)
		}
		fw.Areas = append(fw.Areas, a)
	}
	return fw
}

// Compile-time checks: the fakes are what the service needs.
var (
	_ applications.Store    = (*Store)(nil)
	_ applications.Temporal = (*Temporal)(nil)
	_ applications.Objects  = (*Objects)(nil)
)
