package offerlinks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"awardengine/award"
	"awardengine/services/applications"
	"awardengine/services/applications/appstest"
	"awardengine/services/offerlinks"
	"awardengine/services/offerlinks/offerlinkstest"
	"awardengine/services/offerlinks/offertoken"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

func refusal(t *testing.T, err error, kind string) *offerlinks.Refusal {
	t.Helper()
	var r *offerlinks.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("want a %s refusal, got %v", kind, err)
	}
	if r.Kind != kind {
		t.Fatalf("want a %s refusal, got %s: %s", kind, r.Kind, r.Detail)
	}
	return r
}

func unused(t *testing.T, x *offerlinkstest.Fixture) {
	t.Helper()
	if l, _ := x.Store.Link(x.Token); l.UsedAt != nil {
		t.Fatalf("the link was used (%s)", l.Answer)
	}
}

func TestCheckShowsTheOpenOfferWithoutUsingIt(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	for range 3 { // a mail scanner, then the person, then a reload
		o, err := x.Service.Check(t.Context(), x.Token)
		if err != nil {
			t.Fatal(err)
		}
		if o.Application.ID != x.AppID || o.Assignment.ID != x.AssignmentID || o.Application.TenantID != "north" ||
			o.PersonName != "Ada Assessor" || o.Application.SettingName != `Hill & "Dale" <Primary>` ||
			o.Application.SettingReference != "URN 100200" || o.TargetLevel != "silver" || !o.ExpiresAt.Equal(x.ExpiresAt) ||
			o.Application.DueAt == nil || !o.Application.DueAt.Equal(x.ExpiresAt) || o.Application.Track != string(award.CaringSchools) ||
			o.Assignment.State != "offered" {
			t.Fatalf("offer = %+v", o)
		}
		if o.Evidence != 2 || o.Standards != 8 { // two confirmed files; areas A–D, bronze and silver standards
			t.Errorf("evidence %d, standards %d", o.Evidence, o.Standards)
		}
	}
	unused(t, x)
	if n := len(x.Fakes.Temporal.Updates); n != 0 {
		t.Errorf("checking sent %d updates", n)
	}
}

func TestAcceptOnceAsTheAssessor(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	got, err := x.Service.Accept(t.Context(), x.Token)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answer != postgres.OfferAccepted || got.Application.ID != x.AppID || got.DueAt == nil || got.Application.SettingName == "" {
		t.Fatalf("answered = %+v", got)
	}
	sent := x.Fakes.Temporal.Sent(workflows.UpdateAcceptOffer)
	if len(sent) != 1 || sent[0].ApplicationID != x.AppID {
		t.Fatalf("accept updates: %+v", sent)
	}
	if r := sent[0].Arg.(workflows.OfferReply); r.Actor.ID != x.Assessor.ID || r.Actor.Role != workflows.RoleAssessor {
		t.Errorf("answered as %+v, want the assessor offered it", r.Actor)
	}
	if l, _ := x.Store.Link(x.Token); l.UsedAt == nil || l.Answer != postgres.OfferAccepted {
		t.Errorf("link after accepting: %+v", l)
	}

	// Used: a second use is refused whatever it asks, and says how it was used.
	for _, use := range []func() error{
		func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err },
		func() error { _, err := x.Service.Decline(t.Context(), x.Token, "changed my mind"); return err },
		func() error { _, err := x.Service.Check(t.Context(), x.Token); return err },
	} {
		r := refusal(t, use(), "used")
		if r.Status != http.StatusGone || r.Answer != postgres.OfferAccepted || !strings.Contains(r.Detail, "You accepted this offer on ") ||
			r.AssessmentID != x.AppID {
			t.Errorf("used refusal: %+v", r)
		}
	}
	if n := len(x.Fakes.Temporal.Updates); n != 1 {
		t.Errorf("%d updates sent, want the one", n)
	}
}

func TestDeclineNeedsAReason(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	for _, reason := range []string{"", "   ", strings.Repeat("x", offerlinks.MaxReasonLength+1), "bad\x00text"} {
		_, err := x.Service.Decline(t.Context(), x.Token, reason)
		var p *structs.Problem
		if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "reason" {
			t.Fatalf("reason %q: %v", reason, err)
		}
	}
	unused(t, x)
	got, err := x.Service.Decline(t.Context(), x.Token, "  I governed this school until last year.  ")
	if err != nil {
		t.Fatal(err)
	}
	if got.Answer != postgres.OfferDeclined || got.DueAt != nil {
		t.Fatalf("answered = %+v", got)
	}
	sent := x.Fakes.Temporal.Sent(workflows.UpdateDeclineOffer)
	if len(sent) != 1 || sent[0].Arg.(workflows.OfferReply).Reason != "I governed this school until last year." {
		t.Fatalf("decline updates: %+v", sent)
	}
	r := refusal(t, func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(), "used")
	if r.Answer != postgres.OfferDeclined || r.AssessmentID != "" || !strings.Contains(r.Detail, "You declined") {
		t.Errorf("used refusal: %+v", r)
	}
}

func TestExpired(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	x.Now = x.ExpiresAt // the deadline passed; the journey's timer has not closed it yet
	r := refusal(t, func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(), "expired")
	if r.Status != http.StatusGone || !strings.Contains(r.Detail, "8 September 2026") {
		t.Errorf("expired: %+v", r)
	}
	unused(t, x)
	if n := len(x.Fakes.Temporal.Updates); n != 0 {
		t.Errorf("%d updates sent", n)
	}

	// The journey closed it: offered to the next assessor.
	x = offerlinkstest.NewFixture(nil)
	x.Now = x.ExpiresAt.Add(time.Minute)
	x.Reoffer("expired")
	refusal(t, func() error { _, err := x.Service.Check(t.Context(), x.Token); return err }(), "expired")

	// An admin extended the deadline: the link follows the journey's deadline.
	x = offerlinkstest.NewFixture(nil)
	st, _ := x.Fakes.Temporal.Status(x.AppID)
	later := x.ExpiresAt.Add(72 * time.Hour)
	st.Assessment.Offer.ExpiresAt = later
	x.Fakes.Temporal.SetStatus(st)
	x.Now = x.ExpiresAt.Add(time.Hour)
	if o, err := x.Service.Check(t.Context(), x.Token); err != nil || !o.ExpiresAt.Equal(later) {
		t.Fatalf("extended offer: %+v %v", o, err)
	}
}

func TestOfferNoLongerOpen(t *testing.T) {
	for _, c := range []struct {
		name, kind, says string
		close            func(*offerlinkstest.Fixture)
	}{
		{"reassigned", "closed", "taken this offer back", func(x *offerlinkstest.Fixture) { x.Reoffer("released") }},
		{"withdrawn", "closed", "withdrawn", func(x *offerlinkstest.Fixture) { x.Withdraw() }},
		{"accepted in the inbox", "answered", "You accepted this offer", func(x *offerlinkstest.Fixture) { x.Reoffer("accepted") }},
		{"declined in the inbox", "answered", "You declined this offer", func(x *offerlinkstest.Fixture) { x.Reoffer("declined") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := offerlinkstest.NewFixture(nil)
			c.close(x)
			for _, err := range []error{
				func() error { _, err := x.Service.Check(t.Context(), x.Token); return err }(),
				func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(),
				func() error { _, err := x.Service.Decline(t.Context(), x.Token, "no"); return err }(),
			} {
				r := refusal(t, err, c.kind)
				if !strings.Contains(r.Detail, c.says) {
					t.Errorf("detail %q lacks %q", r.Detail, c.says)
				}
			}
			unused(t, x)
			if n := len(x.Fakes.Temporal.Updates); n != 0 {
				t.Errorf("%d updates sent", n)
			}
		})
	}
}

// A link answers only its own offer, as its own person: another application's or another
// person's offer cannot be reached through it, and an altered token is nobody's.
func TestLinkIsBoundToItsOfferAndPerson(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	// The application is offered to Carl now under a new assignment: Ada's link is not his.
	x.Reoffer("released")
	refusal(t, func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(), "closed")
	// A link minted for Carl's offer (another person, same application) answers as Carl only.
	carlToken := x.Store.Mint(postgres.OfferLink{AssignmentID: x.AppID + "/offer/2", TenantID: "north", ApplicationID: x.AppID,
		PersonID: x.Other.ID, ExpiresAt: x.Now.Add(time.Hour)})
	if _, err := x.Service.Accept(t.Context(), carlToken); err != nil {
		t.Fatal(err)
	}
	if r := x.Fakes.Temporal.Sent(workflows.UpdateAcceptOffer)[0].Arg.(workflows.OfferReply); r.Actor.ID != x.Other.ID {
		t.Errorf("accepted as %s, want Carl", r.Actor.ID)
	}

	y := offerlinkstest.NewFixture(nil)
	for _, bad := range []string{"", "short", y.Token + "x", strings.ToUpper(y.Token[:1]) + y.Token[1:] + "", flip(y.Token),
		strings.Repeat("A", offertoken.TokenLength), "../../v1/me" + strings.Repeat("a", 32), y.Token[:42] + "!"} {
		if bad == y.Token {
			continue
		}
		if _, err := y.Service.Check(t.Context(), bad); !errors.Is(err, offerlinks.ErrUnknown) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	unused(t, y)
}

func flip(s string) string {
	b := []byte(s)
	if b[10] == 'A' {
		b[10] = 'B'
	} else {
		b[10] = 'A'
	}
	return string(b)
}

func TestDeactivatedPersonIsRefused(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	off := x.Assessor
	off.Active = false
	x.Fakes.Store.AddPerson(off)
	for _, err := range []error{
		func() error { _, err := x.Service.Check(t.Context(), x.Token); return err }(),
		func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(),
	} {
		if r := refusal(t, err, "deactivated"); r.Status != http.StatusForbidden {
			t.Errorf("status %d", r.Status)
		}
	}
	unused(t, x)
	if n := len(x.Fakes.Temporal.Updates); n != 0 {
		t.Errorf("%d updates sent", n)
	}
}

// The journey's refusal (here: the assessor is the setting's supporter, whom the journey never
// lets accept) leaves the link unused, so they can still decline.
func TestJourneyRefusalLeavesTheLinkUnused(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	x.Fakes.Temporal.Refuse(workflows.UpdateAcceptOffer, appstest.Refusal(workflows.ErrForbidden,
		"you cannot accept this offer: you support this setting, and nobody assesses or moderates an application they applied for or support; an admin will reassign it"))
	_, err := x.Service.Accept(t.Context(), x.Token)
	p, _ := applications.Problem(err, false)
	if p.Status != http.StatusForbidden || !strings.Contains(p.Detail, "you support this setting") {
		t.Fatalf("refusal: %v", err)
	}
	unused(t, x)
	if _, err := x.Service.Decline(t.Context(), x.Token, "I support this setting"); err != nil {
		t.Fatal(err)
	}
}

// A person no longer on the assessors (their role removed) cannot answer through the link:
// the applications service's access check refuses them, and the link stays unused.
func TestAccessCheckStillApplies(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	p := x.Assessor
	p.Roles = []string{award.RoleApplicant}
	x.Fakes.Store.AddPerson(p)
	r := refusal(t, func() error { _, err := x.Service.Accept(t.Context(), x.Token); return err }(), "closed")
	if strings.Contains(r.Detail, x.AppID) {
		t.Errorf("the refusal names the application: %s", r.Detail)
	}
	refusal(t, func() error { _, err := x.Service.Check(t.Context(), x.Token); return err }(), "closed")
	unused(t, x)
	if n := len(x.Fakes.Temporal.Updates); n != 0 {
		t.Errorf("%d updates sent", n)
	}
}

// An answer whose outcome is unknown (the journey did not answer in time) keeps the link used:
// it may have been given, and a second answer could contradict it.
func TestUnknownOutcomeKeepsTheLinkUsed(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	x.Fakes.Temporal.OnUpdate(workflows.UpdateAcceptOffer, func(*workflows.Status, any) (any, error) {
		return nil, context.DeadlineExceeded
	})
	_, err := x.Service.Accept(t.Context(), x.Token)
	if p, _ := applications.Problem(err, false); p.Status != http.StatusServiceUnavailable || strings.Contains(p.Detail, "nothing was changed") {
		t.Fatalf("unknown outcome: %v", err)
	}
	if l, _ := x.Store.Link(x.Token); l.UsedAt == nil {
		t.Errorf("the link was released after an answer of unknown outcome")
	}

	// Temporal refused the request itself (too many updates at once): it never reached the
	// journey, so the link is released and works again.
	y := offerlinkstest.NewFixture(nil)
	y.Fakes.Temporal.FailSend(serviceerror.NewResourceExhausted(enums.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT, "too many updates"))
	if _, err := y.Service.Accept(t.Context(), y.Token); err == nil {
		t.Fatal("accepted with Temporal refusing")
	}
	unused(t, y)
	y.Fakes.Temporal.FailSend(nil)
	if _, err := y.Service.Accept(t.Context(), y.Token); err != nil {
		t.Fatal(err)
	}
}

// Two answers racing: one wins; the other is refused as used, and only one reaches the journey.
func TestRacingAnswersUseTheLinkOnce(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = x.Service.Accept(t.Context(), x.Token)
			} else {
				_, errs[i] = x.Service.Decline(t.Context(), x.Token, "busy")
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var r *offerlinks.Refusal
		switch {
		case err == nil:
			ok++
		case errors.As(err, &r) && (r.Kind == "used" || r.Kind == "answered"):
		default:
			t.Errorf("racing answer: %v", err)
		}
	}
	if ok != 1 || len(x.Fakes.Temporal.Updates) != 1 {
		t.Errorf("%d answers succeeded, %d updates sent; want 1 and 1", ok, len(x.Fakes.Temporal.Updates))
	}
}

func TestDatabaseDownIsUnchanged(t *testing.T) {
	x := offerlinkstest.NewFixture(nil)
	x.Store.Err = errors.New("connection refused")
	_, err := x.Service.Accept(t.Context(), x.Token)
	if p, _ := applications.Problem(err, false); p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Detail, "nothing was changed") {
		t.Fatalf("database down: %v", err)
	}
}
