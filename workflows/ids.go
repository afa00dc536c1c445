package workflows

// WorkflowID is the workflow id of an application.
func WorkflowID(applicationID string) string { return "application/" + applicationID }

// EvidenceObjectKey is where an evidence item's bytes live in object storage. The key is
// scoped by tenant and application so that a link can only ever name that one object.
func EvidenceObjectKey(tenantID, applicationID, evidenceID string) string {
	return "tenants/" + tenantID + "/applications/" + applicationID + "/evidence/" + evidenceID
}
