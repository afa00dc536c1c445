package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"awardengine/award"
	"awardengine/structs"
)

// The assessor roster of a tenant is everyone holding the assessor or moderator role; the
// assessors table keeps their qualifications, capacity and load, and a person with the role but
// no row yet is on the roster with the defaults (no tracks, capacity 3, active).

// AssessorProfile is structs.AssessorProfile: the wire type is declared once, in structs.
type AssessorProfile = structs.AssessorProfile

// Conflict is structs.RosterConflict: the wire type is declared once, in structs.
type Conflict = structs.RosterConflict

// Reservation offers an application to a person. ID is the caller's idempotency key.
type Reservation struct {
	ID, TenantID, ApplicationID, SettingID, PersonID, Role string
}

// Assignment is structs.Assignment: the wire type is declared once, in structs.
type Assignment = structs.Assignment

// Assignment states.
const (
	AssignmentOffered   = "offered"
	AssignmentAccepted  = "accepted"
	AssignmentDeclined  = "declined"
	AssignmentExpired   = "expired"
	AssignmentCompleted = "completed"
	AssignmentReleased  = "released"
)

// Refusals of Reserve and SetAssignment.
var (
	ErrAtCapacity    = errors.New("the assessor is at capacity")
	ErrInactive      = errors.New("the person is not active on the roster")
	ErrBadTransition = errors.New("assignment state change not allowed")
	// ErrOwnApplication: the applicant and the setting's supporter never hold an application
	// (award.Parties); the database refuses it too, whatever the caller checked before.
	ErrOwnApplication = errors.New("the applicant and the supporter of an application may not assess or moderate it")
)

var transitions = map[string][]string{
	AssignmentOffered:  {AssignmentAccepted, AssignmentDeclined, AssignmentExpired, AssignmentReleased},
	AssignmentAccepted: {AssignmentCompleted, AssignmentReleased},
}

// DefaultAssessorProfile is the profile of a person newly on the roster: a starting point for
// UpsertAssessor, which stores every field as given (a Capacity of 0 means no new work).
func DefaultAssessorProfile(personID string) AssessorProfile {
	return AssessorProfile{PersonID: personID, Capacity: award.DefaultAssessorCapacity, Active: true}
}

// UpsertAssessor sets a roster person's tracks, specialisms, capacity and active flag, exactly
// as given, and returns the stored profile. The person must be of the tenant (else ErrNotFound)
// and hold the assessor or moderator role; bad values are an *award.InputError naming the field.
func (db *DB) UpsertAssessor(ctx context.Context, tenantID string, p AssessorProfile) (AssessorProfile, error) {
	tracks, specialisms, err := checkProfile(p)
	if err != nil {
		return p, err
	}
	if err := db.checkRosterPerson(ctx, tenantID, p.PersonID); err != nil {
		return p, err
	}
	_, err = db.pool.Exec(ctx, `
		INSERT INTO assessors (person_id, tenant_id, tracks, specialisms, capacity, active) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (person_id) DO UPDATE SET tracks=$3, specialisms=$4, capacity=$5, active=$6, updated_at=now()
		WHERE assessors.tenant_id=$2`,
		p.PersonID, tenantID, tracks, specialisms, p.Capacity, p.Active)
	if err != nil {
		return p, err
	}
	return db.Assessor(ctx, tenantID, p.PersonID)
}

// checkProfile validates and normalises tracks and specialisms (sorted, without repeats).
func checkProfile(p AssessorProfile) (tracks, specialisms []string, err error) {
	if p.Capacity < 0 {
		return nil, nil, &award.InputError{Field: "capacity", Message: fmt.Sprintf("capacity %d is negative; 0 means no new work", p.Capacity)}
	}
	for _, t := range p.Tracks {
		pt, err := award.ParseTrack(string(t))
		if err != nil {
			return nil, nil, &award.InputError{Field: "tracks", Message: err.Error()}
		}
		tracks = append(tracks, string(pt))
	}
	for _, s := range p.Specialisms {
		n := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(string(s))))
		if n != string(award.EarlyYears) && n != string(award.Residential) {
			return nil, nil, &award.InputError{Field: "specialisms",
				Message: fmt.Sprintf("unknown specialism %q; valid specialisms: %s, %s", s, award.EarlyYears, award.Residential)}
		}
		specialisms = append(specialisms, n)
	}
	slices.Sort(tracks)
	slices.Sort(specialisms)
	return nonNil(slices.Compact(tracks)), nonNil(slices.Compact(specialisms)), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkRosterPerson says ErrNotFound for a person outside the tenant, and an input error for
// one without the assessor or moderator role.
func (db *DB) checkRosterPerson(ctx context.Context, tenantID, personID string) error {
	person, err := db.Person(ctx, tenantID, personID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("no person %s: %w", personID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !person.Has(RoleAssessor) && !person.Has(RoleModerator) {
		return &award.InputError{Field: "person", Message: fmt.Sprintf("%s (%s) holds neither the assessor nor the moderator role", person.Name, personID)}
	}
	return nil
}

// Roster lists a tenant's assessors and moderators by name, with their open assessments and
// declared conflicts.
func (db *DB) Roster(ctx context.Context, tenantID string) ([]AssessorProfile, error) {
	return db.roster(ctx, tenantID, "")
}

// Assessor returns one roster person, or ErrNotFound (also for a person without the roles).
func (db *DB) Assessor(ctx context.Context, tenantID, personID string) (AssessorProfile, error) {
	out, err := db.roster(ctx, tenantID, personID)
	if err != nil {
		return AssessorProfile{}, err
	}
	if len(out) == 0 {
		return AssessorProfile{}, fmt.Errorf("%s is not on the roster: %w", personID, ErrNotFound)
	}
	return out[0], nil
}

func (db *DB) roster(ctx context.Context, tenantID, personID string) ([]AssessorProfile, error) {
	rows, err := db.rosterRows(ctx, tenantID, personID, []string{RoleAssessor, RoleModerator}, RoleAssessor, "")
	if err != nil {
		return nil, err
	}
	conflicts, err := db.conflicts(ctx, tenantID, personID)
	if err != nil {
		return nil, err
	}
	out := make([]AssessorProfile, len(rows))
	for i, r := range rows {
		out[i] = r.AssessorProfile
		out[i].Conflicts = conflicts[r.PersonID]
		if out[i].Conflicts == nil {
			out[i].Conflicts = []Conflict{}
		}
	}
	return out, nil
}

type rosterRow struct {
	AssessorProfile
	conflict string // the reason for the setting asked about
}

// rosterRows reads the roster people of a tenant holding any of roles (one person if personID
// is set), counting their open assignments in openRole and the conflict with settingID.
func (db *DB) rosterRows(ctx context.Context, tenantID, personID string, roles []string, openRole, settingID string) ([]rosterRow, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT p.id, p.name, p.email, p.roles, COALESCE(a.tracks, '{}'), COALESCE(a.specialisms, '{}'),
		       COALESCE(a.capacity, $4), COALESCE(a.active, true), a.last_allocated_at,
		       (SELECT count(*) FROM assignments x
		        WHERE x.person_id = p.id AND x.role = $5 AND x.state IN ('offered', 'accepted')),
		       COALESCE((SELECT c.reason FROM assessor_conflicts c WHERE c.person_id = p.id AND c.setting_id = $6), '')
		FROM people p LEFT JOIN assessors a ON a.person_id = p.id
		WHERE p.tenant_id = $1 AND ($2 = '' OR p.id = $2) AND p.roles && $3::text[]
		ORDER BY p.name, p.id`,
		tenantID, personID, roles, award.DefaultAssessorCapacity, openRole, settingID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (rosterRow, error) {
		var r rosterRow
		var tracks, specialisms []string
		err := row.Scan(&r.PersonID, &r.Name, &r.Email, &r.Roles, &tracks, &specialisms,
			&r.Capacity, &r.Active, &r.LastAllocatedAt, &r.Open, &r.conflict)
		r.Tracks = make([]award.Track, len(tracks))
		for i, t := range tracks {
			r.Tracks[i] = award.Track(t)
		}
		r.Specialisms = make([]award.Specialism, len(specialisms))
		for i, s := range specialisms {
			r.Specialisms[i] = award.Specialism(s)
		}
		return r, err
	})
}

func (db *DB) conflicts(ctx context.Context, tenantID, personID string) (map[string][]Conflict, error) {
	rows, err := db.pool.Query(ctx, `
		SELECT c.person_id, s.id, s.reference, s.name, c.reason
		FROM assessor_conflicts c JOIN settings s ON s.id = c.setting_id
		WHERE c.tenant_id = $1 AND ($2 = '' OR c.person_id = $2) ORDER BY s.reference`, tenantID, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Conflict{}
	for rows.Next() {
		var person string
		var c Conflict
		if err := rows.Scan(&person, &c.SettingID, &c.SettingReference, &c.SettingName, &c.Reason); err != nil {
			return nil, err
		}
		out[person] = append(out[person], c)
	}
	return out, rows.Err()
}

// SettingID resolves a setting of the tenant by its id or its reference (URN), or ErrNotFound.
func (db *DB) SettingID(ctx context.Context, tenantID, idOrReference string) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `
		SELECT id FROM settings WHERE tenant_id = $1 AND (id = $2 OR reference = $2)
		ORDER BY id = $2 DESC LIMIT 1`, tenantID, idOrReference).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("no setting %s: %w", idOrReference, ErrNotFound)
	}
	return id, err
}

// AddConflict declares (or re-words) a roster person's conflict with a setting of the tenant.
func (db *DB) AddConflict(ctx context.Context, tenantID, personID, settingID, reason string) error {
	if reason = strings.TrimSpace(reason); reason == "" {
		return &award.InputError{Field: "reason", Message: "say why the conflict exists (e.g. a relative works there)"}
	}
	if err := db.checkRosterPerson(ctx, tenantID, personID); err != nil {
		return err
	}
	tag, err := db.pool.Exec(ctx, `
		INSERT INTO assessor_conflicts (tenant_id, person_id, setting_id, reason)
		SELECT tenant_id, $2, id, $4 FROM settings WHERE tenant_id = $1 AND id = $3
		ON CONFLICT (person_id, setting_id) DO UPDATE SET reason = EXCLUDED.reason`,
		tenantID, personID, settingID, reason)
	if err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("no setting %s: %w", settingID, ErrNotFound)
	}
	return err
}

// RemoveConflict withdraws a declared conflict, or says ErrNotFound if there is none.
func (db *DB) RemoveConflict(ctx context.Context, tenantID, personID, settingID string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM assessor_conflicts WHERE tenant_id = $1 AND person_id = $2 AND setting_id = $3`,
		tenantID, personID, settingID)
	if err == nil && tag.RowsAffected() == 0 {
		return fmt.Errorf("%s has no declared conflict with setting %s: %w", personID, settingID, ErrNotFound)
	}
	return err
}

// Candidates is the roster as allocation sees it for one setting: every person with the
// assessor role, inactive ones included (allocation records why they were passed over).
func (db *DB) Candidates(ctx context.Context, tenantID, settingID string) ([]award.Candidate, error) {
	rows, err := db.rosterRows(ctx, tenantID, "", []string{RoleAssessor}, RoleAssessor, settingID)
	return candidates(rows, false), err
}

// Moderators lists the active people with the moderator role; Open counts open moderations.
func (db *DB) Moderators(ctx context.Context, tenantID string) ([]award.Candidate, error) {
	rows, err := db.rosterRows(ctx, tenantID, "", []string{RoleModerator}, RoleModerator, "")
	return candidates(rows, true), err
}

// ModeratorCandidates is the roster as the choice of a moderator sees it for one setting:
// every person with the moderator role, inactive ones included and with their declared
// conflict with the setting, so that the choice records why each was passed over.
func (db *DB) ModeratorCandidates(ctx context.Context, tenantID, settingID string) ([]award.Candidate, error) {
	rows, err := db.rosterRows(ctx, tenantID, "", []string{RoleModerator}, RoleModerator, settingID)
	return candidates(rows, false), err
}

func candidates(rows []rosterRow, activeOnly bool) []award.Candidate {
	out := []award.Candidate{}
	for _, r := range rows {
		if activeOnly && !r.Active {
			continue
		}
		c := award.Candidate{PersonID: r.PersonID, Name: r.Name, Active: r.Active, Tracks: r.Tracks,
			Specialisms: r.Specialisms, Capacity: r.Capacity, Open: r.Open, Conflict: r.conflict}
		if r.LastAllocatedAt != nil {
			c.LastAllocatedAt = *r.LastAllocatedAt
		}
		out = append(out, c)
	}
	return out
}

// PreviousAssessor is who completed the latest assessment of the setting on another
// application ("" if nobody), so that allocation can pass them over.
func (db *DB) PreviousAssessor(ctx context.Context, tenantID, settingID, currentApplicationID string) (string, error) {
	var person string
	err := db.pool.QueryRow(ctx, `
		SELECT person_id FROM assignments
		WHERE tenant_id = $1 AND setting_id = $2 AND application_id <> $3 AND role = 'assessor' AND state = 'completed'
		ORDER BY closed_at DESC LIMIT 1`, tenantID, settingID, currentApplicationID).Scan(&person)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return person, err
}

// CompletedAssessments counts a person's completed assessments (moderation is required for the
// first few).
func (db *DB) CompletedAssessments(ctx context.Context, tenantID, personID string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `
		SELECT count(*) FROM assignments WHERE tenant_id = $1 AND person_id = $2 AND role = 'assessor' AND state = 'completed'`,
		tenantID, personID).Scan(&n)
	return n, err
}

// Reserve offers an application to a person. The person's roster row is locked for the whole
// transaction, so concurrent reservations for one assessor are counted one after another and
// capacity holds however many allocations run at once; their people row is locked too, so
// that a role removed at the same moment (RevokeRole) is seen. A reservation whose ID exists
// already succeeds without change (activities retry). The application's applicant and its
// setting's supporter get ErrOwnApplication; assessors at capacity ErrAtCapacity; inactive
// people ErrInactive; moderators are not capacity-limited.
func (db *DB) Reserve(ctx context.Context, r Reservation) error {
	if r.Role != RoleAssessor && r.Role != RoleModerator {
		return fmt.Errorf("reservation %s: role %q is neither assessor nor moderator", r.ID, r.Role)
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		// A person on the roster by role alone gets their row (with the defaults) to lock.
		if _, err := tx.Exec(ctx, `
			INSERT INTO assessors (person_id, tenant_id) SELECT id, tenant_id FROM people
			WHERE tenant_id = $1 AND id = $2 AND $3 = ANY(roles) ON CONFLICT (person_id) DO NOTHING`,
			r.TenantID, r.PersonID, r.Role); err != nil {
			return err
		}
		var capacity int
		var active bool
		err := tx.QueryRow(ctx, `
			SELECT a.capacity, a.active FROM assessors a JOIN people p ON p.id = a.person_id
			WHERE a.tenant_id = $1 AND a.person_id = $2 AND $3 = ANY(p.roles) FOR UPDATE OF a, p`,
			r.TenantID, r.PersonID, r.Role).Scan(&capacity, &active)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no %s %s: %w", r.Role, r.PersonID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var person, application string
		err = tx.QueryRow(ctx, `SELECT person_id, application_id FROM assignments WHERE id = $1`, r.ID).Scan(&person, &application)
		switch {
		case err == nil && person == r.PersonID && application == r.ApplicationID:
			return nil
		case err == nil:
			return fmt.Errorf("reservation %s exists for %s on %s", r.ID, person, application)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var parties award.Parties
		err = tx.QueryRow(ctx, `
			SELECT a.applicant_id, COALESCE(s.supporter_id, '') FROM applications a JOIN settings s ON s.id = a.setting_id
			WHERE a.tenant_id = $1 AND a.id = $2`, r.TenantID, r.ApplicationID).Scan(&parties.Applicant, &parties.Supporter)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no application %s: %w", r.ApplicationID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if why := parties.Bar(r.PersonID); why != "" {
			return fmt.Errorf("%s %s: %w", r.PersonID, why, ErrOwnApplication)
		}
		if !active {
			return fmt.Errorf("%s: %w", r.PersonID, ErrInactive)
		}
		if r.Role == RoleAssessor {
			var open int
			if err := tx.QueryRow(ctx, `
				SELECT count(*) FROM assignments WHERE person_id = $1 AND role = 'assessor' AND state IN ('offered', 'accepted')`,
				r.PersonID).Scan(&open); err != nil {
				return err
			}
			if open >= capacity {
				return fmt.Errorf("%s holds %d open of %d: %w", r.PersonID, open, capacity, ErrAtCapacity)
			}
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO assignments (id, tenant_id, application_id, setting_id, person_id, role, state)
			SELECT $1, tenant_id, id, setting_id, $4, $5, 'offered' FROM applications
			WHERE tenant_id = $2 AND id = $3 AND ($6 = '' OR setting_id = $6)`,
			r.ID, r.TenantID, r.ApplicationID, r.PersonID, r.Role, r.SettingID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("no application %s of setting %q: %w", r.ApplicationID, r.SettingID, ErrNotFound)
		}
		if r.Role == RoleAssessor {
			_, err = tx.Exec(ctx, `UPDATE assessors SET last_allocated_at = now() WHERE person_id = $1`, r.PersonID)
		}
		return err
	})
}

// SetAssignment moves an assignment to state (offered → accepted, declined, expired or released;
// accepted → completed or released), keeping reason when given. Asking for the state it is
// already in changes nothing, so retried activities are harmless; other moves are
// ErrBadTransition.
func (db *DB) SetAssignment(ctx context.Context, tenantID, id, state, reason string) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		var current string
		err := tx.QueryRow(ctx, `SELECT state FROM assignments WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id).Scan(&current)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("no assignment %s: %w", id, ErrNotFound)
		}
		if err != nil || current == state {
			return err
		}
		if !slices.Contains(transitions[current], state) {
			return fmt.Errorf("assignment %s is %s, cannot become %q: %w", id, current, state, ErrBadTransition)
		}
		_, err = tx.Exec(ctx, `
			UPDATE assignments SET state = $2, reason = CASE WHEN $3 = '' THEN reason ELSE $3 END,
			       accepted_at = CASE WHEN $2 = 'accepted' THEN now() ELSE accepted_at END,
			       closed_at = CASE WHEN $2 = 'accepted' THEN closed_at ELSE now() END
			WHERE id = $1`, id, state, reason)
		return err
	})
}

const assignmentQuery = `
	SELECT x.id, x.application_id, x.setting_id, s.reference, s.name, x.person_id, p.name, x.role, x.state, x.reason,
	       x.offered_at, x.accepted_at, x.closed_at
	FROM assignments x JOIN settings s ON s.id = x.setting_id JOIN people p ON p.id = x.person_id
	WHERE x.tenant_id = $1 `

// Assignments lists a person's open assignments and those closed in the last 90 days, newest
// first (the assessor's inbox).
func (db *DB) Assignments(ctx context.Context, tenantID, personID string) ([]Assignment, error) {
	return db.assignments(ctx, assignmentQuery+`AND x.person_id = $2
		AND (x.state IN ('offered', 'accepted') OR x.closed_at > now() - interval '90 days')
		ORDER BY x.offered_at DESC, x.id LIMIT 500`, tenantID, personID)
}

// ApplicationAssignments lists every offer made for an application, oldest first (for admins).
func (db *DB) ApplicationAssignments(ctx context.Context, tenantID, applicationID string) ([]Assignment, error) {
	return db.assignments(ctx, assignmentQuery+`AND x.application_id = $2 ORDER BY x.offered_at, x.id`, tenantID, applicationID)
}

func (db *DB) assignments(ctx context.Context, query string, args ...any) ([]Assignment, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Assignment, error) {
		var a Assignment
		err := row.Scan(&a.ID, &a.ApplicationID, &a.SettingID, &a.SettingReference, &a.SettingName, &a.PersonID, &a.PersonName,
			&a.Role, &a.State, &a.Reason, &a.OfferedAt, &a.AcceptedAt, &a.ClosedAt)
		return a, err
	})
}
