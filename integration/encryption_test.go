package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	temporalclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"awardengine/award"
	"awardengine/payloadcrypt"
	"awardengine/storage/postgres"
	"awardengine/workflows"
)

// Personal strings the two journeys below carry: none may be readable in a raw history.
const (
	encSettingA  = "Zephyrine Oakhollow Primary"
	encFileA     = "zephyrine-oakhollow-plan.pdf"
	encReasonA   = "Zephyrine Oakhollow merges with Wexcombe Academy"
	encSettingB  = "Quillon Barberry Nursery"
	encFileB     = "quillon-barberry-risk-assessment.pdf"
	encFeedbackB = "Quillon Barberry keeps exemplary key-person records"
)

// TestHistoriesAreEncryptedAndErasureShredsThem drives two applications with recognisable
// personal strings. Read through a plain Temporal client (no codec) their histories hold none
// of them; decoded with the data keys they all appear. The codec endpoint decodes them for the
// tenant's admin only. After the retention erasure of one application its key is gone: its
// payloads no longer decrypt (payloadcrypt.ErrKeyShredded), a query of its closed workflow
// fails, and the other application still decodes.
func TestHistoriesAreEncryptedAndErasureShredsThem(t *testing.T) {
	ctx := t.Context()
	tm := newAwardTeam(t, "cipherfield", 3)
	s := award.DefaultSettings()
	s.RetainFor = 20 * time.Second // long enough to read A's history before it is erased
	if err := shared.DB.SetTenantSettings(ctx, "cipherfield", s); err != nil {
		t.Fatal(err)
	}

	// B: awarded, with an extra evidence file and the assessor's feedback.
	appB, codes := tm.portfolio(t, "QB-44120", encSettingB, award.Bronze)
	tm.applicant.uploadEvidence(appB, encFileB, pdf("risk"), codes[0])
	tm.applicant.must(200, "POST", "/v1/applications/"+appB+"/submit", map[string]any{"target_level": "bronze"})
	a := tm.waitStage(t, appB, "offered")
	holder := tm.holderOf(t, a)
	holder.must(200, "POST", "/v1/applications/"+appB+"/offer/accept", nil)
	holder.must(200, "POST", "/v1/applications/"+appB+"/assessment", map[string]any{"ratings": ratingsAll(codes, "bronze"), "feedback": encFeedbackB})
	eventually(t, "moderation or decision", func() bool {
		a = tm.get(t, appB)
		return a.Stage == "awarded" || (a.Assessment.Moderation != nil && a.Assessment.Moderation.ModeratorID != "")
	})
	if a.Stage != "awarded" {
		tm.moderator.must(200, "POST", "/v1/applications/"+appB+"/moderation", map[string]any{"decision": "confirm"})
	}
	tm.waitStage(t, appB, "awarded")

	// A: registered, one file, withdrawn with a reason; erased 20 s later.
	var app application
	tm.applicant.must(201, "POST", "/v1/applications", map[string]any{
		"setting_reference": "ZO-778812", "setting_name": encSettingA, "track": "caring_schools", "variant": "primary",
	}).json(t, &app)
	appA := app.ID
	tm.applicant.uploadEvidence(appA, encFileA, pdf("plan"), codes[0])
	tm.applicant.must(200, "POST", "/v1/applications/"+appA+"/withdraw", map[string]any{"reason": encReasonA})

	// Raw, through a client without the codec: nothing personal, and payloads are encrypted.
	plain, err := temporalclient.Dial(temporalclient.Options{HostPort: shared.Temporal.HostPort(), Namespace: shared.Temporal.Namespace(),
		Logger: quietTestLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	waitQuiescent(ctx, t, shared.Client, workflows.WorkflowID(appA))
	waitQuiescent(ctx, t, shared.Client, workflows.WorkflowID(appB))
	histA, histB := rawHistory(t, plain, appA), rawHistory(t, plain, appB)
	for name, h := range map[string]*historypb.History{"A": histA, "B": histB} {
		raw := marshalEvents(t, h)
		for _, secret := range []string{encSettingA, encFileA, encReasonA, encSettingB, encFileB, encFeedbackB, "Zephyrine", "Quillon"} {
			if bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString([]byte(secret)))) {
				t.Errorf("raw history of %s holds %q", name, secret)
			}
		}
		enc, clear := countPayloads(t, h)
		t.Logf("history %s: %d events, %d encrypted payloads, %d not encrypted", name, len(h.GetEvents()), enc, clear)
		if enc == 0 || clear != 0 {
			t.Errorf("history %s: %d encrypted and %d clear payloads", name, enc, clear)
		}
	}

	// Decoded with the data keys (as a fresh process would): every string is there.
	fresh := func() *payloadcrypt.Codec {
		return payloadcrypt.NewCodec(payloadcrypt.NewKeys(postgres.PayloadKeys{DB: shared.DB}, shared.PayloadKeys.Wrapper), payloadcrypt.Scope{})
	}
	decA, err := decodeHistory(ctx, fresh(), histA)
	if err != nil {
		t.Fatalf("decoding A before its erasure: %v", err)
	}
	decB, err := decodeHistory(ctx, fresh(), histB)
	if err != nil {
		t.Fatalf("decoding B: %v", err)
	}
	for _, secret := range []string{encSettingA, encFileA, encReasonA} {
		if !bytes.Contains(decA, []byte(secret)) {
			t.Errorf("decoded history of A lacks %q", secret)
		}
	}
	for _, secret := range []string{encSettingB, encFileB, encFeedbackB} {
		if !bytes.Contains(decB, []byte(secret)) {
			t.Errorf("decoded history of B lacks %q", secret)
		}
	}

	// The codec endpoint: the tenant's admin only.
	body := payloadsJSON(t, histB)
	nobody := &client{t: t, base: shared.APIURL}
	if r := nobody.do("POST", "/v1/codec/decode", body); r.Status != 401 {
		t.Errorf("codec without sign-in: %d %s", r.Status, r.Body)
	}
	if r := as(t, shared, "demo-eastmere-admin").do("POST", "/v1/codec/decode", body); r.Status != 404 {
		t.Errorf("codec for another tenant's admin: %d %s", r.Status, r.Body)
	}
	if r := tm.applicant.do("POST", "/v1/codec/decode", body); r.Status != 403 {
		t.Errorf("codec for the applicant: %d %s", r.Status, r.Body)
	}
	if r := tm.adm.do("POST", "/v1/codec/decode", body); r.Status != 200 || !strings.Contains(decodedData(t, r.Body), encSettingB) {
		t.Errorf("codec for the tenant's admin: %d (setting name decoded: %v)", r.Status, strings.Contains(decodedData(t, r.Body), encSettingB))
	}
	evil := codecRequest(t, tm.adm.token, body, "http://evil.example")
	if evil.StatusCode != 403 || evil.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("codec from another origin: %d, CORS %q", evil.StatusCode, evil.Header.Get("Access-Control-Allow-Origin"))
	}

	// The erasure of A: the key goes last, the journey completes.
	eventually60(t, "A's erasure and completion", func() bool {
		var erased bool
		_ = shared.DB.Pool().QueryRow(ctx, `SELECT erased_at IS NOT NULL FROM applications WHERE id=$1`, appA).Scan(&erased)
		if !erased {
			return false
		}
		d, err := shared.Client.DescribeWorkflowExecution(ctx, workflows.WorkflowID(appA), "")
		return err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() != nil
	})
	var wrapped []byte
	var shredded *time.Time
	if err := shared.DB.Pool().QueryRow(ctx, `SELECT wrapped, shredded_at FROM payload_keys WHERE key_id=$1`, "app/"+appA).Scan(&wrapped, &shredded); err != nil || wrapped != nil || shredded == nil {
		t.Fatalf("A's data key after erasure: wrapped %d bytes, shredded %v, %v", len(wrapped), shredded, err)
	}
	histA = rawHistory(t, plain, appA)
	if _, err := decodeHistory(ctx, fresh(), histA); !errors.Is(err, payloadcrypt.ErrKeyShredded) {
		t.Fatalf("decoding A after its erasure: %v, want ErrKeyShredded", err)
	}
	// Only what was written after the erasure (its result, the completion) decodes, under the
	// tenant key, and it holds nothing personal.
	readable := decodeReadable(ctx, t, fresh(), histA)
	for _, secret := range []string{encSettingA, encFileA, encReasonA} {
		if bytes.Contains(readable, []byte(secret)) {
			t.Errorf("after erasure, %q still decodes", secret)
		}
	}
	if decB, err = decodeHistory(ctx, fresh(), rawHistory(t, plain, appB)); err != nil || !bytes.Contains(decB, []byte(encFeedbackB)) {
		t.Fatalf("B after A's erasure: %v", err)
	}
	// A query of A's closed workflow replays its history, which no longer decodes.
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = shared.Client.QueryWorkflow(qctx, workflows.WorkflowID(appA), "", workflows.QueryStatus)
	// The worker cannot decode the workflow's input (ErrKeyShredded), so the journey's code
	// never runs on replay and its query handlers are never registered: Temporal answers
	// "unknown queryType" (docs/personal-data.md).
	if err == nil || !strings.Contains(err.Error(), "unknown queryType status") {
		t.Errorf("query of the erased journey: %v, want unknown queryType", err)
	}
	t.Logf("query of the erased journey: %v", err)
	// The API still answers for A, from what the database kept.
	if v := tm.life(t, appA); v.Lifecycle == nil || !v.Lifecycle.Erased {
		t.Errorf("A after erasure through the API: %+v", v.Lifecycle)
	}
	if r := tm.adm.do("POST", "/v1/codec/decode", payloadsJSON(t, histA)); r.Status != 400 || !strings.Contains(r.Body2(), "crypto-shredded") {
		t.Errorf("codec on A after erasure: %d %s", r.Status, r.Body)
	}

	captureHistory(t, appB, "encrypted_awarded")
}

func (r response) Body2() string { return string(r.Body) }

// decodedData is the data of the payloads in a codec answer, concatenated.
func decodedData(t *testing.T, body []byte) string {
	t.Helper()
	var ps commonpb.Payloads
	if err := protojson.Unmarshal(body, &ps); err != nil {
		return ""
	}
	var b strings.Builder
	for _, p := range ps.GetPayloads() {
		if payloadcrypt.Encrypted(p) {
			t.Errorf("the codec answered an encrypted payload")
		}
		b.Write(p.GetData())
	}
	return b.String()
}

func eventually60(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func rawHistory(t *testing.T, c temporalclient.Client, appID string) *historypb.History {
	t.Helper()
	h, err := fetchHistory(t.Context(), c, workflows.WorkflowID(appID), "")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func marshalEvents(t *testing.T, h *historypb.History) []byte {
	t.Helper()
	raw, err := proto.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// visit calls fn on every payload of the history (inputs, results, failures, headers), but
// the search attributes' (clear by design: no personal data goes there).
func visit(ctx context.Context, h *historypb.History, fn func([]*commonpb.Payload) ([]*commonpb.Payload, error)) error {
	return proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return fn(ps)
		},
	})
}

func countPayloads(t *testing.T, h *historypb.History) (enc, clear int) {
	t.Helper()
	err := visit(t.Context(), proto.Clone(h).(*historypb.History), func(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
		for _, p := range ps {
			if payloadcrypt.Encrypted(p) {
				enc++
			} else {
				clear++
				if clear <= 3 {
					t.Logf("a clear payload: %s %.80q", p.GetMetadata()["encoding"], p.GetData())
				}
			}
		}
		return ps, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return enc, clear
}

// decodeHistory decodes every payload of a copy of h and returns it marshalled.
func decodeHistory(ctx context.Context, codec *payloadcrypt.Codec, h *historypb.History) ([]byte, error) {
	c := proto.Clone(h).(*historypb.History)
	if err := visit(ctx, c, codec.Decode); err != nil {
		return nil, err
	}
	return proto.Marshal(c)
}

// decodeReadable decodes the payloads that still decode (after an erasure: those written after it).
func decodeReadable(ctx context.Context, t *testing.T, codec *payloadcrypt.Codec, h *historypb.History) []byte {
	t.Helper()
	var out []byte
	n := 0
	err := visit(ctx, proto.Clone(h).(*historypb.History), func(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
		for _, p := range ps {
			d, err := codec.Decode([]*commonpb.Payload{p})
			if err != nil {
				if !errors.Is(err, payloadcrypt.ErrKeyShredded) {
					return nil, err
				}
				continue
			}
			raw, _ := proto.Marshal(d[0])
			out = append(out, raw...)
			n++
		}
		return ps, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after erasure %d payloads still decode (written after the key was destroyed)", n)
	return out
}

// payloadsJSON is the remote codec protocol's request body with the history's payloads.
func payloadsJSON(t *testing.T, h *historypb.History) string {
	t.Helper()
	var all []*commonpb.Payload
	_ = visit(t.Context(), proto.Clone(h).(*historypb.History), func(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
		all = append(all, ps...)
		return ps, nil
	})
	raw, err := protojson.Marshal(&commonpb.Payloads{Payloads: all})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func codecRequest(t *testing.T, token, body, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", shared.APIURL+"/v1/codec/decode", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp
}

// quietTestLogger drops the plain client's chatter.
type quietTestLogger struct{}

func (quietTestLogger) Debug(string, ...any) {}
func (quietTestLogger) Info(string, ...any)  {}
func (quietTestLogger) Warn(string, ...any)  {}
func (quietTestLogger) Error(string, ...any) {}

// capturePayloadKeys adds the data keys of a captured history's encrypted payloads to
// workflows/testdata/payload-keys.json, re-wrapped under a throwaway test key-encryption key
// (it protects test data only), so that the replay test can decode them.
func capturePayloadKeys(t *testing.T, h *historypb.History) {
	t.Helper()
	ctx := t.Context()
	testKEK := bytes.Repeat([]byte("replay-test-kek!"), 2) // 32 bytes; protects test data only
	ring, err := payloadcrypt.NewKeyring("replay-test", map[string][]byte{"replay-test": testKEK})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(historiesDir, "..", "payload-keys.json")
	var out struct {
		Keyring  map[string]any           `json:"keyring"`
		DataKeys []payloadcrypt.StoredKey `json:"data_keys"`
	}
	if raw, err := os.ReadFile(file); err == nil {
		_ = json.Unmarshal(raw, &out)
	}
	out.Keyring = map[string]any{"current": "replay-test", "keys": map[string]string{"replay-test": base64.StdEncoding.EncodeToString(testKEK)}}
	have := map[string]bool{}
	for _, k := range out.DataKeys {
		have[k.KeyID] = true
	}
	store := postgres.PayloadKeys{DB: shared.DB}
	_ = visit(ctx, proto.Clone(h).(*historypb.History), func(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
		for _, p := range ps {
			id := payloadcrypt.KeyIDOf(p)
			if id == "" || have[id] {
				continue
			}
			have[id] = true
			sk, err := store.PayloadKey(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if sk.Wrapped == nil {
				t.Fatalf("not capturing: the history's data key %s was destroyed by the retention erasure, so it can never be "+
					"replayed (docs/replay.md: capture an erased path before its erasure)", id)
			}
			raw, err := shared.PayloadKeys.Wrapper.Unwrap(ctx, sk.KEKID, sk.KeyID, sk.Wrapped)
			if err != nil {
				t.Fatal(err)
			}
			sk.KEKID, sk.Wrapped, err = ring.Wrap(ctx, sk.KeyID, raw)
			if err != nil {
				t.Fatal(err)
			}
			out.DataKeys = append(out.DataKeys, sk)
		}
		return ps, nil
	})
	raw, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(file, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("captured the data keys of the history in %s", file)
}

// TestPayloadKeyRotationOnPostgres rotates the key-encryption key over the real store: a
// payload written under the old KEK still decodes once a new KEK is current, its data key
// moves to the new KEK as it is used, and the per-KEK count tells when the old one may go.
func TestPayloadKeyRotationOnPostgres(t *testing.T) {
	ctx := t.Context()
	store := postgres.PayloadKeys{DB: shared.DB}
	k1 := bytes.Repeat([]byte{0x11}, 32)
	k2 := bytes.Repeat([]byte{0x22}, 32)
	ring1, _ := payloadcrypt.NewKeyring("rot-1", map[string][]byte{"rot-1": k1})
	ring2, _ := payloadcrypt.NewKeyring("rot-2", map[string][]byte{"rot-1": k1, "rot-2": k2})
	only2, _ := payloadcrypt.NewKeyring("rot-2", map[string][]byte{"rot-2": k2})
	appID := "app_rotation" + time.Now().Format("150405.000000")
	scope := converter.WorkflowSerializationContext{WorkflowID: workflows.WorkflowID(appID)}

	before := payloadcrypt.NewDataConverter(payloadcrypt.NewKeys(store, ring1)).WithSerializationContext(scope)
	p, err := before.ToPayload(encSettingA)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := payloadcrypt.NewDataConverter(payloadcrypt.NewKeys(store, only2)).FromPayload(p, &got); !errors.Is(err, payloadcrypt.ErrUnknownKEK) {
		t.Fatalf("without the old KEK before the key moved: %v", err)
	}
	if err := payloadcrypt.NewDataConverter(payloadcrypt.NewKeys(store, ring2)).FromPayload(p, &got); err != nil || got != encSettingA {
		t.Fatalf("after rotation: %q %v", got, err)
	}
	if sk, err := store.PayloadKey(ctx, "app/"+appID); err != nil || sk.KEKID != "rot-2" {
		t.Fatalf("the used key is wrapped by %q (%v), want rot-2", sk.KEKID, err)
	}
	if err := payloadcrypt.NewDataConverter(payloadcrypt.NewKeys(store, only2)).FromPayload(p, &got); err != nil || got != encSettingA {
		t.Fatalf("old payload with the new KEK only: %q %v", got, err)
	}
	counts, err := store.PayloadKeysByKEK(ctx)
	if err != nil || counts["rot-2"] < 1 {
		t.Fatalf("keys by KEK: %v %v", counts, err)
	}
	t.Logf("live data keys by KEK: %v", counts)
}
