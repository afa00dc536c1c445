package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"awardengine/structs"
)

const maxBody = 1 << 20

// decode reads exactly one JSON object into v, refusing unknown fields, trailing data and
// bodies over 1 MiB, with a message that says what is wrong and where. Every string decoded
// is then checked (structs.CheckStrings): no control characters, and no line breaks outside fields
// tagged `text:"multiline"`, so nothing a journey or the database cannot hold gets further.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type", Title: "Unsupported media type",
			Detail: "send application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bodyProblem(err)
	}
	return decodeBytes(body, v)
}

// decodeBytes is decode once the body is read: JSON's decoder would quietly turn bytes that
// are not UTF-8 into U+FFFD, so they are refused first.
func decodeBytes(body []byte, v any) error {
	if !utf8.Valid(body) {
		return badRequest("malformed-json", fmt.Sprintf("the body is not valid UTF-8 (at byte %d)", invalidUTF8At(body)+1))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyProblem(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest("malformed-json", "the body must hold a single JSON object")
	}
	return structs.CheckStrings(v)
}

// invalidUTF8At is the offset of the first byte of b that is not part of valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// bodyProblem describes a body that could not be decoded: a body that did not arrive in time
// (the server's read timeout) is 408, anything else 400.
func bodyProblem(err error) *problem {
	if timedOut(err) {
		return &problem{Status: http.StatusRequestTimeout, Type: "request-timeout", Title: "Request timeout",
			Detail: "the body did not arrive in time; nothing was changed"}
	}
	return badRequest("malformed-json", describeJSONError(err))
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type)
	case errors.As(err, &tooBig):
		return "the body is larger than 1 MiB"
	case errors.Is(err, io.EOF):
		return "the body is empty: send a JSON object"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "malformed JSON: " + err.Error()
	}
}

// decodeOptional is decode for actions whose body may be left out (an empty body is {}).
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(r, v)
}
