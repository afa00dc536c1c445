package payloadcrypt

import (
	"context"

	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DataConverter is the SDK's default data converter with the Codec of a scope, aware of the
// workflow a payload belongs to (package comment).
type DataConverter struct {
	converter.DataConverter
	keys  *Keys
	scope Scope
	// fixed: the scope came from a serialization context or WithScope, which name the workflow
	// the payload is for; WithWorkflowContext (the calling workflow) does not override it.
	fixed bool
}

var (
	_ converter.DataConverter                         = (*DataConverter)(nil)
	_ converter.ContextAware                          = (*DataConverter)(nil)
	_ converter.DataConverterWithSerializationContext = (*DataConverter)(nil)
)

// NewDataConverter returns the converter every client and worker of the product uses.
func NewDataConverter(keys *Keys) *DataConverter { return newDataConverter(keys, Scope{}, false) }

func newDataConverter(keys *Keys, s Scope, fixed bool) *DataConverter {
	return &DataConverter{
		DataConverter: converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(keys, s)),
		keys:          keys, scope: s, fixed: fixed,
	}
}

// Scope is whose key the converter encrypts under.
func (dc *DataConverter) Scope() Scope { return dc.scope }

// WithSerializationContext implements converter.DataConverterWithSerializationContext.
func (dc *DataConverter) WithSerializationContext(sc converter.SerializationContext) converter.DataConverter {
	if s, ok := scopeOfSerializationContext(sc); ok {
		return newDataConverter(dc.keys, s, true)
	}
	return dc
}

// WithWorkflowContext implements converter.ContextAware: the running workflow's id.
func (dc *DataConverter) WithWorkflowContext(ctx workflow.Context) converter.DataConverter {
	if dc.fixed || ctx == nil {
		return dc
	}
	if id := workflowIDOf(ctx); id != "" {
		return newDataConverter(dc.keys, ScopeOfWorkflow(id), false)
	}
	return dc
}

// WithContext implements converter.ContextAware: inside an activity, its workflow's id;
// otherwise a scope set with WithScope.
func (dc *DataConverter) WithContext(ctx context.Context) converter.DataConverter {
	if dc.fixed || ctx == nil {
		return dc
	}
	if s, ok := ctx.Value(scopeKey{}).(Scope); ok {
		return newDataConverter(dc.keys, s, true)
	}
	if activity.IsActivity(ctx) {
		if id := activity.GetInfo(ctx).WorkflowExecution.ID; id != "" {
			return newDataConverter(dc.keys, ScopeOfWorkflow(id), false)
		}
	}
	return dc
}

type scopeKey struct{}

// WithScope marks a context so that payloads converted with it use scope's key (for code that
// converts payloads itself, outside any workflow or activity).
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// workflowIDOf reads the workflow id of a workflow context; a context that is not a running
// workflow's (the SDK panics on it) gives "".
func workflowIDOf(ctx workflow.Context) (id string) {
	defer func() {
		if recover() != nil {
			id = ""
		}
	}()
	return workflow.GetInfo(ctx).WorkflowExecution.ID
}

func scopeOfSerializationContext(sc converter.SerializationContext) (Scope, bool) {
	switch c := sc.(type) {
	case converter.WorkflowSerializationContext:
		return ScopeOfWorkflow(c.WorkflowID), c.WorkflowID != ""
	case converter.ActivitySerializationContext:
		s := ScopeOfWorkflow(c.WorkflowID)
		s.TenantKey = s.ApplicationID != "" && TenantKeyActivities[c.ActivityType]
		return s, c.WorkflowID != ""
	}
	return Scope{}, false
}

// FailureConverter is the SDK's default failure converter with EncodeCommonAttributes: a
// failure's message and stack trace go into its encoded attributes, encrypted like any
// payload (under the key of the workflow the failure belongs to), and the clear-text message
// reads "Encoded failure".
type FailureConverter struct {
	converter.FailureConverter
	dc *DataConverter
}

var _ converter.FailureConverterWithSerializationContext = (*FailureConverter)(nil)

// NewFailureConverter returns the failure converter of dc.
func NewFailureConverter(dc *DataConverter) *FailureConverter {
	return &FailureConverter{dc: dc, FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: dc, EncodeCommonAttributes: true,
	})}
}

// WithSerializationContext implements converter.FailureConverterWithSerializationContext.
func (fc *FailureConverter) WithSerializationContext(sc converter.SerializationContext) converter.FailureConverter {
	if dc, ok := fc.dc.WithSerializationContext(sc).(*DataConverter); ok && dc != fc.dc {
		return NewFailureConverter(dc)
	}
	return fc
}

// ErrorToFailure implements converter.FailureConverter.
func (fc *FailureConverter) ErrorToFailure(err error) *failurepb.Failure {
	return fc.FailureConverter.ErrorToFailure(err)
}

// FailureToError implements converter.FailureConverter.
func (fc *FailureConverter) FailureToError(f *failurepb.Failure) error {
	return fc.FailureConverter.FailureToError(f)
}

// ClientOptions returns o with the encrypting data and failure converters (workers created
// from the client inherit them): every client the product dials goes through it.
func ClientOptions(o client.Options, keys *Keys) client.Options {
	dc := NewDataConverter(keys)
	o.DataConverter = dc
	o.FailureConverter = NewFailureConverter(dc)
	return o
}
