// Package payloadcrypt encrypts every Temporal payload the product writes (workflow and
// activity inputs and results, signals, updates, queries, memos, failure messages) with
// AES-256-GCM, so that Temporal's histories, its database and its Web UI hold no personal data
// in clear, and so that erasing one key makes one application's histories unreadable
// (crypto-shredding).
//
// Keys, in three layers:
//
//   - a key-encryption key (KEK), from configuration (PAYLOAD_KEYS / PAYLOAD_KEY_FILE, see
//     config/keys.go) behind KeyWrapper, so a cloud KMS can take its place. Several KEKs may be
//     known, one current: rotating adds a new current id; keys wrapped by an old id still unwrap;
//   - a data key per application ("app/<application id>"), per tenant ("tenant/<tenant id>")
//     for payloads that belong to no application (the reminder digests), and one "system" key
//     for payloads the SDK converts without saying whose they are. Data keys are random, stored
//     only wrapped by a KEK (Store: PostgreSQL table payload_keys), unwrapped on use and kept in
//     memory for a short while (cacheTTL);
//   - the payloads, each encrypted under a data key whose id is in the payload's metadata
//     (as Temporal's samples-go "encryption" does), so decoding needs no context at all.
//
// Which application a payload belongs to: the SDK (v1.50) hands every data and failure
// converter a serialization context before converting a workflow's or an activity's payloads
// (converter.WorkflowSerializationContext / ActivitySerializationContext, both carrying the
// WorkflowID): client calls (start, signal, query, update, describe), workflow code (activities,
// child workflows, external signals: the TARGET's id), activity workers (inputs, results,
// heartbeats, failures). An application's journey has the workflow id
// "application/<application id>" (workflows.WorkflowID) and a digest "digest/<tenant>/…", so
// the workflow id alone names the key: no context propagator header is needed, and a client
// call needs no extra context value. For older code paths the converter also implements
// converter.ContextAware: WithWorkflowContext reads workflow.GetInfo(ctx).WorkflowExecution.ID
// and WithContext reads activity.GetInfo(ctx) inside an activity (or a scope put in a plain
// context with WithScope). A scope set by a serialization context wins over one from
// WithWorkflowContext, whose context names the calling workflow, not the target (a signal to
// another application's journey is encrypted under that application's key). A payload
// converted with no context at all uses the "system" key.
//
// Decoding never guesses: an unencrypted payload (histories from before encryption, the
// committed replay histories) passes through unchanged; an encrypted one is decrypted with the
// key its metadata names, or fails with ErrUnknownKey, ErrKeyShredded or ErrTampered.
//
// After the retention erasure destroyed an application's key (Keys.Shred), anything the
// application's journey still writes (the erasure's own result, the workflow's completion) is
// encrypted under its tenant's key; those payloads carry no personal data. Reading the erased
// application's history (replay, a query of the closed workflow, the Web UI) fails with
// ErrKeyShredded: that is the point.
package payloadcrypt
