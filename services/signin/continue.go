package signin

import (
	"context"
	"errors"
	"strings"

	"awardengine/storage/postgres"
)

// LinkInfo is what the Continue page needs to know about a link before it is used.
type LinkInfo struct {
	Purpose string
}

// CheckLink says whether a link's token can still be used, without using it: the Continue
// page's GET, which mail scanners open too.
func (s *Service) CheckLink(ctx context.Context, token string) (LinkInfo, error) {
	if !plausibleToken(token) {
		return LinkInfo{}, ErrLinkUnknown
	}
	l, err := s.DB.PeekSignInLink(ctx, hashOf(token))
	if err != nil {
		return LinkInfo{}, linkError(err)
	}
	return LinkInfo{Purpose: l.Purpose}, nil
}

// SignedIn is the outcome of using a link.
type SignedIn struct {
	Purpose            string
	PersonID           string
	TenantID           string
	Name               string
	AccessVersion      int64
	SessionsGeneration int64
	// Code is, for a CLI link, the one-time code to paste into `starter login` (no session
	// is started then).
	Code string
}

// UseLink uses a link's token, once. For a browser link the caller starts a session for the
// person; for a CLI link it shows Code. A deactivated person is refused even with a good link.
func (s *Service) UseLink(ctx context.Context, token string) (SignedIn, error) {
	if !plausibleToken(token) {
		return SignedIn{}, ErrLinkUnknown
	}
	// The code is made before we know the purpose; only a CLI link stores (the hash of) it.
	code := newCode()
	var codeHashOrNil []byte
	info, err := s.DB.PeekSignInLink(ctx, hashOf(token))
	if err != nil {
		return SignedIn{}, linkError(err)
	}
	if info.Purpose == PurposeCLI {
		codeHashOrNil = codeHash(code)
	}
	l, err := s.DB.UseSignInLink(ctx, hashOf(token), codeHashOrNil)
	if err != nil {
		return SignedIn{}, linkError(err)
	}
	p, acct, err := s.DB.SessionPerson(ctx, l.TenantID, l.PersonID)
	if err != nil {
		return SignedIn{}, err
	}
	if !acct.Active {
		return SignedIn{}, ErrDeactivated
	}
	out := SignedIn{Purpose: l.Purpose, PersonID: p.ID, TenantID: p.TenantID, Name: p.Name,
		AccessVersion: acct.AccessVersion, SessionsGeneration: acct.SessionsGeneration}
	if l.Purpose == PurposeCLI {
		out.Code = code
	}
	return out, nil
}

// plausibleToken refuses at once what no link of ours contains (base64url of 32 bytes).
func plausibleToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	return strings.IndexFunc(token, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) < 0
}

func linkError(err error) error {
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		return ErrLinkUnknown
	case errors.Is(err, postgres.ErrLinkUsed):
		return ErrLinkUsed
	case errors.Is(err, postgres.ErrLinkExpired):
		return ErrLinkExpired
	}
	return err
}
