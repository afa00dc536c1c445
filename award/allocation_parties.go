package award

// Parties are the people an application belongs to or speaks for. Neither may ever hold it,
// as assessor or as moderator (SPEC §3: nobody assesses their own portfolio): the rule is
// absolute, so admins allocating by hand cannot override it either, unlike load or a
// previous cycle.
type Parties struct {
	Applicant string // the person whose application it is
	Supporter string // the person who supports the setting ("" = none)
}

// The reasons of the parties' bar, as the allocation report shows them.
const (
	ReasonApplicant = "is the applicant of this application"
	ReasonSupporter = "supports this setting"
)

// Bar says why person may never hold the application ("" = nothing bars them). A person who
// is both applicant and supporter is named as the applicant.
func (p Parties) Bar(person string) string {
	switch {
	case person == "":
		return ""
	case person == p.Applicant:
		return ReasonApplicant
	case person == p.Supporter:
		return ReasonSupporter
	}
	return ""
}
