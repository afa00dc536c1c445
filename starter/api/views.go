package api

import (
	"time"

	"awardengine/storage/postgres"

	"awardengine/activities"
	"awardengine/workflows"
)

// applicationView is an application as the API shows it.
type applicationView struct {
	ID              string                   `json:"id"`
	TenantID        string                   `json:"tenant_id"`
	Setting         settingView              `json:"setting"`
	Track           string                   `json:"track"`
	Variant         string                   `json:"variant"`
	Framework       workflows.FrameworkRef   `json:"framework"`
	Stage           workflows.Stage          `json:"stage"`
	Next            workflows.NextStep       `json:"next"`
	RegisteredAt    time.Time                `json:"registered_at"`
	ToolkitOpenedAt *time.Time               `json:"toolkit_opened_at,omitempty"`
	Evidence        []evidenceView           `json:"evidence"`
	PortfolioBytes  int64                    `json:"portfolio_bytes"`
	Missing         map[string][]string      `json:"missing"`
	TargetLevel     string                   `json:"target_level,omitempty"`
	SubmittedAt     *time.Time               `json:"submitted_at,omitempty"`
	FirstYearDue    *time.Time               `json:"first_year_due,omitempty"`
	Flags           []string                 `json:"flags"`
	Assessment      *workflows.Assessment    `json:"assessment,omitempty"`
	PreviousAward   *workflows.PreviousAward `json:"previous_award,omitempty"`
	Lifecycle       *workflows.Lifecycle     `json:"lifecycle,omitempty"`
}

type settingView struct {
	Reference string `json:"reference"`
	Name      string `json:"name"`
}

type evidenceView struct {
	ID          string     `json:"id"`
	Filename    string     `json:"filename"`
	Size        int64      `json:"size"`
	ContentType string     `json:"content_type"`
	SHA256      string     `json:"sha256"`
	Standards   []string   `json:"standards"`
	Note        string     `json:"note,omitempty"`
	State       string     `json:"state"`
	Immutable   bool       `json:"immutable"`
	UploadedAt  time.Time  `json:"uploaded_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	CarriedFrom string     `json:"carried_from,omitempty"` // carried forward from this earlier application
}

func viewApplication(st workflows.Status) applicationView {
	ev := make([]evidenceView, 0, len(st.Evidence))
	for _, e := range st.Evidence {
		ev = append(ev, viewEvidence(e))
	}
	return applicationView{
		ID: st.ApplicationID, TenantID: st.TenantID, Setting: settingView{st.SettingReference, st.SettingName},
		Track: string(st.Track), Variant: string(st.Variant), Framework: st.Framework, Stage: st.Stage, Next: st.Next,
		RegisteredAt: st.RegisteredAt, ToolkitOpenedAt: st.ToolkitOpenedAt, Evidence: ev, PortfolioBytes: st.PortfolioBytes,
		Missing: st.Missing, TargetLevel: st.TargetLevel, SubmittedAt: st.SubmittedAt, FirstYearDue: st.FirstYearDue, Flags: st.Flags,
	}
}

func viewEvidence(e activities.Evidence) evidenceView {
	return evidenceView{ID: e.ID, Filename: e.Filename, Size: e.Size, ContentType: e.ContentType, SHA256: e.SHA256,
		Standards: e.Standards, Note: e.Note, State: e.State, Immutable: e.Immutable, UploadedAt: e.CreatedAt, ConfirmedAt: e.ConfirmedAt, CarriedFrom: e.CarriedFrom}
}

// viewFor is an application as one person may see it. Admins see everything, including the
// allocation's reasons; the assessor and moderator see the assessment but not who else was
// considered; the applicant and supporter see the assessment's outcome once it is decided.
func viewFor(st workflows.Status, me postgres.Person) applicationView {
	v := viewApplication(st)
	v.PreviousAward, v.Lifecycle = st.Previous, st.Lifecycle
	if st.Assessment == nil {
		return v
	}
	a := *st.Assessment
	if !me.Has(postgres.RoleAdmin) {
		a.Allocation, a.Excluded, a.PreferredID = nil, nil, ""
		if a.Moderation != nil {
			m := *a.Moderation
			m.Draw = 0
			a.Moderation = &m
		}
		holder := me.ID == a.AssessorID || (a.Moderation != nil && me.ID == a.Moderation.ModeratorID) ||
			(a.Offer != nil && me.ID == a.Offer.PersonID)
		if !holder && a.DecidedAt == nil {
			a.Ratings, a.Feedback, a.Recommended, a.Moderation = nil, "", 0, nil
		}
	}
	v.Assessment = &a
	return v
}
