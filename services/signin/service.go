package signin

import (
	"context"
	"time"

	"awardengine/email"
	"awardengine/storage/postgres"
)

// Mailer hands a message to the email provider (*email.Sender).
type Mailer interface {
	Send(ctx context.Context, m email.Message) (string, error)
}

// Config says how sign-in behaves; zero fields take the defaults (Defaults).
type Config struct {
	// PublicURL is the product's public base URL, which emailed links point at.
	PublicURL string
	// LinkTTL is how long a sign-in link works (15 minutes).
	LinkTTL time.Duration
	// AddressLimit requests per RateWindow for one address of a tenant, IPLimit for one IP.
	AddressLimit int
	IPLimit      int
	RateWindow   time.Duration
	// MinAnswer is the least time a sign-in request takes to answer, whatever happened, so its
	// timing does not say whether the address exists.
	MinAnswer time.Duration
	// TokenTTL is an API token's default lifetime; MaxTokenTTL the longest a person may ask for.
	TokenTTL    time.Duration
	MaxTokenTTL time.Duration
	// Logf reports failures to send (no personal data: ids only). Nil = silent.
	Logf func(format string, args ...any)
}

// Defaults are the settings of the issue: 15-minute links, 5 requests an address and 30 an IP
// per 15 minutes, answers padded to 400 ms, tokens for 90 days (at most a year).
func Defaults() Config {
	return Config{
		PublicURL: "http://127.0.0.1:8080", LinkTTL: 15 * time.Minute,
		AddressLimit: 5, IPLimit: 30, RateWindow: 15 * time.Minute, MinAnswer: 400 * time.Millisecond,
		TokenTTL: 90 * 24 * time.Hour, MaxTokenTTL: 365 * 24 * time.Hour,
	}
}

// Service is sign-in and credentials for one database and mail provider.
type Service struct {
	DB   *postgres.DB
	Mail Mailer // nil: links cannot be sent (SendLink fails; RequestLink logs and answers as usual)
	cfg  Config
}

// New returns a service; zero fields of cfg take their defaults.
func New(db *postgres.DB, mail Mailer, cfg Config) *Service {
	def := Defaults()
	if cfg.PublicURL == "" {
		cfg.PublicURL = def.PublicURL
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = def.LinkTTL
	}
	if cfg.AddressLimit == 0 {
		cfg.AddressLimit = def.AddressLimit
	}
	if cfg.IPLimit == 0 {
		cfg.IPLimit = def.IPLimit
	}
	if cfg.RateWindow == 0 {
		cfg.RateWindow = def.RateWindow
	}
	if cfg.MinAnswer == 0 {
		cfg.MinAnswer = def.MinAnswer
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = def.TokenTTL
	}
	if cfg.MaxTokenTTL == 0 {
		cfg.MaxTokenTTL = def.MaxTokenTTL
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Service{DB: db, Mail: mail, cfg: cfg}
}

// Config returns the service's settings (with defaults filled in).
func (s *Service) Config() Config { return s.cfg }
