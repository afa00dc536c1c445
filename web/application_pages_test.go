package web

// The zero data of the application's own pages (application.go, register.go, toolkit.go,
// submit.go, decision.go), for TestEveryTemplateParses.
func init() {
	zeroData["applicant/application"] = applicationData{}
	zeroData["applicant/starting"] = map[string]string{}
	zeroData["applicant/register"] = registerData{}
	zeroData["applicant/toolkit"] = toolkitData{}
	zeroData["applicant/check"] = checkData{}
	zeroData["applicant/submitted"] = appContext{}
	zeroData["applicant/withdraw"] = withdrawData{}
	zeroData["applicant/withdraw-confirm"] = withdrawData{}
	zeroData["applicant/withdrawn"] = appContext{}
	zeroData["applicant/reapply"] = reapplyData{}
}
