package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A cohort import (services/cohort) registers many settings and their people in ONE
// transaction: every row is checked against the database inside it (the checks a file alone
// cannot make), and if any row has a problem nothing is written. Each registration writes its
// journey's start input in the journey_starts outbox (registerTx), so once the import commits
// every journey starts, by the importer or by the sweeper, idempotently.

// CohortRow is one checked row of a cohort file.
type CohortRow struct {
	Line             int
	SettingReference string
	SettingName      string
	Track            string
	Variant          string
	ApplicantName    string
	ApplicantEmail   string
	SupporterName    string // "" with no supporter
	SupporterEmail   string
}

// CohortProblem is a problem of one row found in the database.
type CohortProblem struct {
	Line    int
	Column  string
	Message string
}

// CohortCreated is what one row created (or would, in a dry run).
type CohortCreated struct {
	Line             int
	SettingReference string
	ApplicationID    string
	ApplicantID      string
	ApplicantInvited bool // a new person
	SupporterID      string
	SupporterInvited bool
}

// CohortImport is an import to check and, unless DryRun, write.
type CohortImport struct {
	TenantID string
	Actor    string // the admin importing
	Rows     []CohortRow
	DryRun   bool // check and plan, then roll everything back
	// Registration returns the registration of a row once its people's ids and the
	// application's id are known (framework, stage and the journey's start input).
	Registration func(row CohortRow, applicationID, applicantID, supporterID string) (Registration, error)
}

// CohortOutcome is an import's result: Problems (and nothing written), or Created.
type CohortOutcome struct {
	Problems []CohortProblem
	Created  []CohortCreated
}

var errCohortRollback = errors.New("cohort import: rolled back")

// ImportCohort checks every row against the database and, when none has a problem and this is
// no dry run, writes every row's people and registration in one transaction, audited.
func (db *DB) ImportCohort(ctx context.Context, imp CohortImport) (CohortOutcome, error) {
	var out CohortOutcome
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// Lock out a second import of the tenant running at once: each checks what the other
		// is about to write.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('cohort-import:' || $1))`, imp.TenantID); err != nil {
			return err
		}
		for _, row := range imp.Rows {
			problems, err := checkCohortRow(ctx, tx, imp.TenantID, row)
			if err != nil {
				return err
			}
			out.Problems = append(out.Problems, problems...)
		}
		if len(out.Problems) > 0 {
			return errCohortRollback
		}
		for _, row := range imp.Rows {
			created, problem, err := db.importCohortRow(ctx, tx, imp, row)
			if err != nil {
				return err
			}
			if problem != nil { // a registration raced the checks: refuse the whole file
				out.Problems, out.Created = []CohortProblem{*problem}, nil
				return errCohortRollback
			}
			out.Created = append(out.Created, created)
		}
		if imp.DryRun {
			return errCohortRollback
		}
		return insertAudit(ctx, tx, AuditEntry{TenantID: imp.TenantID, Actor: imp.Actor, Action: "cohort_imported", At: time.Now(),
			Detail: map[string]any{"rows": len(out.Created)}})
	})
	if errors.Is(err, errCohortRollback) {
		err = nil
	}
	if err != nil {
		return CohortOutcome{}, err
	}
	return out, nil
}

// checkCohortRow checks a row's people and setting against the tenant's data.
func checkCohortRow(ctx context.Context, tx pgx.Tx, tenantID string, row CohortRow) ([]CohortProblem, error) {
	var problems []CohortProblem
	bad := func(col, msg string) {
		problems = append(problems, CohortProblem{Line: row.Line, Column: col, Message: msg})
	}
	for _, who := range []struct{ col, email string }{{"applicant_email", row.ApplicantEmail}, {"supporter_email", row.SupporterEmail}} {
		if who.email == "" {
			continue
		}
		var roles []string
		var active bool
		err := tx.QueryRow(ctx, `SELECT roles, active FROM people WHERE tenant_id=$1 AND email=lower($2)`, tenantID, who.email).Scan(&roles, &active)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var staff []string
		for _, r := range roles {
			if slices.Contains(StaffRoles, r) {
				staff = append(staff, r)
			}
		}
		switch {
		case len(staff) > 0:
			slices.Sort(staff)
			bad(who.col, fmt.Sprintf("this address belongs to a member of staff (%s); applicants and supporters need their own address", strings.Join(staff, ", ")))
		case !active:
			bad(who.col, "this person is deactivated; reactivate them first, or give another address")
		}
	}
	var track, variant, settingID string
	err := tx.QueryRow(ctx, `SELECT id, track, variant FROM settings WHERE tenant_id=$1 AND reference=$2`, tenantID, row.SettingReference).
		Scan(&settingID, &track, &variant)
	if errors.Is(err, pgx.ErrNoRows) {
		return problems, nil
	}
	if err != nil {
		return nil, err
	}
	if track != row.Track || variant != row.Variant {
		bad("variant", fmt.Sprintf("this setting is registered as %s/%s", track, variant))
	}
	var existing string
	err = tx.QueryRow(ctx, `SELECT id FROM applications WHERE setting_id=$1 AND active`, settingID).Scan(&existing)
	switch {
	case err == nil:
		bad("setting_reference", fmt.Sprintf("this setting already has an active application (%s)", existing))
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, err
	}
	return problems, nil
}

// importCohortRow writes one checked row: its people (invited when new), then its registration.
func (db *DB) importCohortRow(ctx context.Context, tx pgx.Tx, imp CohortImport, row CohortRow) (CohortCreated, *CohortProblem, error) {
	c := CohortCreated{Line: row.Line, SettingReference: row.SettingReference, ApplicationID: NewID("app")}
	var err error
	c.ApplicantID, c.ApplicantInvited, err = ensureCohortPerson(ctx, tx, imp, row.ApplicantName, row.ApplicantEmail, RoleApplicant)
	if err != nil {
		return c, nil, err
	}
	if row.SupporterEmail != "" {
		c.SupporterID, c.SupporterInvited, err = ensureCohortPerson(ctx, tx, imp, row.SupporterName, row.SupporterEmail, RoleSupporter)
		if err != nil {
			return c, nil, err
		}
	}
	reg, err := imp.Registration(row, c.ApplicationID, c.ApplicantID, c.SupporterID)
	if err != nil {
		return c, nil, err
	}
	err = db.registerTx(ctx, tx, reg, true)
	var (
		dup     *DuplicateError
		variant *SettingVariantError
	)
	switch {
	case errors.As(err, &dup):
		return c, &CohortProblem{Line: row.Line, Column: "setting_reference", Message: dup.Error()}, nil
	case errors.As(err, &variant):
		return c, &CohortProblem{Line: row.Line, Column: "variant", Message: variant.Error()}, nil
	}
	return c, nil, err
}

// ensureCohortPerson returns the person of the address, given role if they lack it (audited),
// or creates them (audited as invited). Staff were refused by the checks.
func ensureCohortPerson(ctx context.Context, tx pgx.Tx, imp CohortImport, name, email, role string) (string, bool, error) {
	var id string
	var roles []string
	err := tx.QueryRow(ctx, `SELECT id, roles FROM people WHERE tenant_id=$1 AND email=lower($2) FOR UPDATE`, imp.TenantID, email).Scan(&id, &roles)
	if errors.Is(err, pgx.ErrNoRows) {
		p := Person{ID: NewID("p"), TenantID: imp.TenantID, Name: name, Email: email, Roles: []string{role}}
		if err := invitePersonTx(ctx, tx, &p, imp.Actor, "person_invited"); err != nil {
			return "", false, err
		}
		return p.ID, true, nil
	}
	if err != nil || slices.Contains(roles, role) {
		return id, false, err
	}
	after := append(slices.Clone(roles), role)
	slices.Sort(after)
	if _, err := tx.Exec(ctx, `UPDATE people SET roles=$3, access_version = access_version + 1, access_changed_at = now() WHERE tenant_id=$1 AND id=$2`,
		imp.TenantID, id, after); err != nil {
		return "", false, err
	}
	return id, false, insertAudit(ctx, tx, AuditEntry{TenantID: imp.TenantID, Actor: imp.Actor, Action: "roles_changed", At: time.Now(),
		Detail: map[string]any{"person": id, "before": map[string]any{"roles": roles}, "after": map[string]any{"roles": after}}})
}
