package applications

import (
	"context"
	"strings"

	"awardengine/activities"
	"awardengine/award"
	"awardengine/storage/postgres"
	"awardengine/structs"
	"awardengine/workflows"
)

// List is the applications a person sees listed: all of the tenant's for admins, the ones they
// support for supporters, the ones they hold for assessors and moderators who are not also
// applicants, and otherwise their own.
func (s *Service) List(ctx context.Context, me award.Person) ([]postgres.Application, error) {
	f := postgres.ApplicationFilter{TenantID: me.TenantID}
	switch {
	case me.Has(award.RoleAdmin):
	case me.Has(award.RoleSupporter):
		f.SupporterID = me.ID
	case !me.Has(award.RoleApplicant) && (me.Has(award.RoleAssessor) || me.Has(award.RoleModerator)):
		f.HolderID = me.ID
	default:
		f.ApplicantID = me.ID
	}
	apps, err := s.DB.Applications(ctx, f)
	if apps == nil {
		apps = []postgres.Application{}
	}
	return apps, err
}

// Get is the application as the person may see it.
func (s *Service) Get(ctx context.Context, me award.Person, id string) (structs.Application, error) {
	v, err := s.Viewed(ctx, me, id)
	return v.Application, err
}

// Viewed is an application as one person sees it, with whether it is theirs: pages offer the
// actions that change an application only to its applicant (the journey refuses others anyway).
type Viewed struct {
	structs.Application
	Mine bool // the person is its applicant
}

// Viewed is Get with the person's relation to the application, after one access check (in
// PostgreSQL). The journey answers with its state now; a journey busy beyond the read bound
// (Service.ReadWait) is not waited for: the answer is then the projection's (ProjectionView),
// marked with its source and as of when.
func (s *Service) Viewed(ctx context.Context, me award.Person, id string) (Viewed, error) {
	app, err := s.Application(ctx, me, id, CanRead)
	if err != nil {
		return Viewed{}, err
	}
	var st workflows.Status
	answered := true
	if err := s.WithJourney(ctx, app, func() (err error) {
		st, answered, err = s.statusWithin(ctx, app.ID)
		return err
	}); err != nil {
		return Viewed{}, err
	}
	if !answered {
		v, err := s.ProjectionView(ctx, app)
		return Viewed{Application: v, Mine: app.ApplicantID == me.ID}, err
	}
	return Viewed{Application: ViewFor(st, me), Mine: app.ApplicantID == me.ID}, nil
}

// Framework is the framework version the application is assessed on.
func (s *Service) Framework(ctx context.Context, me award.Person, id string) (award.Framework, error) {
	var fw award.Framework
	app, err := s.Application(ctx, me, id, CanRead)
	if err != nil {
		return fw, err
	}
	err = s.DB.Framework(ctx, app.FrameworkID, app.FrameworkVersion, &fw)
	return fw, err
}

// OpenToolkit records the opening in the journey and hands out short-lived download links.
func (s *Service) OpenToolkit(ctx context.Context, me award.Person, id string) (structs.Toolkit, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return structs.Toolkit{}, err
	}
	if err := s.WithJourney(ctx, app, func() error {
		return s.Update(ctx, app.ID, workflows.UpdateOpenToolkit, workflows.OpenToolkitRequest{Actor: Actor(me)}, nil)
	}); err != nil {
		return structs.Toolkit{}, err
	}
	docs, err := s.DB.ToolkitDocuments(ctx, app.Variant)
	if err != nil {
		return structs.Toolkit{}, err
	}
	out := structs.Toolkit{Documents: make([]structs.ToolkitDocument, 0, len(docs))}
	for _, d := range docs {
		url, exp, err := s.Objects.PresignGet(ctx, d.ObjectKey, d.Filename, s.Settings.DownloadLinkTTL)
		if err != nil {
			return structs.Toolkit{}, err
		}
		out.Documents = append(out.Documents, structs.ToolkitDocument{Title: d.Title, Filename: d.Filename,
			ContentType: d.ContentType, URL: url, ExpiresAt: exp})
	}
	return out, nil
}

// Submit submits the portfolio for a target level.
func (s *Service) Submit(ctx context.Context, me award.Person, id string, req structs.SubmitRequest) (structs.Application, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return structs.Application{}, err
	}
	level, err := award.ParseLevel(req.TargetLevel)
	if err != nil || !level.IsAward() {
		return structs.Application{}, structs.Invalid("target_level", "choose bronze, silver or gold")
	}
	var st workflows.Status
	if err := s.WithJourney(ctx, app, func() error {
		return s.Update(ctx, app.ID, workflows.UpdateSubmit, workflows.SubmitRequest{Actor: Actor(me), TargetLevel: level}, &st)
	}); err != nil {
		return structs.Application{}, err
	}
	return ViewFor(st, me), nil
}

// Withdraw ends the journey at the applicant's or an admin's request.
func (s *Service) Withdraw(ctx context.Context, me award.Person, id string, req structs.ReasonRequest) (structs.Application, error) {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return structs.Application{}, err
	}
	if req.Reason = strings.TrimSpace(req.Reason); req.Reason == "" {
		return structs.Application{}, structs.Invalid("reason", "say why the application is withdrawn (it goes in the audit trail)")
	}
	var st workflows.Status
	if err := s.WithJourney(ctx, app, func() error {
		return s.Update(ctx, app.ID, workflows.UpdateWithdraw, workflows.WithdrawRequest{Actor: Actor(me), Reason: req.Reason}, &st)
	}); err != nil {
		return structs.Application{}, err
	}
	return ViewFor(st, me), nil
}

// AddEvidence declares a file; the journey checks it against the limits, and the answer carries
// a presigned PUT that writes the item's upload key (a staging key, for items that go through
// staging) and binds the declared size and SHA-256: storage refuses any other bytes.
func (s *Service) AddEvidence(ctx context.Context, me award.Person, id string, req structs.AddEvidenceRequest) (structs.EvidenceCreated, error) {
	var item activities.Evidence
	if err := s.evidenceUpdate(ctx, me, id, workflows.UpdateAddEvidence, declaration(me, req), &item); err != nil {
		return structs.EvidenceCreated{}, err
	}
	return s.uploadLink(ctx, item)
}

// AddEvidenceBatch declares several files in one action (one journey step for all): the
// journey checks the batch as a whole, and the answer carries a presigned PUT per item, as
// AddEvidence's does.
func (s *Service) AddEvidenceBatch(ctx context.Context, me award.Person, id string, req structs.AddEvidenceBatchRequest) (structs.EvidenceBatchCreated, error) {
	batch := workflows.AddEvidenceBatchRequest{Actor: Actor(me), Items: make([]workflows.AddEvidenceRequest, 0, len(req.Items))}
	for _, r := range req.Items {
		batch.Items = append(batch.Items, declaration(me, r))
	}
	var items []activities.Evidence
	if err := s.evidenceUpdate(ctx, me, id, workflows.UpdateAddEvidenceBatch, batch, &items); err != nil {
		return structs.EvidenceBatchCreated{}, err
	}
	out := structs.EvidenceBatchCreated{Items: make([]structs.EvidenceCreated, 0, len(items))}
	for _, item := range items {
		created, err := s.uploadLink(ctx, item)
		if err != nil {
			return structs.EvidenceBatchCreated{}, err
		}
		out.Items = append(out.Items, created)
	}
	return out, nil
}

// declaration is a file's declaration as the journey takes it.
func declaration(me award.Person, req structs.AddEvidenceRequest) workflows.AddEvidenceRequest {
	return workflows.AddEvidenceRequest{
		Actor: Actor(me), Filename: req.Filename, ContentType: req.ContentType, Size: req.Size,
		SHA256: strings.ToLower(req.SHA256), Standards: req.Standards, Note: req.Note,
	}
}

// uploadLink is a declared item with its presigned PUT: a write-once link for a write-once
// item (the store refuses a second write of its final key).
func (s *Service) uploadLink(ctx context.Context, item activities.Evidence) (structs.EvidenceCreated, error) {
	presign := s.Objects.PresignPut
	if item.WriteOnce {
		presign = s.Objects.PresignPutOnce
	}
	up, err := presign(ctx, item.UploadKey(), item.ContentType, item.Size, item.SHA256, s.Settings.UploadLinkTTL)
	if err != nil {
		return structs.EvidenceCreated{}, err
	}
	return structs.EvidenceCreated{Evidence: ViewEvidence(item),
		Upload: structs.Upload{Method: up.Method, URL: up.URL, Headers: up.Headers, ExpiresAt: up.ExpiresAt}}, nil
}

// ConfirmEvidence confirms an upload: the journey checks the stored bytes against the declaration.
func (s *Service) ConfirmEvidence(ctx context.Context, me award.Person, id, evidenceID string) (structs.Evidence, error) {
	var item activities.Evidence
	if err := s.evidenceUpdate(ctx, me, id, workflows.UpdateConfirmUpload,
		workflows.EvidenceRequest{Actor: Actor(me), EvidenceID: evidenceID}, &item); err != nil {
		return structs.Evidence{}, err
	}
	return ViewEvidence(item), nil
}

// ConfirmEvidenceBatch confirms several uploads in one action: the journey checks each item's
// stored bytes as ConfirmEvidence does and records the confirmed ones in one step; each item
// comes back with its own outcome (a refused item is still pending, with the problem a
// confirm of it alone would have answered).
func (s *Service) ConfirmEvidenceBatch(ctx context.Context, me award.Person, id string, req structs.ConfirmEvidenceBatchRequest) (structs.EvidenceBatchConfirmed, error) {
	var res workflows.ConfirmBatchResult
	if err := s.evidenceUpdate(ctx, me, id, workflows.UpdateConfirmBatch,
		workflows.ConfirmBatchRequest{Actor: Actor(me), EvidenceIDs: req.EvidenceIDs}, &res); err != nil {
		return structs.EvidenceBatchConfirmed{}, err
	}
	out := structs.EvidenceBatchConfirmed{Items: make([]structs.EvidenceConfirmation, 0, len(res.Items))}
	for _, it := range res.Items {
		c := structs.EvidenceConfirmation{Evidence: ViewEvidence(it.Evidence), Confirmed: it.Confirmed}
		if it.Confirmed {
			out.Confirmed++
		} else {
			c.Problem = refusalProblem(it.Error, it.Message)
			out.Refused++
		}
		out.Items = append(out.Items, c)
	}
	return out, nil
}

// RemoveEvidence removes an item from the portfolio.
func (s *Service) RemoveEvidence(ctx context.Context, me award.Person, id, evidenceID string) error {
	return s.evidenceUpdate(ctx, me, id, workflows.UpdateRemoveEvidence,
		workflows.EvidenceRequest{Actor: Actor(me), EvidenceID: evidenceID}, nil)
}

// MapEvidence changes which standards an item is evidence for.
func (s *Service) MapEvidence(ctx context.Context, me award.Person, id, evidenceID string, req structs.MapEvidenceRequest) (structs.Evidence, error) {
	var item activities.Evidence
	if err := s.evidenceUpdate(ctx, me, id, workflows.UpdateMapEvidence,
		workflows.MapEvidenceRequest{Actor: Actor(me), EvidenceID: evidenceID, Standards: req.Standards}, &item); err != nil {
		return structs.Evidence{}, err
	}
	return ViewEvidence(item), nil
}

// evidenceUpdate runs one of the portfolio's updates after the access check they share.
func (s *Service) evidenceUpdate(ctx context.Context, me award.Person, id, update string, arg, result any) error {
	app, err := s.Application(ctx, me, id, CanAct)
	if err != nil {
		return err
	}
	return s.Update(ctx, app.ID, update, arg, result)
}
