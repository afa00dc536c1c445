package structs

// The people of an authority, as its admins manage them (services/people).

// InviteRequest is the body of POST /v1/people: an admin invites a person, who gets an email
// with a sign-in link.
type InviteRequest struct {
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Roles []string `json:"roles"` // among applicant, supporter, assessor, moderator, admin
}

// RolesRequest is the body of PUT /v1/people/{id}/roles: the person's whole set of roles.
type RolesRequest struct {
	Roles []string `json:"roles"`
}

// PersonView is a person of the authority as admins see them.
type PersonView struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Roles  []string `json:"roles"`
	Active bool     `json:"active"`
	// Changed is false when the request asked for what was already so (a repeated request).
	Changed bool `json:"changed"`
	// Invitation says what happened to the invitation email: "sent" (queued for sending) or
	// "not-sent" with InvitationProblem saying why (the person exists; they can ask for a
	// sign-in link themselves). Empty when no invitation was due.
	Invitation        string `json:"invitation,omitempty"`
	InvitationProblem string `json:"invitation_problem,omitempty"`
}

// PeopleList is the answer of GET /v1/people.
type PeopleList struct {
	People []PersonView `json:"people"`
}

// PeopleQuery filters GET /v1/people.
type PeopleQuery struct {
	Query  string // q: part of the name or email
	Role   string // role: only people holding it
	Active *bool  // active: true or false (nil = both)
}
