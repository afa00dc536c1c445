package workflows

import (
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"awardengine/activities"
	"awardengine/award"
)

// registerHandlers installs the status query and the updates people use. Each update has a
// validator that refuses a wrong action before it enters history; handlers that run
// activities hold the journey's mutex and validate again under it, because the state may
// have moved on while they waited.
func (j *journey) registerHandlers() error {
	if err := workflow.SetQueryHandler(j.ctx, QueryStatus, func() (Status, error) { return j.status(), nil }); err != nil {
		return err
	}
	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateOpenToolkit, j.openToolkit, j.validateOpenToolkit},
		{UpdateAddEvidence, j.addEvidence, j.validateAddEvidence},
		{UpdateConfirmUpload, j.confirmEvidence, j.validateConfirm},
		{UpdateAddEvidenceBatch, j.addEvidenceBatch, j.validateAddEvidenceBatch},
		{UpdateConfirmBatch, j.confirmEvidenceBatch, j.validateConfirmBatch},
		{UpdateMapEvidence, j.mapEvidence, j.validateMap},
		{UpdateRemoveEvidence, j.removeEvidence, j.validateRemove},
		{UpdateSubmit, j.submit, j.validateSubmit},
		{UpdateWithdraw, j.withdraw, j.validateWithdraw},
		{UpdateAcceptOffer, j.acceptOffer, j.validateOfferReply},
		{UpdateDeclineOffer, j.declineOffer, j.validateOfferReply},
		{UpdateSaveRatings, j.saveRatings, j.validateRatings},
		{UpdateSubmitAssess, j.submitAssessment, j.validateSubmitAssessment},
		{UpdateModerate, j.moderate, j.validateModerate},
		{UpdateAllocate, j.allocateByHand, j.validateAllocate},
		{UpdateReassign, j.reassign, j.validateReassign},
		{UpdateLegalHold, j.legalHold, j.validateLegalHold},
		{UpdateNudge, j.nudge, j.validateNudge},
		{UpdateExtend, j.extend, j.validateExtend},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(j.ctx, h.name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return err
		}
	}
	j.listenForReassessment()
	return nil
}

// lock serialises handlers; the returned func releases the lock and wakes the main loop.
func (j *journey) lock(ctx workflow.Context) (func(), error) {
	if err := j.mu.Lock(ctx); err != nil {
		return nil, err
	}
	return func() {
		j.changes++
		j.mu.Unlock()
	}, nil
}

// mayActOnPortfolio: the applicant of this application, or an admin on their behalf.
func (j *journey) mayActOnPortfolio(a Actor) error {
	switch {
	case a.Role == RoleAdmin:
		return nil
	case a.Role == RoleApplicant && a.ID == j.in.ApplicantID:
		return nil
	default:
		return refuse(ErrForbidden, "only the applicant or an admin may change this application")
	}
}

func (j *journey) needStage(action string, ok bool) error {
	if !ok {
		return refuse(ErrWrongStage, "cannot %s: the application is at stage %q", action, j.st.Stage)
	}
	return nil
}

// --- toolkit ---

func (j *journey) validateOpenToolkit(_ workflow.Context, r OpenToolkitRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	return j.needStage("open the toolkit", !j.st.Stage.Closed())
}

func (j *journey) openToolkit(ctx workflow.Context, r OpenToolkitRequest) error {
	unlock, err := j.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	// Opening is recorded once, and only the applicant's own opening counts.
	if j.st.ToolkitOpenedAt != nil || r.Actor.Role != RoleApplicant {
		return nil
	}
	now := workflow.Now(ctx)
	j.st.ToolkitOpenedAt = &now
	if j.st.Stage == StageToolkit {
		j.st.Stage = StagePortfolio
	}
	j.touch(ctx)
	return j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "toolkit_opened"})
}

// --- evidence ---

func (j *journey) validateAddEvidence(_ workflow.Context, r AddEvidenceRequest) error {
	if err := j.mayDeclare(r.Actor); err != nil {
		return err
	}
	// Files declared but not yet confirmed count towards the portfolio's limit, so that
	// uploads nobody confirms cannot fill the store.
	return j.checkDeclaration(r, j.heldBytes())
}

// mayDeclare: the person may add evidence to this portfolio now (declare one file or several).
func (j *journey) mayDeclare(a Actor) error {
	if err := j.mayActOnPortfolio(a); err != nil {
		return err
	}
	return j.needStage("add evidence", j.st.Stage.AcceptsEvidence())
}

// checkDeclaration checks a declaration against the tenant's limits, for a portfolio that
// already holds portfolioBytes, and its standards against the framework.
func (j *journey) checkDeclaration(r AddEvidenceRequest, portfolioBytes int64) error {
	// mime.ParseMediaType ranges over a map internally, but its result does not depend on the
	// order, so the check is deterministic.
	//workflowcheck:ignore
	if err := j.in.Limits.Check(award.Upload{Filename: r.Filename, Size: r.Size, ContentType: r.ContentType, SHA256: r.SHA256},
		portfolioBytes); err != nil {
		return refuse(ErrInvalid, "%s", err.Error())
	}
	return j.checkStandards(r.Standards)
}

// uploadsStaged says whether this journey's new evidence uploads go through staging: the
// link writes a staging key, confirm checks the store's own checksum and the real type and
// then moves the bytes to a key no link can write, and declared files count towards the
// portfolio limit. Journeys that declared evidence before this change keep the earlier way
// for as long as they run, so that their histories replay.
func (j *journey) uploadsStaged(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, "evidence-staging", workflow.DefaultVersion, 1) >= 1
}

// uploadsWriteOnce says whether this journey's new staged uploads are written once under
// their final key (objects.PresignPutOnce: the store refuses a second write, and a tag marks
// the bytes unconfirmed until confirm has checked them) instead of under a staging key that
// confirm copies from: confirm then moves no bytes (issue 16: the copy cost as much as the
// upload). Journeys that declared evidence before keep staging, so their histories replay.
func (j *journey) uploadsWriteOnce(ctx workflow.Context, staged bool) bool {
	return staged && workflow.GetVersion(ctx, "evidence-write-once", workflow.DefaultVersion, 1) >= 1
}

func (j *journey) checkStandards(codes []string) error {
	if len(codes) == 0 {
		return refuse(ErrInvalid, "standards: map the evidence to at least one standard of the framework")
	}
	var unknown []string
	for _, c := range codes {
		if !slices.ContainsFunc(j.in.Framework.Standards, func(s StandardRef) bool { return s.Code == c }) {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		return refuse(ErrInvalid, "standards: not in framework %s v%d: %s", j.in.Framework.ID, j.in.Framework.Version, strings.Join(unknown, ", "))
	}
	return nil
}

func (j *journey) addEvidence(ctx workflow.Context, r AddEvidenceRequest) (activities.Evidence, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return activities.Evidence{}, err
	}
	defer unlock()
	// The state may have moved on while this waited for the lock: check again, by the rule
	// this journey's version follows.
	staged := j.uploadsStaged(ctx)
	if err := j.mayDeclare(r.Actor); err != nil {
		return activities.Evidence{}, err
	}
	if err := j.checkDeclaration(r, j.declaredBytes(staged)); err != nil {
		return activities.Evidence{}, err
	}
	item := j.declare(ctx, r, j.newEvidenceID(ctx), staged, j.uploadsWriteOnce(ctx, staged))
	j.touch(ctx)
	err = j.record(ctx, []activities.Evidence{item}, declaredAudit(r.Actor, item))
	return item, err
}

// declaredBytes is what the portfolio holds for a new declaration's limit check: staged
// journeys count files declared but not yet confirmed, earlier ones only confirmed files.
func (j *journey) declaredBytes(staged bool) int64 {
	if staged {
		return j.heldBytes()
	}
	return j.confirmedBytes()
}

// declare adds a checked declaration to the portfolio as a pending item with the given id.
func (j *journey) declare(ctx workflow.Context, r AddEvidenceRequest, id string, staged, writeOnce bool) activities.Evidence {
	item := activities.Evidence{
		ID: id, ObjectKey: EvidenceObjectKey(j.in.TenantID, j.in.ApplicationID, id),
		Filename: r.Filename, ContentType: r.ContentType, Size: r.Size, SHA256: strings.ToLower(r.SHA256),
		Standards: dedupe(r.Standards), Note: r.Note, State: activities.EvidencePending,
		CreatedBy: r.Actor.ID, CreatedAt: workflow.Now(ctx), Staged: staged, WriteOnce: writeOnce,
	}
	j.st.Evidence = append(j.st.Evidence, item)
	return item
}

// declaredAudit is the audit line of one declaration.
func declaredAudit(a Actor, item activities.Evidence) activities.Audit {
	return activities.Audit{Actor: a.ID, Action: "evidence_declared",
		Detail: map[string]any{"evidence": item.ID, "size": item.Size, "sha256": item.SHA256, "standards": item.Standards}}
}

// newEvidenceID draws a random id once and keeps it in history (SideEffect), so replays agree.
func (j *journey) newEvidenceID(ctx workflow.Context) string {
	var id string
	_ = workflow.SideEffect(ctx, func(workflow.Context) any {
		return randomEvidenceID()
	}).Get(&id)
	return id
}

// randomEvidenceID is a fresh random evidence id: only ever called inside workflow.SideEffect.
func randomEvidenceID() string { return "ev_" + randomSuffix() }

func (j *journey) item(id string) (int, *activities.Evidence) {
	for i := range j.st.Evidence {
		if j.st.Evidence[i].ID == id && j.st.Evidence[i].State != activities.EvidenceRemoved {
			return i, &j.st.Evidence[i]
		}
	}
	return -1, nil
}

func (j *journey) validateConfirm(_ workflow.Context, r EvidenceRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	_, it := j.item(r.EvidenceID)
	if it != nil && it.State == activities.EvidenceConfirmed {
		return nil // a retried confirm: the handler answers with the item as it is
	}
	if err := j.needStage("confirm evidence", j.st.Stage.AcceptsEvidence()); err != nil {
		return err
	}
	if it == nil {
		return refuse(ErrNotFound, "no evidence %q in this application", r.EvidenceID)
	}
	return nil
}

// confirmEvidence trusts the bytes in storage, not the client: the item joins the portfolio
// only once storage holds exactly the declared bytes. Confirming an item that is already
// confirmed is a success that changes nothing (a person may retry after a timeout that hid
// the first confirm's success); its bytes cannot have changed since.
func (j *journey) confirmEvidence(ctx workflow.Context, r EvidenceRequest) (activities.Evidence, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return activities.Evidence{}, err
	}
	defer unlock()
	if err := j.validateConfirm(ctx, r); err != nil {
		return activities.Evidence{}, err
	}
	_, it := j.item(r.EvidenceID)
	if it.State == activities.EvidenceConfirmed {
		if !j.uploadsStaged(ctx) {
			return activities.Evidence{}, refuse(ErrWrongStage, "evidence %q is already confirmed", r.EvidenceID)
		}
		return *it, nil
	}
	sniffed, err := j.settleUploadCheck(ctx, it, j.startUploadCheck(ctx, it))
	if err != nil {
		return activities.Evidence{}, err
	}
	audit := j.confirmItem(ctx, r.Actor, it, sniffed)
	j.touch(ctx)
	err = j.record(ctx, []activities.Evidence{*it}, audit)
	return *it, err
}

// startUploadCheck starts the storage check of a pending item's upload: for a staged upload
// activities.ConfirmUpload (the store's own size and SHA-256, the real type from the first
// bytes, then a move to the item's final key), a local activity on lean journeys; for an
// item declared before staging, activities.VerifyEvidence (reads the object back).
func (j *journey) startUploadCheck(ctx workflow.Context, it *activities.Evidence) workflow.Future {
	if !it.Staged {
		actx := workflow.WithActivityOptions(ctx, verifyOptions)
		return workflow.ExecuteActivity(actx, (*activities.Activities).VerifyEvidence, activities.VerifyInput{
			ObjectKey: it.ObjectKey, Size: it.Size, SHA256: it.SHA256})
	}
	in := activities.ConfirmInput{ObjectKey: it.ObjectKey, Size: it.Size, SHA256: it.SHA256, ContentType: it.ContentType, WriteOnce: it.WriteOnce}
	if j.lean(ctx) {
		lctx := workflow.WithLocalActivityOptions(ctx, localVerifyOptions)
		return workflow.ExecuteLocalActivity(lctx, activityConfirmUpload, in)
	}
	actx := workflow.WithActivityOptions(ctx, verifyOptions)
	return workflow.ExecuteActivity(actx, (*activities.Activities).ConfirmUpload, in)
}

// settleUploadCheck waits for startUploadCheck's answer and says whether the item may be
// confirmed (with its real type, when storage told it) or why not. A staged upload's bytes
// already count towards the portfolio limit, since it was declared; an earlier item's are
// checked against it here, and its wrong bytes discarded.
func (j *journey) settleUploadCheck(ctx workflow.Context, it *activities.Evidence, f workflow.Future) (string, error) {
	if !it.Staged {
		var got activities.VerifyResult
		if err := f.Get(ctx, &got); err != nil {
			return "", refuse("Unavailable", "could not check the upload in storage just now; try confirming again shortly")
		}
		switch {
		case !got.Uploaded:
			return "", refuse(ErrNotUploaded, "evidence %q has not been uploaded yet: PUT the file to the upload link first", it.ID)
		case got.Size != it.Size:
			j.discardUpload(ctx, it.ObjectKey)
			return "", refuse(ErrSizeMismatch, "the uploaded file is %d bytes but %d were declared; upload it again", got.Size, it.Size)
		case got.SHA256 != it.SHA256:
			j.discardUpload(ctx, it.ObjectKey)
			return "", refuse(ErrChecksumMismatch, "the uploaded file's SHA-256 is %s but %s was declared; upload it again", got.SHA256, it.SHA256)
		}
		if total := j.confirmedBytes() + it.Size; total > j.in.Limits.MaxPortfolioBytes {
			return "", refuse(ErrInvalid, "the portfolio would exceed its limit of %d MB", j.in.Limits.MaxPortfolioBytes/1_000_000)
		}
		return "", nil
	}
	var got activities.ConfirmResult
	if err := f.Get(ctx, &got); err != nil {
		return "", refuse("Unavailable", "could not check the upload in storage just now; evidence %q is still pending: try confirming again shortly", it.ID)
	}
	switch got.Outcome {
	case activities.UploadConfirmed:
		return got.SniffedType, nil
	case activities.UploadMissing:
		return "", refuse(ErrNotUploaded, "evidence %q has not been uploaded yet (or its upload expired): PUT the file to the upload link first", it.ID)
	case activities.UploadSizeMismatch:
		return "", refuse(ErrSizeMismatch, "the uploaded file is %d bytes but %d were declared; it was deleted: upload it again", got.Size, it.Size)
	case activities.UploadChecksumMismatch:
		stored := got.SHA256
		if stored == "" {
			stored = "unknown (storage recorded none)"
		}
		return "", refuse(ErrChecksumMismatch, "the uploaded file's SHA-256 is %s but %s was declared; it was deleted: upload it again", stored, it.SHA256)
	case activities.UploadTypeMismatch:
		msg := "the uploaded file is not of its declared type " + it.ContentType
		if err := award.CheckContent(it.ContentType, got.SniffedType); err != nil {
			msg = err.Error()
		}
		return "", refuse(ErrTypeMismatch, "%s (the upload was deleted)", msg)
	default:
		return "", refuse("Unavailable", "storage gave an unexpected answer (%q) about evidence %q; it is still pending: try confirming again shortly", got.Outcome, it.ID)
	}
}

// confirmItem marks an item whose bytes were checked as confirmed and returns its audit line
// (with the real type, when known). The caller records the step.
func (j *journey) confirmItem(ctx workflow.Context, a Actor, it *activities.Evidence, sniffedType string) activities.Audit {
	now := workflow.Now(ctx)
	it.State = activities.EvidenceConfirmed
	it.ConfirmedAt = &now
	detail := map[string]any{"evidence": it.ID, "sha256": it.SHA256, "size": it.Size}
	if sniffedType != "" {
		detail["type"] = sniffedType
	}
	return activities.Audit{Actor: a.ID, Action: "evidence_confirmed", Detail: detail}
}

// discardUpload removes bytes that do not match their declaration, so a wrong file never lingers.
func (j *journey) discardUpload(ctx workflow.Context, key string) {
	actx := workflow.WithActivityOptions(ctx, localWriteOptions)
	_ = workflow.ExecuteActivity(actx, (*activities.Activities).DeleteObject, key).Get(actx, nil)
}

func (j *journey) validateMap(_ workflow.Context, r MapEvidenceRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	if err := j.needStage("re-map evidence", j.st.Stage.AcceptsEvidence()); err != nil {
		return err
	}
	if _, it := j.item(r.EvidenceID); it == nil {
		return refuse(ErrNotFound, "no evidence %q in this application", r.EvidenceID)
	} else if it.Immutable {
		return refuse(ErrWrongStage, "evidence %q was submitted: its mapping is fixed (upload or carry new evidence instead)", r.EvidenceID)
	}
	return j.checkStandards(r.Standards)
}

func (j *journey) mapEvidence(ctx workflow.Context, r MapEvidenceRequest) (activities.Evidence, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return activities.Evidence{}, err
	}
	defer unlock()
	if err := j.validateMap(ctx, r); err != nil {
		return activities.Evidence{}, err
	}
	_, it := j.item(r.EvidenceID)
	before := it.Standards
	it.Standards = dedupe(r.Standards)
	j.touch(ctx)
	err = j.record(ctx, []activities.Evidence{*it}, activities.Audit{Actor: r.Actor.ID, Action: "evidence_mapped",
		Detail: map[string]any{"evidence": it.ID, "before": before, "after": it.Standards}})
	return *it, err
}

func (j *journey) validateRemove(_ workflow.Context, r EvidenceRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	if err := j.needStage("remove evidence", j.st.Stage.AcceptsEvidence()); err != nil {
		return err
	}
	if _, it := j.item(r.EvidenceID); it == nil {
		return refuse(ErrNotFound, "no evidence %q in this application", r.EvidenceID)
	} else if it.Immutable {
		return refuse(ErrWrongStage, "evidence %q was submitted and cannot be removed", r.EvidenceID)
	}
	return nil
}

func (j *journey) removeEvidence(ctx workflow.Context, r EvidenceRequest) error {
	unlock, err := j.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := j.validateRemove(ctx, r); err != nil {
		return err
	}
	i, it := j.item(r.EvidenceID)
	now := workflow.Now(ctx)
	removed := *it // a copy: slices.Delete below moves the next item into *it
	key := removed.ObjectKey
	if removed.State == activities.EvidencePending {
		// Where its link wrote: staging, or the final key of a write-once upload. (A web
		// form's copy waiting in staging for a write-once item's confirm expires there.)
		key = removed.UploadKey()
	}
	removed.State = activities.EvidenceRemoved
	removed.RemovedAt = &now
	j.st.Evidence = slices.Delete(j.st.Evidence, i, i+1)
	if removed.CarriedFrom == "" { // a carried item's object belongs to the earlier portfolio
		j.discardUpload(ctx, key)
	}
	j.touch(ctx)
	return j.record(ctx, []activities.Evidence{removed}, activities.Audit{Actor: r.Actor.ID, Action: "evidence_removed",
		Detail: map[string]any{"evidence": removed.ID, "filename": removed.Filename}})
}

// --- submission ---

func (j *journey) validateSubmit(_ workflow.Context, r SubmitRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	if err := j.needStage("submit", j.st.Stage.AcceptsEvidence()); err != nil {
		return err
	}
	if r.TargetLevel < award.Bronze || r.TargetLevel > award.Gold {
		return refuse(ErrInvalid, "target_level: choose bronze, silver or gold")
	}
	if p := j.in.Previous; p != nil && r.TargetLevel < p.Level {
		return refuse(ErrInvalid, "target_level: a reassessment is for the same level as the award held (%s) or higher", p.Level)
	}
	if missing := j.missing(r.TargetLevel); len(missing) > 0 {
		return refuseWith(ErrMissingEvidence, "cannot submit for "+r.TargetLevel.String()+
			": these standards have no confirmed evidence: "+strings.Join(missing, ", "), missing)
	}
	return nil
}

// submit locks the evidence (immutable from now on, checksums recorded) and moves the
// journey on to allocation. Pending uploads that were never confirmed are dropped.
func (j *journey) submit(ctx workflow.Context, r SubmitRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateSubmit(ctx, r); err != nil {
		return Status{}, err
	}
	now := workflow.Now(ctx)
	var changed, kept []activities.Evidence
	checksums := map[string]string{}
	for _, e := range j.st.Evidence {
		if e.State != activities.EvidenceConfirmed {
			e.State, e.RemovedAt = activities.EvidenceRemoved, &now
			changed = append(changed, e)
			continue
		}
		e.Immutable, e.SubmittedAt = true, &now
		checksums[e.ID] = e.SHA256
		changed = append(changed, e)
		kept = append(kept, e)
	}
	resubmission := j.st.Stage == StageNotYet
	j.st.Evidence = kept
	j.st.TargetLevel = r.TargetLevel
	j.st.SubmittedAt = &now
	j.st.Stage = StageAwaitingAllocation
	j.unflag(FlagDormant)
	if resubmission {
		j.tellPrevious(ctx, ReassessmentStarted)
	}
	// Journeys submitted before allocation existed wait for an admin to allocate by hand.
	if workflow.GetVersion(ctx, "allocation", workflow.DefaultVersion, 1) >= 1 {
		a := &j.st.Assessment
		a.AllocateAt = &now
		if resubmission {
			a.Resubmitted++
			a.Moderation, a.ResubmitBy, a.Decision, a.DecidedAt = nil, nil, award.NotMet, nil
		}
	}
	if err := j.record(ctx, changed, activities.Audit{Actor: r.Actor.ID, Action: "submitted",
		Detail: map[string]any{"target_level": r.TargetLevel.String(), "checksums": checksums}}); err != nil {
		return Status{}, err
	}
	data := j.mailData()
	data.Count = len(kept)
	j.sendEmail(ctx, "submission", "submission_receipt", j.in.ApplicantID, data)
	return j.status(), nil
}

// --- withdrawal ---

func (j *journey) validateWithdraw(_ workflow.Context, r WithdrawRequest) error {
	if err := j.mayActOnPortfolio(r.Actor); err != nil {
		return err
	}
	return j.needStage("withdraw", !j.st.Stage.Closed())
}

func (j *journey) withdraw(ctx workflow.Context, r WithdrawRequest) (Status, error) {
	unlock, err := j.lock(ctx)
	if err != nil {
		return Status{}, err
	}
	defer unlock()
	if err := j.validateWithdraw(ctx, r); err != nil {
		return Status{}, err
	}
	now := workflow.Now(ctx)
	before := j.st.Stage
	if err := j.releaseHolders(ctx, "withdrawn"); err != nil {
		return Status{}, err
	}
	j.st.Stage = StageWithdrawn
	j.tellPrevious(ctx, ReassessmentEnded)
	j.st.ClosedAt = &now
	if err := j.record(ctx, nil, activities.Audit{Actor: r.Actor.ID, Action: "withdrawn",
		Detail: map[string]any{"role": r.Actor.Role, "reason": r.Reason, "stage_before": before}}); err != nil {
		return Status{}, err
	}
	data := j.mailData()
	data.Reason = r.Reason
	j.sendEmail(ctx, "withdrawal", "withdrawal", j.in.ApplicantID, data)
	return j.status(), nil
}

// --- reads ---

// confirmedBytes is the size of the portfolio's confirmed evidence.
func (j *journey) confirmedBytes() int64 {
	var n int64
	for _, e := range j.st.Evidence {
		if e.State == activities.EvidenceConfirmed {
			n += e.Size
		}
	}
	return n
}

// heldBytes is the size of every file the portfolio holds or has been promised: confirmed
// evidence and files declared but not yet confirmed (their uploads take space in storage).
func (j *journey) heldBytes() int64 {
	var n int64
	for _, e := range j.st.Evidence {
		if e.State == activities.EvidenceConfirmed || e.State == activities.EvidencePending {
			n += e.Size
		}
	}
	return n
}

// missing lists the standards of a level without confirmed evidence, in framework order.
func (j *journey) missing(level award.Level) []string {
	covered := map[string]bool{}
	for _, e := range j.st.Evidence {
		if e.State == activities.EvidenceConfirmed {
			for _, s := range e.Standards {
				covered[s] = true
			}
		}
	}
	var out []string
	for _, s := range j.in.Framework.Standards {
		if s.From <= level && !covered[s.Code] {
			out = append(out, s.Code)
		}
	}
	return out
}

func (j *journey) status() Status {
	st := j.st
	missing := map[string][]string{}
	for _, l := range award.AwardLevels() {
		m := j.missing(l)
		if m == nil {
			m = []string{}
		}
		missing[l.String()] = m
	}
	fw := j.in.Framework
	fw.Standards = nil
	ev := st.Evidence
	if ev == nil {
		ev = []activities.Evidence{}
	}
	flags := st.Flags
	if flags == nil {
		flags = []string{}
	}
	return Status{
		ApplicationID: j.in.ApplicationID, TenantID: j.in.TenantID, SettingReference: j.in.SettingReference,
		SettingName: j.in.SettingName, Track: j.in.Track, Variant: j.in.Variant, Framework: fw, Stage: st.Stage,
		Next: j.next(), RegisteredAt: st.RegisteredAt, ToolkitOpenedAt: st.ToolkitOpenedAt, Evidence: ev,
		PortfolioBytes: j.confirmedBytes(), Missing: missing, TargetLevel: levelName(st.TargetLevel),
		SubmittedAt: st.SubmittedAt, FirstYearDue: st.FirstYearDue, Flags: flags, Deadlines: j.deadlines(),
		Assessment: j.assessmentView(), Previous: j.in.Previous, Lifecycle: j.lifecycleView(),
	}
}

func dedupe(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
