package applications

import (
	"context"
	"time"

	"awardengine/award"
	"awardengine/payloadcrypt"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// erasedStore is the projection of erased applications (*postgres.DB; fakes need not have it).
type erasedStore interface {
	ErasedApplication(ctx context.Context, id string) (postgres.Application, time.Time, error)
}

// erasedStatus answers for a journey whose history no longer decodes because the retention
// erasure destroyed its payload key (payloadcrypt.ErrKeyShredded: a query replays the closed
// workflow and cannot read its input). What remains is the anonymised projection: its stage
// and that it was erased. Any other failure, or a store without the projection, is err.
func (s *Service) erasedStatus(ctx context.Context, applicationID string, err error) (workflows.Status, error) {
	db, ok := s.DB.(erasedStore)
	if !ok || !payloadcrypt.IsShredded(err) {
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
