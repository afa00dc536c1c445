package award

import "fmt"

// InputError reports bad input from a person or a file: Field names the input
// (for example "track", "variant", "level", "filename", "size",
// "content_type", "sha256", "portfolio") and Message says what is wrong and,
// where it helps, what would be accepted. Message is a complete sentence
// fragment that names the offending value, written to be shown to the person
// as is (for example in an application/problem+json "detail").
type InputError struct {
	Field   string
	Message string
}

// Error returns the message (which already names the field's value), or
// "invalid <field>" if there is no message.
func (e *InputError) Error() string {
	if e.Message == "" {
		return "invalid " + e.Field
	}
	return e.Message
}

func inputErr(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}
