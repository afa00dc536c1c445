package payloads

import (
	"context"
	"errors"
	"net/http"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"awardengine/award"
	"awardengine/payloadcrypt"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

type tenants map[string]string // application id → tenant

func (t tenants) PayloadKeyTenant(_ context.Context, s payloadcrypt.Scope) (string, error) {
	switch {
	case s.ApplicationID != "":
		if tenant, ok := t[s.ApplicationID]; ok {
			return tenant, nil
		}
		return "", postgres.ErrNotFound
	case s.TenantID != "":
		return s.TenantID, nil
	}
	return "", nil
}

func encrypted(keyID string) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{
		converter.MetadataEncoding: []byte(payloadcrypt.MetadataEncodingEncrypted), payloadcrypt.MetadataKeyID: []byte(keyID)}}
}

func status(err error) int {
	var p *structs.Problem
	if errors.As(err, &p) {
		return p.Status
	}
	if err != nil {
		return 500
	}
	return 200
}

func TestAnAdminDecodesOnlyTheirTenantsPayloads(t *testing.T) {
	a := Access{Keys: tenants{"app_n": "north", "app_e": "east"}}
	admin := award.Person{ID: "p1", TenantID: "north", Roles: []string{award.RoleAdmin}}
	assessor := award.Person{ID: "p2", TenantID: "north", Roles: []string{award.RoleAssessor}}
	plain, _ := converter.GetDefaultDataConverter().ToPayload("x")
	for _, c := range []struct {
		name string
		me   award.Person
		ps   []*commonpb.Payload
		want int
	}{
		{"own application", admin, []*commonpb.Payload{encrypted("app/app_n"), plain}, 200},
		{"own tenant key", admin, []*commonpb.Payload{encrypted("tenant/north")}, 200},
		{"unencrypted only", admin, []*commonpb.Payload{plain}, 200},
		{"another tenant's application", admin, []*commonpb.Payload{encrypted("app/app_n"), encrypted("app/app_e")}, http.StatusNotFound},
		{"another tenant's key", admin, []*commonpb.Payload{encrypted("tenant/east")}, http.StatusNotFound},
		{"no such application", admin, []*commonpb.Payload{encrypted("app/app_x")}, http.StatusNotFound},
		{"the system key", admin, []*commonpb.Payload{encrypted("system")}, http.StatusNotFound},
		{"a malformed key id", admin, []*commonpb.Payload{encrypted("app/")}, http.StatusNotFound},
		{"not an admin", assessor, []*commonpb.Payload{encrypted("app/app_n")}, http.StatusForbidden},
	} {
		if got := status(a.CheckDecode(context.Background(), c.me, c.ps)); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
