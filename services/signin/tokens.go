package signin

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"awardengine/award"
	"awardengine/storage/postgres"
)

// NewToken is a token just made: the secret is shown this once.
type NewToken struct {
	Token string `json:"token"`
	postgres.APIToken
}

// tokenPrefix marks the product's API tokens (as the demo tokens' awt_).
const tokenPrefix = "awt_"

// CreateToken makes an API token for the signed-in person. label names it (required, one line,
// at most 100 characters); expiresInDays 0 takes the default (90 days), at most MaxTokenTTL.
func (s *Service) CreateToken(ctx context.Context, me postgres.Person, label string, expiresInDays int) (NewToken, error) {
	label = strings.TrimSpace(label)
	switch {
	case label == "":
		return NewToken{}, invalid("label", "is required: say where the token is used, e.g. \"reports script\"")
	case utf8.RuneCountInString(label) > 100:
		return NewToken{}, invalid("label", "must be at most 100 characters")
	case award.CheckText("label", label, award.SingleLine) != nil:
		return NewToken{}, invalid("label", "must be one line of text without control characters")
	case expiresInDays < 0:
		return NewToken{}, invalid("expires_in_days", "must be positive")
	case time.Duration(expiresInDays)*24*time.Hour > s.cfg.MaxTokenTTL:
		return NewToken{}, invalid("expires_in_days", "must be at most "+itoa(int(s.cfg.MaxTokenTTL/(24*time.Hour))))
	}
	ttl := s.cfg.TokenTTL
	if expiresInDays > 0 {
		ttl = time.Duration(expiresInDays) * 24 * time.Hour
	}
	return s.issue(ctx, me.TenantID, me.ID, label, ttl)
}

func (s *Service) issue(ctx context.Context, tenantID, personID, label string, ttl time.Duration) (NewToken, error) {
	secret, hash := newSecret(tokenPrefix)
	t, err := s.DB.CreateToken(ctx, tenantID, personID, label, hash, time.Now().Add(ttl).Truncate(time.Second))
	if err != nil {
		return NewToken{}, err
	}
	return NewToken{Token: secret, APIToken: t}, nil
}

// Tokens lists a person's tokens: one's own, or (admins) anyone's in the tenant.
func (s *Service) Tokens(ctx context.Context, me postgres.Person, personID string) ([]postgres.APIToken, error) {
	if personID != me.ID && !me.Has(postgres.RoleAdmin) {
		return nil, forbidden("only admins may list another person's tokens")
	}
	if personID != me.ID {
		if _, err := s.DB.SignInAccount(ctx, me.TenantID, personID); errors.Is(err, postgres.ErrNotFound) {
			return nil, notFound("no person " + personID)
		} else if err != nil {
			return nil, err
		}
	}
	list, err := s.DB.Tokens(ctx, me.TenantID, personID)
	if list == nil {
		list = []postgres.APIToken{}
	}
	return list, err
}

// RevokeOwnToken revokes one of the person's own tokens.
func (s *Service) RevokeOwnToken(ctx context.Context, me postgres.Person, id string) (postgres.APIToken, error) {
	t, err := s.DB.RevokeToken(ctx, me.TenantID, me.ID, id)
	if errors.Is(err, postgres.ErrNotFound) {
		return t, notFound("you have no token " + id)
	}
	return t, err
}

// RevokeAnyToken is an admin revoking a token of anyone in their tenant.
func (s *Service) RevokeAnyToken(ctx context.Context, me postgres.Person, id string) (postgres.APIToken, error) {
	if !me.Has(postgres.RoleAdmin) {
		return postgres.APIToken{}, forbidden("only admins may revoke another person's token")
	}
	t, err := s.DB.RevokeToken(ctx, me.TenantID, "", id)
	if errors.Is(err, postgres.ErrNotFound) {
		return t, notFound("no token " + id)
	}
	return t, err
}

// RevokePresentedToken revokes the token a request came with (`starter logout`).
func (s *Service) RevokePresentedToken(ctx context.Context, token string) error {
	err := s.DB.RevokeTokenByHash(ctx, hashOf(token))
	if errors.Is(err, postgres.ErrNotFound) {
		return ErrTokenInvalid
	}
	return err
}

// Authenticate returns the person a bearer token belongs to, or a 401 *Error saying why:
// unknown, revoked, expired, or the person is deactivated — at once, on every request.
func (s *Service) Authenticate(ctx context.Context, token string) (postgres.Person, error) {
	if token == "" || len(token) > 200 {
		return postgres.Person{}, ErrTokenInvalid
	}
	p, _, err := s.DB.AuthenticateToken(ctx, hashOf(token))
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		return p, ErrTokenInvalid
	case errors.Is(err, postgres.ErrTokenRevoked):
		return p, ErrTokenRevoked
	case errors.Is(err, postgres.ErrTokenExpired):
		return p, ErrTokenExpired
	case errors.Is(err, postgres.ErrPersonInactive):
		return p, ErrAccountDeactivated
	}
	return p, err
}

// CLIExchange is `starter login` trading the code the Continue page showed, with the nonce it
// sent when asking for the link, for a new API token labelled "starter login on <host>".
func (s *Service) CLIExchange(ctx context.Context, nonce, code, host string) (NewToken, error) {
	if nonce == "" || code == "" {
		return NewToken{}, ErrCodeRefused
	}
	want := codeHash(code)
	l, err := s.DB.UseSignInCode(ctx, hashOf("nonce:"+nonce), func(stored []byte) bool { return sameHash(stored, want) })
	if errors.Is(err, postgres.ErrNotFound) {
		return NewToken{}, ErrCodeRefused
	}
	if err != nil {
		return NewToken{}, err
	}
	acct, err := s.DB.SignInAccount(ctx, l.TenantID, l.PersonID)
	if err != nil {
		return NewToken{}, err
	}
	if !acct.Active {
		return NewToken{}, ErrDeactivated
	}
	host = strings.TrimSpace(host)
	if host == "" || award.CheckText("host", host, award.SingleLine) != nil || utf8.RuneCountInString(host) > 64 {
		host = "an unnamed computer"
	}
	return s.issue(ctx, l.TenantID, l.PersonID, "starter login on "+host, s.cfg.TokenTTL)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
