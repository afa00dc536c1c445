package award

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSampleFrameworks(t *testing.T) {
	fws := SampleFrameworks()
	if len(fws) != len(AllVariants()) {
		t.Fatalf("%d sample frameworks, want one per variant (%d)", len(fws), len(AllVariants()))
	}
	ids := map[string]bool{}
	for _, v := range AllVariants() {
		f, ok := SampleFramework(v)
		if !ok {
			t.Errorf("no sample framework for variant %q", v)
			continue
		}
		t.Run(f.ID, func(t *testing.T) {
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			if f.Variant != v || f.Version != 1 || !f.Sample {
				t.Errorf("variant %q version %d sample %v; want %q 1 true", f.Variant, f.Version, f.Sample, v)
			}
			if ids[f.ID] {
				t.Errorf("duplicate id %q", f.ID)
			}
			ids[f.ID] = true
			prefix := map[Track]string{CaringSchools: "cs-", LearningHomes: "lh-"}[f.Track()]
			if !strings.HasPrefix(f.ID, prefix) {
				t.Errorf("id %q should start with %q", f.ID, prefix)
			}
			if !strings.Contains(f.Title, "(sample content)") || !strings.HasPrefix(f.Title, f.Track().Title()) {
				t.Errorf("title %q should start with %q and say (sample content)", f.Title, f.Track().Title())
			}
			if len(f.Areas) != 4 {
				t.Fatalf("%d areas, want 4", len(f.Areas))
			}
			wantAreas := []string{"LD", "RB", "WB", "LA"}
			for i, a := range f.Areas {
				if a.Code != wantAreas[i] {
					t.Errorf("area %d code %q, want %q", i+1, a.Code, wantAreas[i])
				}
				if n := len(a.Standards); n < 3 || n > 5 {
					t.Errorf("area %s has %d standards, want 3–5", a.Code, n)
				}
				for j, s := range a.Standards {
					if want := a.Code + string(rune('1'+j)); s.Code != want {
						t.Errorf("standard %q in area %s should be %q", s.Code, a.Code, want)
					}
				}
			}
			b, s, g := len(f.StandardsFor(Bronze)), len(f.StandardsFor(Silver)), len(f.StandardsFor(Gold))
			if !(0 < b && b < s && s < g) {
				t.Errorf("standards per level bronze=%d silver=%d gold=%d; want some from silver and some only at gold", b, s, g)
			}
			if g != len(f.Standards()) {
				t.Errorf("StandardsFor(Gold) = %d, Standards() = %d", g, len(f.Standards()))
			}
			if got, ok := SampleFrameworkVersion(f.ID, f.Version); !ok || got.ID != f.ID {
				t.Errorf("SampleFrameworkVersion(%q, %d) not found", f.ID, f.Version)
			}
		})
	}
	if _, ok := SampleFramework("nope"); ok {
		t.Error("framework for unknown variant")
	}
	if _, ok := SampleFrameworkVersion("cs-primary", 99); ok {
		t.Error("found a version that does not exist")
	}
}

// Each variant's wording is written for its own audience: no two sample
// frameworks share most of their descriptors.
func TestSampleFrameworksAreDistinct(t *testing.T) {
	fws := SampleFrameworks()
	texts := make([]map[string]bool, len(fws))
	for i, f := range fws {
		texts[i] = map[string]bool{}
		for _, s := range f.Standards() {
			for _, l := range AwardLevels() {
				if d := s.Descriptors.For(l); d != "" {
					texts[i][d] = true
				}
			}
		}
	}
	for i := range fws {
		for j := i + 1; j < len(fws); j++ {
			shared := 0
			for d := range texts[i] {
				if texts[j][d] {
					shared++
				}
			}
			if shared*4 > len(texts[i]) {
				t.Errorf("%s and %s share %d of %d descriptors", fws[i].ID, fws[j].ID, shared, len(texts[i]))
			}
		}
	}
	words := map[Variant][]string{
		VariantEarlyYearsSetting: {"Early Years PEP", "key person"},
		VariantEarlyYearsFoster:  {"Early Years PEP", "early learning"},
		VariantFirstYearFoster:   {"Training, Support and Development Standards", "TSD Standard 7", "12 months"},
		VariantResidentialHome:   {"shift", "registered manager"},
		VariantSecondary:         {"after 16"},
	}
	for v, ws := range words {
		f, _ := SampleFramework(v)
		b, _ := json.Marshal(f)
		for _, w := range ws {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s does not mention %q", f.ID, w)
			}
		}
	}
}

func TestSampleFrameworksAreCopies(t *testing.T) {
	f, _ := SampleFramework(VariantPrimary)
	orig := f.Areas[0].Standards[0].Title
	f.Areas[0].Standards[0].Title = "changed"
	f.Areas[1].Code = "XX"
	all := SampleFrameworks()
	all[0].Areas[0].Standards[0].Title = "changed too"
	again, _ := SampleFramework(VariantPrimary)
	if again.Areas[0].Standards[0].Title != orig || again.Areas[1].Code != "RB" {
		t.Fatal("SampleFramework returned shared state")
	}
}

const validFrameworkJSON = `{
  "id": "cs-primary", "variant": "primary", "version": 1, "title": "T (sample content)", "sample": true,
  "areas": [
    {"code": "LD", "title": "a", "standards": [
      {"code": "LD1", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "LD2", "title": "t", "from": "silver", "descriptors": {"silver": "s", "gold": "g"}},
      {"code": "LD3", "title": "t", "from": "gold", "descriptors": {"gold": "g"}}]},
    {"code": "RB", "title": "a", "standards": [
      {"code": "RB1", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "RB2", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "RB3", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}}]},
    {"code": "WB", "title": "a", "standards": [
      {"code": "WB1", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "WB2", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "WB3", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}}]},
    {"code": "LA", "title": "a", "standards": [
      {"code": "LA1", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "LA2", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}},
      {"code": "LA3", "title": "t", "from": "bronze", "descriptors": {"bronze": "b", "silver": "s", "gold": "g"}}]}
  ]
}`

func TestLoadFrameworks(t *testing.T) {
	v2 := strings.Replace(validFrameworkJSON, `"version": 1`, `"version": 2`, 1)
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"valid", map[string]string{"fw/cs-primary.json": validFrameworkJSON}, ""},
		{"two versions", map[string]string{"fw/cs-primary.json": validFrameworkJSON, "fw/cs-primary.v2.json": v2}, ""},
		{"no files", map[string]string{"fw/readme.txt": "x"}, "no framework files"},
		{"invalid framework", map[string]string{"fw/cs-primary.json": strings.Replace(validFrameworkJSON, `"code": "LA3"`, `"code": "LA2"`, 1)}, `duplicate code`},
		{"unknown field", map[string]string{"fw/cs-primary.json": strings.Replace(validFrameworkJSON, `"sample": true`, `"sample": true, "colour": "red"`, 1)}, `unknown field "colour"`},
		{"bad level", map[string]string{"fw/cs-primary.json": strings.Replace(validFrameworkJSON, `"from": "gold"`, `"from": "platinum"`, 1)}, `unknown level "platinum"`},
		{"trailing data", map[string]string{"fw/cs-primary.json": validFrameworkJSON + "{}"}, "unexpected data"},
		{"malformed", map[string]string{"fw/cs-primary.json": validFrameworkJSON[:100]}, "decoding framework"},
		{"file name mismatch", map[string]string{"fw/primary.json": validFrameworkJSON}, "file name must be cs-primary.json or cs-primary.v1.json"},
		{"duplicate version", map[string]string{"fw/cs-primary.json": validFrameworkJSON, "fw/cs-primary.v1.json": validFrameworkJSON}, "is also defined in"},
		{"id changes variant", map[string]string{"fw/cs-primary.json": validFrameworkJSON, "fw/cs-primary.v2.json": strings.Replace(v2, `"variant": "primary"`, `"variant": "secondary"`, 1)}, "is for variant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			fws, err := loadFrameworks(fsys, "fw")
			if tc.wantErr == "" {
				if err != nil || len(fws) != len(tc.files) {
					t.Fatalf("loadFrameworks = %d, %v", len(fws), err)
				}
				for i := 1; i < len(fws); i++ {
					if fws[i-1].Version >= fws[i].Version {
						t.Errorf("versions not in order")
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("loadFrameworks error = %v, want it to contain %q", err, tc.wantErr)
			}
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), "award: invalid shipped framework") {
					t.Fatalf("mustLoadFrameworks did not panic clearly: %v", r)
				}
			}()
			mustLoadFrameworks(fsys, "fw")
		})
	}
}

// The embedded files load (this is what runs at init) and a new application
// starts on the latest version while an old one keeps its own.
func TestShippedFilesAndVersionSelection(t *testing.T) {
	fws, err := loadFrameworks(frameworkFiles, "frameworks")
	if err != nil || len(fws) != 12 {
		t.Fatalf("shipped frameworks: %d, %v", len(fws), err)
	}
	saved := sampleFrameworks
	defer func() { sampleFrameworks = saved }()
	v2 := strings.Replace(validFrameworkJSON, `"version": 1`, `"version": 2`, 1)
	sampleFrameworks = mustLoadFrameworks(fstest.MapFS{
		"fw/cs-primary.v2.json": {Data: []byte(v2)},
		"fw/cs-primary.json":    {Data: []byte(validFrameworkJSON)},
	}, "fw")
	if f, ok := SampleFramework(VariantPrimary); !ok || f.Version != 2 {
		t.Errorf("SampleFramework = version %d, %v; want 2", f.Version, ok)
	}
	if f, ok := SampleFrameworkVersion("cs-primary", 1); !ok || f.Version != 1 {
		t.Errorf("SampleFrameworkVersion(1) = %d, %v", f.Version, ok)
	}
}
