package people

import (
	"context"
	"errors"

	"awardengine/storage/postgres"
	"awardengine/structs"
)

// PersonReader reads one person of a tenant (*postgres.DB has it). The service's store must
// have it to show one person; a store without it cannot.
type PersonReader interface {
	Person(ctx context.Context, tenantID, id string) (postgres.Person, error)
}

// MayManage says whether me may manage the people of their authority: nil for an admin, the
// refusal (403) for anyone else. Pages that show a form before anything is read ask it first.
func MayManage(me postgres.Person) error { return adminOnly(me) }

// Person is one person of the admin's tenant, as admins see them; another tenant's person, or
// no one, is not found.
func (s *Service) Person(ctx context.Context, me postgres.Person, personID string) (structs.PersonView, error) {
	if err := adminOnly(me); err != nil {
		return structs.PersonView{}, err
	}
	db, ok := s.DB.(PersonReader)
	if !ok {
		return structs.PersonView{}, errors.New("people: the store cannot read one person")
	}
	p, err := db.Person(ctx, me.TenantID, personID)
	if err != nil {
		return structs.PersonView{}, problemOf(err)
	}
	return View(p, false), nil
}
