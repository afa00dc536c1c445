package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"awardengine/structs"
)

// Projection is the part of a workflow's state that lists and access checks read.
type Projection struct {
	ApplicationID  string
	TenantID       string
	Seq            int64 // increases with every change; older writes are ignored
	Stage          string
	Active         bool
	NextAction     string
	DueAt          *time.Time
	TargetLevel    string
	Flags          []string
	SubmittedAt    *time.Time
	ClosedAt       *time.Time
	AssessorID     string // the assessor holding it now ("" = none)
	ModeratorID    string // the moderator holding it now
	LevelAwarded   string // the decision, once made ("not_met" for "not yet")
	DecidedAt      *time.Time
	NextWho        string // the role that acts next (applicant, assessor, moderator, admin, system)
	ReassessmentOf string // the application whose award this one reassesses
	PreviousLevel  string // that award's level
	// What the moderation queue shows of an assessment (migration 00017): the assessor's name
	// and recommendation ("" until an assessment is submitted: stored as NULL) and why it is
	// moderated.
	AssessorName      string
	Recommended       string
	ModerationReasons []string
	At                time.Time
}

// Evidence is the metadata of one evidence item; its bytes live in object storage.
type Evidence struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"-"`
	TenantID      string     `json:"-"`
	ObjectKey     string     `json:"-"`
	Filename      string     `json:"filename"`
	ContentType   string     `json:"content_type"`
	Size          int64      `json:"size"`
	SHA256        string     `json:"sha256"`
	Standards     []string   `json:"standards"`
	Note          string     `json:"note,omitempty"`
	State         string     `json:"state"`
	Immutable     bool       `json:"immutable"`
	CreatedBy     string     `json:"-"`
	CreatedAt     time.Time  `json:"uploaded_at"`
	ConfirmedAt   *time.Time `json:"confirmed_at,omitempty"`
	RemovedAt     *time.Time `json:"-"`
	SubmittedAt   *time.Time `json:"-"`
}

// AuditEntry is structs.AuditEntry: the wire type is declared once, in structs.
type AuditEntry = structs.AuditEntry

// Change is everything one step of a journey writes, applied in one transaction so that the
// projection, the evidence list and the audit trail never disagree.
type Change struct {
	Projection *Projection
	Evidence   []Evidence
	Audit      []AuditEntry
}

// Record applies a change. It is idempotent: running it twice has the effect of running it once.
// Its statements go in two batches (two round trips, not one per row): a step of a batch of
// 13 files writes 13 evidence rows and 13 audit lines, and every journey step waits for it.
func (db *DB) Record(ctx context.Context, c Change) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		first := &pgx.Batch{}
		for _, e := range c.Evidence {
			// Submitted evidence is immutable (a trigger enforces it); a retried write skips it.
			first.Queue(`
				INSERT INTO evidence (id, application_id, tenant_id, object_key, filename, content_type, size_bytes, sha256,
					standards, note, state, immutable, created_by, created_at, confirmed_at, removed_at, submitted_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
				ON CONFLICT (id) DO UPDATE SET standards=EXCLUDED.standards, note=EXCLUDED.note, state=EXCLUDED.state,
					immutable=EXCLUDED.immutable, confirmed_at=EXCLUDED.confirmed_at, removed_at=EXCLUDED.removed_at,
					submitted_at=EXCLUDED.submitted_at
				WHERE NOT evidence.immutable`,
				e.ID, e.ApplicationID, e.TenantID, e.ObjectKey, e.Filename, e.ContentType, e.Size, e.SHA256,
				e.Standards, e.Note, e.State, e.Immutable, e.CreatedBy, e.CreatedAt, e.ConfirmedAt, e.RemovedAt, e.SubmittedAt)
		}
		var before string
		p := c.Projection
		if p != nil {
			// The stage before this step, so each audit line says what it changed.
			first.Queue(`SELECT stage FROM applications WHERE tenant_id=$1 AND id=$2 FOR UPDATE`,
				p.TenantID, p.ApplicationID).QueryRow(func(row pgx.Row) error {
				if err := row.Scan(&before); err != nil && !errors.Is(err, pgx.ErrNoRows) {
					return err
				}
				return nil
			})
		}
		if err := tx.SendBatch(ctx, first).Close(); err != nil {
			return err
		}

		second := &pgx.Batch{}
		after := ""
		if p != nil {
			after = p.Stage
			flags := p.Flags
			if flags == nil {
				flags = []string{}
			}
			reasons := p.ModerationReasons
			if reasons == nil {
				reasons = []string{}
			}
			second.Queue(`
				UPDATE applications SET seq=$3, stage=$4, active=$5, next_action=$6, due_at=$7, target_level=NULLIF($8,''),
					flags=$9, submitted_at=$10, closed_at=$11, updated_at=$12, assessor_id=NULLIF($13,''),
					moderator_id=NULLIF($14,''), level_awarded=NULLIF($15,''), decided_at=$16, next_who=$17,
					reassessment_of=NULLIF($18,''), previous_level=NULLIF($19,''), assessor_name=$20,
					recommended=NULLIF($21,''), moderation_reasons=$22
				WHERE tenant_id=$1 AND id=$2 AND seq < $3`,
				p.TenantID, p.ApplicationID, p.Seq, p.Stage, p.Active, p.NextAction, p.DueAt, p.TargetLevel,
				flags, p.SubmittedAt, p.ClosedAt, p.At, p.AssessorID, p.ModeratorID, p.LevelAwarded, p.DecidedAt,
				p.NextWho, p.ReassessmentOf, p.PreviousLevel, p.AssessorName, p.Recommended, reasons)
		}
		for _, a := range c.Audit {
			detail, err := json.Marshal(a.Detail)
			if err != nil {
				return err
			}
			if a.Detail == nil {
				detail = []byte("{}")
			}
			second.Queue(`
				INSERT INTO audit_log (tenant_id, application_id, actor, action, detail, dedupe_key, at, stage_before, stage_after)
				VALUES ($1, NULLIF($2,''), $3, $4, $5, NULLIF($6,''), $7, NULLIF($8,''), NULLIF($9,'')) ON CONFLICT (dedupe_key) DO NOTHING`,
				a.TenantID, a.ApplicationID, a.Actor, a.Action, detail, a.DedupeKey, a.At, before, after)
		}
		return tx.SendBatch(ctx, second).Close()
	})
}

// EvidenceOf lists the evidence of an application that has not been removed, oldest first.
func (db *DB) EvidenceOf(ctx context.Context, tenantID, applicationID string) ([]Evidence, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT id, application_id, tenant_id, object_key, filename, content_type, size_bytes, sha256, standards, note,
			state, immutable, created_by, created_at, confirmed_at, removed_at, submitted_at
		FROM evidence WHERE tenant_id=$1 AND application_id=$2 AND state <> 'removed' ORDER BY created_at, id`, tenantID, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.ApplicationID, &e.TenantID, &e.ObjectKey, &e.Filename, &e.ContentType, &e.Size, &e.SHA256,
			&e.Standards, &e.Note, &e.State, &e.Immutable, &e.CreatedBy, &e.CreatedAt, &e.ConfirmedAt, &e.RemovedAt, &e.SubmittedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditTrail returns an application's audit trail, oldest first.
func (db *DB) AuditTrail(ctx context.Context, tenantID, applicationID string) ([]AuditEntry, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT COALESCE(application_id,''), actor, action, detail, at, COALESCE(stage_before,''), COALESCE(stage_after,'')
		FROM audit_log WHERE tenant_id=$1 AND application_id=$2 ORDER BY id`, tenantID, applicationID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		if err := rows.Scan(&a.ApplicationID, &a.Actor, &a.Action, &a.Detail, &a.At, &a.StageBefore, &a.StageAfter); err != nil {
			return nil, err
		}
		a.TenantID = tenantID
		out = append(out, a)
	}
	return out, rows.Err()
}
