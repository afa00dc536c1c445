// Package payloads decides who may read the Temporal payloads of the award journeys through
// the codec endpoint (starter/api/codec.go): the payloads are encrypted (payloadcrypt) and the
// endpoint decrypts them for the Temporal Web UI of an engineer or admin who is signed in.
package payloads

import (
	"context"
	"errors"

	commonpb "go.temporal.io/api/common/v1"

	"awardengine/award"
	"awardengine/payloadcrypt"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// KeyTenants says which tenant a data key belongs to (postgres.PayloadKeys).
type KeyTenants interface {
	PayloadKeyTenant(ctx context.Context, scope payloadcrypt.Scope) (string, error)
}

// Access checks requests to decode payloads.
type Access struct{ Keys KeyTenants }

// CheckDecode allows an admin to decode payloads of their own tenant only: every encrypted
// payload must be under the key of one of their tenant's applications or their tenant's key.
// Another tenant's payloads, and the system key's (which no tenant owns), are refused as not
// found, without saying whose they are; anyone but an admin is refused outright.
// Unencrypted payloads need no key and pass (the codec returns them as they are).
func (a Access) CheckDecode(ctx context.Context, me award.Person, ps []*commonpb.Payload) error {
	if !me.Has(award.RoleAdmin) {
		return structs.Forbidden("only your award team's admins may read the journeys' Temporal payloads")
	}
	seen := map[string]bool{}
	for _, p := range ps {
		keyID := payloadcrypt.KeyIDOf(p)
		if keyID == "" || seen[keyID] {
			continue
		}
		seen[keyID] = true
		scope, ok := payloadcrypt.ScopeOfKeyID(keyID)
		if !ok {
			return structs.NotFound("no such payload key")
		}
		tenant, err := a.Keys.PayloadKeyTenant(ctx, scope)
		if errors.Is(err, postgres.ErrNotFound) || (err == nil && tenant != me.TenantID) {
			return structs.NotFound("no such payload key in your authority")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
