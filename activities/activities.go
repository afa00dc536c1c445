// Package activities holds the side effects of award journeys: writing the PostgreSQL
// projection and audit trail, checking objects in storage, and sending email. Every activity
// is idempotent (each takes a key for its step), so Temporal may retry it freely.
package activities

import (
	"go.temporal.io/sdk/client"

	"awardengine/email"
	"awardengine/payloadcrypt"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
)

// Activities carries the dependencies of the activities. Register a *Activities with a worker.
type Activities struct {
	DB        *postgres.DB
	Objects   *objects.Store
	Mail      *email.Sender
	PublicURL string        // base URL of the web/API, for links in emails
	Temporal  client.Client // starts the daily digest workflows
	// OfferLinkKey signs the one-click links of offer emails (offerlink.go; OFFER_LINK_KEY).
	// Nil: offer emails link to the application's page.
	OfferLinkKey []byte
	// PayloadKeys encrypt the journeys' Temporal payloads; EraseApplication destroys an
	// application's key (retention.go). Nil: the key is destroyed in the database only.
	PayloadKeys *payloadcrypt.Keys
}
