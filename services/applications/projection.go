package applications

import (
	"context"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// Reads answered from the projection (issue 16: reads never wait on a busy journey). The
// journey writes its projection (the applications row, its evidence rows) in the step that
// changes it, so the projection is the journey's state as of its last recorded step: current
// enough for lists and access checks, and for a status shown while the journey is busy, marked
// with its source and how fresh it is.

// ProjectionView is an application as the projection knows it, as one person may see it:
// the stage, next step, target level, flags and evidence (with what is missing per level),
// marked Source "projection" as of the journey's last recorded step. The assessment's details,
// the deadlines and the lifecycle are the journey's alone: they are left out.
func (s *Service) ProjectionView(ctx context.Context, app postgres.Application) (structs.Application, error) {
	asOf := app.UpdatedAt
	flags := app.Flags
	if flags == nil {
		flags = []string{}
	}
	v := structs.Application{
		ID: app.ID, TenantID: app.TenantID, Setting: structs.Setting{Reference: app.SettingReference, Name: app.SettingName},
		Track: app.Track, Variant: app.Variant, Framework: award.FrameworkRef{ID: app.FrameworkID, Version: app.FrameworkVersion},
		Stage: award.Stage(app.Stage), Next: award.NextStep{Action: app.NextAction, Who: app.NextWho, DueAt: app.DueAt},
		RegisteredAt: app.RegisteredAt, Evidence: []structs.Evidence{}, Missing: map[string][]string{},
		TargetLevel: app.TargetLevel, SubmittedAt: app.SubmittedAt, Flags: flags,
		Source: structs.SourceProjection, AsOf: &asOf,
	}
	evidence, err := s.DB.EvidenceOf(ctx, app.TenantID, app.ID)
	if err != nil {
		return structs.Application{}, Unchanged(err)
	}
	covered := map[string]bool{}
	for _, e := range evidence {
		if e.State != award.EvidenceConfirmed && e.State != award.EvidencePending {
			continue
		}
		v.PortfolioBytes += e.Size
		if e.State == award.EvidenceConfirmed {
			for _, c := range e.Standards {
				covered[c] = true
			}
		}
		v.Evidence = append(v.Evidence, structs.Evidence{ID: e.ID, Filename: e.Filename, Size: e.Size, ContentType: e.ContentType,
			SHA256: e.SHA256, Standards: e.Standards, Note: e.Note, State: e.State, Immutable: e.Immutable,
			UploadedAt: e.CreatedAt, ConfirmedAt: e.ConfirmedAt})
	}
	var fw award.Framework
	if err := s.DB.Framework(ctx, app.FrameworkID, app.FrameworkVersion, &fw); err != nil {
		return structs.Application{}, Unchanged(err)
	}
	v.Framework.Title, v.Framework.Sample = fw.Title, fw.Sample
	for _, l := range award.AwardLevels() {
		m := []string{}
		for _, st := range fw.Standards() {
			if st.From <= l && !covered[st.Code] {
				m = append(m, st.Code)
			}
		}
		v.Missing[l.String()] = m
	}
	return v, nil
}
