// Package structs is the one home of the JSON API's wire types: the requests people send, the
// answers they get, and the RFC 9457 problem document every refusal is. The API (starter/api),
// the services under services/, the CLI (starter/cli) and the integration tests import it, so a
// field is declared once. Fields tagged `text:"multiline"` may hold line breaks; every other
// string of a request must be single-line clean text (the API checks every decoded string).
package structs
