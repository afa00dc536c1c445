package award

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The shipped frameworks: one JSON file per variant (sample content). A new
// version of a framework is added as a new file (<id>.v<version>.json) next to
// the old one, which is kept so that applications started on it are still
// assessed on it.
//
//go:embed frameworks/*.json
var frameworkFiles embed.FS

var sampleFrameworks = mustLoadFrameworks(frameworkFiles, "frameworks")

// mustLoadFrameworks is loadFrameworks that panics, so that a broken shipped
// file stops the program at start-up rather than at the first assessment.
func mustLoadFrameworks(fsys fs.FS, dir string) []Framework {
	fws, err := loadFrameworks(fsys, dir)
	if err != nil {
		panic("award: invalid shipped framework: " + err.Error())
	}
	return fws
}

// loadFrameworks reads every *.json file in dir, strictly (unknown fields,
// trailing data and invalid frameworks are errors). A file must be named
// <id>.json or <id>.v<version>.json; (id, version) pairs must be unique, and
// one id must always mean the same variant. The result is sorted by variant
// (AllVariants order), then id, then version.
func loadFrameworks(fsys fs.FS, dir string) ([]Framework, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no framework files in %s", dir)
	}
	var out []Framework
	type key struct {
		id      string
		version int
	}
	seen := map[key]string{}
	variantOf := map[string]Variant{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		f, err := decodeFramework(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		base := strings.TrimSuffix(path.Base(name), ".json")
		if base != f.ID && base != fmt.Sprintf("%s.v%d", f.ID, f.Version) {
			return nil, fmt.Errorf("%s: file name must be %s.json or %s.v%d.json (from its id and version)", name, f.ID, f.ID, f.Version)
		}
		k := key{f.ID, f.Version}
		if other, dup := seen[k]; dup {
			return nil, fmt.Errorf("%s: framework %q version %d is also defined in %s", name, f.ID, f.Version, other)
		}
		seen[k] = name
		if v, ok := variantOf[f.ID]; ok && v != f.Variant {
			return nil, fmt.Errorf("%s: framework %q is for variant %q here but %q in another version", name, f.ID, f.Variant, v)
		}
		variantOf[f.ID] = f.Variant
		out = append(out, f)
	}
	order := map[Variant]int{}
	for i, v := range AllVariants() {
		order[v] = i
	}
	slices.SortFunc(out, func(a, b Framework) int {
		if c := order[a.Variant] - order[b.Variant]; c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	return out, nil
}

// DecodeFramework parses one framework from JSON strictly (unknown fields and
// trailing data are errors) and validates it.
func DecodeFramework(data []byte) (Framework, error) { return decodeFramework(data) }

func decodeFramework(data []byte) (Framework, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Framework
	if err := dec.Decode(&f); err != nil {
		return Framework{}, fmt.Errorf("decoding framework: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Framework{}, fmt.Errorf("decoding framework: unexpected data after the framework object")
	}
	if err := f.Validate(); err != nil {
		return Framework{}, err
	}
	return f, nil
}

// SampleFrameworks returns every shipped framework (all versions), validated
// at start-up, ordered by variant then version. The result is a deep copy.
func SampleFrameworks() []Framework {
	out := make([]Framework, len(sampleFrameworks))
	for i, f := range sampleFrameworks {
		out[i] = cloneFramework(f)
	}
	return out
}

// SampleFramework returns the latest shipped framework version for variant v
// (the one a new application starts on).
func SampleFramework(v Variant) (Framework, bool) {
	var best *Framework
	for i := range sampleFrameworks {
		f := &sampleFrameworks[i]
		if f.Variant == v && (best == nil || f.Version > best.Version) {
			best = f
		}
	}
	if best == nil {
		return Framework{}, false
	}
	return cloneFramework(*best), true
}

// SampleFrameworkVersion returns the shipped framework with the given id and
// version (the one an existing application started on).
func SampleFrameworkVersion(id string, version int) (Framework, bool) {
	for _, f := range sampleFrameworks {
		if f.ID == id && f.Version == version {
			return cloneFramework(f), true
		}
	}
	return Framework{}, false
}
