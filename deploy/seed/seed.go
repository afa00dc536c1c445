// Package seed loads the sample data of the development stack: two tenants, the sample
// framework of every variant, each variant's toolkit documents in object storage, and demo
// people in every role with fixed API tokens. Loading is idempotent, so it runs at every start.
package seed

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"awardengine/award"
	"awardengine/storage/objects"
	"awardengine/storage/postgres"
)

// Tenants are the two sample local authorities: a county and a neighbouring authority that
// buys the scheme in.
var Tenants = []postgres.Tenant{
	{ID: "northshire", Name: "Northshire County Council", SenderEmail: "virtual.school@northshire.example",
		SenderName: "Northshire Virtual School", ReplyTo: "awards@northshire.example"},
	{ID: "eastmere", Name: "Eastmere Borough Council", SenderEmail: "virtual.school@eastmere.example",
		SenderName: "Eastmere Virtual School", ReplyTo: "awards@eastmere.example"},
}

// DemoPerson is a sample person and their fixed development token.
type DemoPerson struct {
	postgres.Person
	Token string
}

// People returns the demo people of a tenant, one per role (two applicants so that
// isolation between applicants can be tried, and two moderators: the first is also an
// assessor and may not moderate her own assessment, so the second, who only moderates, is
// there for the applications she assessed).
func People(tenantID string) []DemoPerson {
	mk := func(key, name string, roles ...string) DemoPerson {
		return DemoPerson{
			Person: postgres.Person{ID: "p_" + tenantID + "_" + key, TenantID: tenantID, Name: name,
				Email: key + "@" + tenantID + ".example", Roles: roles},
			Token: "demo-" + tenantID + "-" + key,
		}
	}
	return []DemoPerson{
		mk("applicant", "Asha Patel", postgres.RoleApplicant),
		mk("applicant2", "Ben Okafor", postgres.RoleApplicant),
		mk("supporter", "Sam Rivers", postgres.RoleSupporter),
		mk("assessor", "Priya Shah", postgres.RoleAssessor),
		mk("moderator", "Morgan Lee", postgres.RoleModerator, postgres.RoleAssessor),
		mk("moderator2", "Jordan Reid", postgres.RoleModerator),
		mk("admin", "Alex Morgan", postgres.RoleAdmin),
	}
}

// Load writes the sample data. It may run any number of times; a tenant already there keeps
// what its admins changed on the settings page (its name).
func Load(ctx context.Context, db *postgres.DB, store *objects.Store) error {
	for _, t := range Tenants {
		if err := db.EnsureTenant(ctx, t); err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		for _, p := range People(t.ID) {
			if _, err := db.UpsertPerson(ctx, p.Person); err != nil {
				return fmt.Errorf("person %s: %w", p.ID, err)
			}
			if err := db.StoreToken(ctx, p.ID, "demo", p.Token); err != nil {
				return err
			}
			if err := seedRoster(ctx, db, p.Person); err != nil {
				return err
			}
		}
	}
	for _, fw := range award.SampleFrameworks() {
		if err := db.UpsertFramework(ctx, fw.ID, fw.Version, string(fw.Variant), fw.Sample, fw); err != nil {
			return fmt.Errorf("framework %s: %w", fw.ID, err)
		}
		if err := loadToolkit(ctx, db, store, fw); err != nil {
			return err
		}
	}
	return nil
}

// loadToolkit stores the workbook and guidance of a variant, written from its framework.
func loadToolkit(ctx context.Context, db *postgres.DB, store *objects.Store, fw award.Framework) error {
	docs := []struct{ filename, title, body string }{
		{string(fw.Variant) + "-workbook.md", fw.Title + ": workbook", workbook(fw)},
		{string(fw.Variant) + "-guidance.md", fw.Title + ": guidance for applicants", guidance(fw)},
	}
	for _, d := range docs {
		key := "toolkits/" + fw.ID + "/v" + fmt.Sprint(fw.Version) + "/" + d.filename
		exists, err := store.Exists(ctx, key)
		if err != nil {
			return err
		}
		if !exists {
			if err := store.Put(ctx, key, "text/markdown", strings.NewReader(d.body), int64(len(d.body))); err != nil {
				return err
			}
		}
		if err := db.UpsertToolkitDocument(ctx, postgres.ToolkitDocument{Variant: string(fw.Variant), Filename: d.filename,
			Title: d.title, ContentType: "text/markdown", ObjectKey: key}); err != nil {
			return err
		}
	}
	return nil
}

func workbook(fw award.Framework) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s — workbook\n\n_Sample content: replace with your authority's own toolkit._\n\n", fw.Title)
	for _, a := range fw.Areas {
		fmt.Fprintf(&b, "## %s %s\n\n", a.Code, a.Title)
		for _, s := range a.Standards {
			fmt.Fprintf(&b, "### %s %s (from %s)\n\n", s.Code, s.Title, s.From)
			for _, l := range award.AwardLevels() {
				if d := s.Descriptors.For(l); d != "" {
					fmt.Fprintf(&b, "- **%s**: %s\n", l.Title(), d)
				}
			}
			b.WriteString("\nYour evidence:\n\n\n")
		}
	}
	return b.String()
}

func guidance(fw award.Framework) string {
	return fmt.Sprintf(`# %s — guidance

_Sample content._

1. Read the workbook and note, for each standard, what you already do.
2. Upload evidence (policies, plans, anonymised case studies, photos of displays) and map each file to the standards it shows.
3. Every standard of the level you aim for needs at least one piece of evidence before you can submit.
4. Once submitted, your evidence is locked; an assessor is allocated and will contact you.
`, fw.Title)
}

// seedRoster qualifies the demo assessors and moderators for both tracks and both
// specialisms, once: a profile an admin has changed since is left as it is.
func seedRoster(ctx context.Context, db *postgres.DB, p postgres.Person) error {
	if !p.Has(postgres.RoleAssessor) && !p.Has(postgres.RoleModerator) {
		return nil
	}
	cur, err := db.Assessor(ctx, p.TenantID, p.ID)
	if err != nil || len(cur.Tracks) > 0 {
		return err
	}
	prof := postgres.DefaultAssessorProfile(p.ID)
	prof.Tracks = award.Tracks()
	prof.Specialisms = []award.Specialism{award.EarlyYears, award.Residential}
	if _, err := db.UpsertAssessor(ctx, p.TenantID, prof); err != nil {
		return fmt.Errorf("roster %s: %w", p.ID, err)
	}
	return nil
}
