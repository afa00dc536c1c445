package cohort

import (
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// MayImport says whether me may import cohorts: nil for an admin, the refusal (403) Import
// gives anyone else. The upload page asks it before showing its form.
func MayImport(me postgres.Person) error {
	if !me.Has(postgres.RoleAdmin) {
		return structs.Forbidden("only your award team's admins import cohorts")
	}
	return nil
}
