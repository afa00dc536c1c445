package applications

import (
	"context"
	"time"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// erasedStore is the projection of erased applications (*postgres.DB; fakes need not have it).
type erasedStore interface {
	ErasedApplication(ctx context.Context, id string) (postgres.Application, time.Time, error)
}

// erasedStatus answers for a journey whose history no longer decodes because the retention
// erasure destroyed its payload key (payloadcrypt.ErrKeyShredded). A query replays the closed
// workflow; the worker cannot decode its input, so the journey's code never runs and the query
// fails ("unknown queryType status", or the key's error). When the query failed and the
// database says the application was erased, the anonymised projection answers: its stage and
// that it was erased. Otherwise (not erased, a store without the projection) it is err.
func (s *Service) erasedStatus(ctx context.Context, applicationID string, err error) (workflows.Status, error) {
	db, ok := s.DB.(erasedStore)
	if !ok {
		return workflows.Status{}, err
	}
	app, erasedAt, lookErr := db.ErasedApplication(ctx, applicationID)
	if lookErr != nil {
		return workflows.Status{}, err
	}
	return workflows.Status{
		ApplicationID: app.ID, TenantID: app.TenantID, SettingReference: app.SettingReference, SettingName: app.SettingName,
		Track: award.Track(app.Track), Variant: award.Variant(app.Variant), Stage: award.Stage(app.Stage),
		Flags:     []string{},
		Lifecycle: &award.Lifecycle{Erased: true, ErasedAt: &erasedAt},
	}, nil
}
