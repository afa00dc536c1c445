package admin

import (
	"context"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// RosterEntry is one person's roster entry: tracks, specialisms, capacity, whether they take
// new work, their open work and conflicts. Everyone holding the assessor or moderator role is
// on the roster (with the defaults until an admin changes them); anyone else, or a person of
// another tenant, is not found.
func (s *Service) RosterEntry(ctx context.Context, me award.Person, personID string) (postgres.AssessorProfile, error) {
	if err := adminsOnly(me, rosterWhat); err != nil {
		return postgres.AssessorProfile{}, err
	}
	p, err := s.DB.Assessor(ctx, me.TenantID, personID)
	return p, rosterError(err)
}
