package applications

import (
	"context"

	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
)

// A supporter (the setting's designated contact: a supervising social worker, a school's
// governor) follows the applications of the settings they are linked to, read-only, and
// receives copies of some of their emails (welcome, first-year reminders, the award,
// reassessment reminders).

// Supporting is the applications of the settings the person supports, newest first: empty
// for anyone who does not hold the supporter role (an admin sees only the ones they support
// themselves here; List shows them all).
func (s *Service) Supporting(ctx context.Context, me award.Person) ([]postgres.Application, error) {
	if me.ID == "" || !me.Has(award.RoleSupporter) {
		return []postgres.Application{}, nil
	}
	apps, err := s.DB.Applications(ctx, postgres.ApplicationFilter{TenantID: me.TenantID, SupporterID: me.ID})
	if err != nil {
		return nil, Unchanged(err)
	}
	if apps == nil {
		apps = []postgres.Application{}
	}
	return apps, nil
}

// Supported is one application as its supporter follows it: the listing's summary (stage,
// next step, due date) and the emails of this application sent to them, oldest first.
type Supported struct {
	Application postgres.Application
	Copies      []structs.SentEmail
}

// SupporterCopies is the application with the copies of its emails its supporter received.
// Only the application's supporter has copies: anyone else who may read the application
// (its applicant, an admin, the assessor) is refused (403), and anyone who may not read it
// finds nothing (404).
func (s *Service) SupporterCopies(ctx context.Context, me award.Person, id string) (Supported, error) {
	app, err := s.Application(ctx, me, id, CanRead)
	if err != nil {
		return Supported{}, err
	}
	if me.ID == "" || app.SupporterID != me.ID {
		return Supported{}, structs.Forbidden("only the supporter of this application receives copies of its emails")
	}
	copies, err := s.DB.EmailsTo(ctx, me.TenantID, app.ID, me.ID)
	if err != nil {
		return Supported{}, Unchanged(err)
	}
	if copies == nil {
		copies = []structs.SentEmail{}
	}
	return Supported{Application: app, Copies: copies}, nil
}
