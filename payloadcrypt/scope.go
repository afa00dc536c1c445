package payloadcrypt

import "strings"

// Scope says whose payloads are being encoded: an application, else a tenant, else the system.
type Scope struct {
	TenantID      string
	ApplicationID string
	// TenantKey: the payloads concern ApplicationID but are encrypted under its tenant's key
	// (the erasure activity's: they must still decode after the application's key is gone).
	TenantKey bool
}

// TenantKeyActivities are the activities whose payloads (input, result, failure) are
// encrypted under the tenant's key rather than the application's: EraseApplication destroys
// the application's key, and a retry of it after a crash must still read its input. Its
// payloads hold ids and counts only.
var TenantKeyActivities = map[string]bool{"EraseApplication": true}

// ApplicationScope is the scope of one application's payloads.
func ApplicationScope(applicationID string) Scope { return Scope{ApplicationID: applicationID} }

// Key id prefixes (the payload metadata's encryption-key-id).
const (
	appKeyPrefix    = "app/"
	tenantKeyPrefix = "tenant/"
	systemKeyID     = "system"
)

// KeyID is the data key's id: "app/<id>", "tenant/<id>" or "system".
func (s Scope) KeyID() string {
	switch {
	case s.ApplicationID != "" && !s.TenantKey:
		return appKeyPrefix + s.ApplicationID
	case s.TenantID != "":
		return tenantKeyPrefix + s.TenantID
	}
	return systemKeyID
}

// ScopeOfKeyID reads a key id back into the scope it belongs to (ok false for a malformed id).
func ScopeOfKeyID(keyID string) (Scope, bool) {
	if id, ok := strings.CutPrefix(keyID, appKeyPrefix); ok && id != "" {
		return Scope{ApplicationID: id}, true
	}
	if id, ok := strings.CutPrefix(keyID, tenantKeyPrefix); ok && id != "" {
		return Scope{TenantID: id}, true
	}
	return Scope{}, keyID == systemKeyID
}

// ScopeOfWorkflow maps a workflow id to its scope: "application/<id>" (workflows.WorkflowID)
// is that application; "digest/<tenant>/<person>/<day>" (activities' digest ids) is the
// tenant; anything else is the system. (The prefixes are spelled here, not imported, so that
// this package stays below workflows/ and activities/.)
func ScopeOfWorkflow(workflowID string) Scope {
	if id, ok := strings.CutPrefix(workflowID, "application/"); ok && id != "" && !strings.Contains(id, "/") {
		return Scope{ApplicationID: id}
	}
	if rest, ok := strings.CutPrefix(workflowID, "digest/"); ok {
		if tenant, _, _ := strings.Cut(rest, "/"); tenant != "" {
			return Scope{TenantID: tenant}
		}
	}
	return Scope{}
}
