package signin

import (
	"awardengine/award"

	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"awardengine/storage/postgres"
)

// LinkRequest is someone asking for a sign-in link.
type LinkRequest struct {
	Tenant string // the tenant's id, e.g. "northshire"
	Email  string
	IP     string // the client's address, for the per-IP limit
	// CLINonce, set by `starter login`, makes the link a CLI link: its Continue page shows a
	// code, which only works together with this nonce (43 characters, base64url of 32 bytes).
	CLINonce string
}

// RequestLink emails a sign-in link to the address if it belongs to an active person of the
// tenant. Its answer and its timing are the same whether or not it does: nil after at least
// MinAnswer, or a rate-limit refusal (counted the same way for every address). The email is
// sent after the answer, so a slow provider cannot be timed either.
func (s *Service) RequestLink(ctx context.Context, req LinkRequest) error {
	start := time.Now()
	defer func() { pad(ctx, start, s.cfg.MinAnswer) }()
	req.Email = strings.TrimSpace(req.Email)
	req.Tenant = strings.TrimSpace(req.Tenant)
	if err := checkRequest(req); err != nil {
		return err
	}
	if err := s.limit(ctx, "ip:"+req.IP, s.cfg.IPLimit); err != nil {
		return err
	}
	if err := s.limit(ctx, addressBucket(req.Tenant, req.Email), s.cfg.AddressLimit); err != nil {
		return err
	}
	s.maybeForget(ctx)
	acct, err := s.DB.SignInAccountByEmail(ctx, req.Tenant, req.Email)
	if errors.Is(err, postgres.ErrNotFound) || (err == nil && !acct.Active) {
		return nil
	}
	if err != nil {
		return err
	}
	purpose, nonceHash := PurposeSignIn, []byte(nil)
	if req.CLINonce != "" {
		purpose, nonceHash = PurposeCLI, hashOf("nonce:"+req.CLINonce)
	}
	// Sent after the answer (not bound to the request's context), so timing shows nothing.
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := s.sendLink(ctx, acct, purpose, nonceHash); err != nil {
			s.cfg.Logf("sign-in link for person %s of %s not sent: %v", acct.PersonID, acct.TenantID, err)
		}
	}()
	return nil
}

// checkRequest refuses what cannot be an address or a tenant, naming the field. These
// answers depend on the request only, never on what exists.
func checkRequest(req LinkRequest) error {
	// The HTML form does not pass through the API's JSON decoding, so the clean-text rule
	// (no control characters, valid UTF-8) is applied here, for both adapters.
	for _, f := range []struct{ name, value string }{{"tenant", req.Tenant}, {"email", req.Email}} {
		if err := award.CheckText(f.name, f.value, award.SingleLine); err != nil {
			return invalid(f.name, "must be one line of text without control characters")
		}
	}
	switch {
	case req.Tenant == "":
		return invalid("tenant", "is required")
	case len(req.Tenant) > 64:
		return invalid("tenant", "is not a tenant id")
	case req.Email == "":
		return invalid("email", "is required")
	case len(req.Email) > 254 || !strings.Contains(req.Email, "@") || strings.ContainsAny(req.Email, " \t\r\n<>,;"):
		return invalid("email", "is not an email address")
	case req.CLINonce != "" && (len(req.CLINonce) < 32 || len(req.CLINonce) > 128):
		return invalid("cli_nonce", "must be 32 to 128 characters (base64url of 32 random bytes)")
	}
	return nil
}

// addressBucket names an address's rate-limit counter by a hash, so the table holds no address.
func addressBucket(tenant, email string) string {
	sum := sha256.Sum256([]byte(tenant + "\x00" + strings.ToLower(email)))
	return "addr:" + hex.EncodeToString(sum[:16])
}

// limit counts a request against a bucket and refuses it past the limit.
func (s *Service) limit(ctx context.Context, bucket string, max int) error {
	ok, wait, err := s.DB.HitRateLimit(ctx, bucket, max, s.cfg.RateWindow)
	if err != nil {
		return err
	}
	if !ok {
		return rateLimited(wait)
	}
	return nil
}

// pad sleeps until at least min has passed since start (or the request is cancelled).
func pad(ctx context.Context, start time.Time, min time.Duration) {
	wait := min - time.Since(start)
	if wait <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(wait):
	}
}

// forgetEvery: about one request in this many also deletes links and counters that ended
// over a day ago, so the tables stay small without a scheduled job.
const forgetEvery = 100

// maybeForget does that housekeeping after the answer (it never delays a request).
func (s *Service) maybeForget(ctx context.Context) {
	if randIndex(forgetEvery) != 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.DB.ForgetSignInLinks(ctx); err != nil {
			s.cfg.Logf("forgetting old sign-in links: %v", err)
		}
	}()
}
