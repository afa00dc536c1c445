package structs

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"awardengine/award"
)

// Every string a request carries is checked once, here, before anything reaches a journey or
// the database: one walk over the decoded value (structs, pointers, slices, maps and their
// keys) with award.CheckText. A string is single-line unless its struct field is tagged
// `text:"multiline"` (feedback, notes, rationale: paragraphs); the tag covers the strings
// inside the field too (a list of reasons, a map of comments). Map keys are always
// single-line. A field is named by its JSON path: "note", "ratings.LD1", "standards[2]".

// textTag is the struct tag that marks multi-line text.
const textTag = "text"

// maxTextErrors bounds the fields one answer lists.
const maxTextErrors = 20

// CheckStrings returns a 422 problem naming every field of v holding text that is not clean,
// or nil. Every adapter (the JSON API, the web forms) runs it on what it decoded.
func CheckStrings(v any) error {
	w := textWalk{}
	w.value(reflect.ValueOf(v), "", award.SingleLine)
	if len(w.errs) == 0 {
		return nil
	}
	p := Invalid(w.errs[0].Field, w.errs[0].Message)
	p.Errors = w.errs
	if len(w.errs) > 1 {
		p.Detail += fmt.Sprintf(" (and %d more)", len(w.errs)-1)
	}
	return p
}

type textWalk struct {
	errs []FieldError
}

func (w *textWalk) check(path, s string, kind award.TextKind) {
	if len(w.errs) >= maxTextErrors {
		return
	}
	if path == "" {
		path = "body"
	}
	if err := award.CheckText(path, s, kind); err != nil {
		var in *award.InputError
		if errors.As(err, &in) {
			w.errs = append(w.errs, FieldError{Field: in.Field, Message: in.Message})
		}
	}
}

func (w *textWalk) value(v reflect.Value, path string, kind award.TextKind) {
	switch v.Kind() {
	case reflect.String:
		w.check(path, v.String(), kind)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.value(v.Elem(), path, kind)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			fieldKind := kind
			if f.Tag.Get(textTag) == "multiline" {
				fieldKind = award.MultiLine
			}
			if f.Anonymous && name == "" {
				w.value(v.Field(i), path, fieldKind) // embedded: its fields are the parent's
				continue
			}
			if name == "" {
				name = f.Name
			}
			w.value(v.Field(i), join(path, name), fieldKind)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // []byte is base64 in JSON, not text
		}
		for i := range v.Len() {
			w.value(v.Index(i), path+"["+strconv.Itoa(i)+"]", kind)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		for _, k := range keys {
			if k.Kind() == reflect.String {
				if err := award.CheckText("", k.String(), award.SingleLine); err != nil {
					// The key itself cannot name the field: it is the bad text.
					w.check(path+" (a key)", k.String(), award.SingleLine)
					continue
				}
			}
			w.value(v.MapIndex(k), join(path, fmt.Sprint(k.Interface())), kind)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// CheckPathAndQuery refuses a path or query parameters holding anything but clean single-line
// text: they reach database queries (search, filters, ids) as they are.
func CheckPathAndQuery(path string, query url.Values) error {
	if err := award.CheckText("path", path, award.SingleLine); err != nil {
		return BadRequest("malformed-path", "the path is not clean text: "+err.Error())
	}
	w := textWalk{}
	names := make([]string, 0, len(query))
	for name := range query {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if award.CheckText("", name, award.SingleLine) != nil {
			w.check("query parameter name", name, award.SingleLine)
			continue
		}
		for _, v := range query[name] {
			w.check(name, v, award.SingleLine)
		}
	}
	if len(w.errs) == 0 {
		return nil
	}
	p := Invalid(w.errs[0].Field, w.errs[0].Message)
	p.Errors = w.errs
	return p
}
