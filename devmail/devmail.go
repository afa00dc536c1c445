// Package devmail is a local, SendGrid-compatible mail endpoint for
// development: it accepts POST /v3/mail/send exactly where the SendGrid v3 API
// would, validates the request the way SendGrid does in essence, and keeps
// every accepted message in a development mailbox (in memory, and optionally
// in an append-only JSON-lines file so the mailbox survives restarts).
//
// Point the application's SendGrid base URL at a server running Handler and
// read what was "sent" with GET /dev/mailbox.json or Sink.Messages (the product's web pages
// show the same mailbox to people at /dev/mailbox).
package devmail

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Address is an e-mail address with an optional display name, as in
// SendGrid's v3 API.
type Address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Message is one accepted /v3/mail/send request.
type Message struct {
	ID         string            `json:"id"` // the X-Message-Id we returned
	ReceivedAt time.Time         `json:"received_at"`
	From       Address           `json:"from"`
	ReplyTo    *Address          `json:"reply_to,omitempty"`
	To         []Address         `json:"to"` // flattened from personalizations[].to
	Cc         []Address         `json:"cc,omitempty"`
	Subject    string            `json:"subject"`        // the first personalization's subject, else the top-level one
	Text       string            `json:"text,omitempty"` // content of type text/plain
	HTML       string            `json:"html,omitempty"` // content of type text/html
	TemplateID string            `json:"template_id,omitempty"`
	CustomArgs map[string]string `json:"custom_args,omitempty"` // top-level and personalization custom_args merged
	Categories []string          `json:"categories,omitempty"`
	Raw        json.RawMessage   `json:"raw"` // the request body as received
}

// Sink receives messages and keeps them. It is safe for concurrent use.
type Sink struct {
	mu       sync.Mutex
	messages []Message
	file     *os.File // nil when memory only
	closed   bool

	fmu sync.Mutex // guards fs
	fs  faultState
}

// maxBodyBytes is SendGrid's limit on the total message size.
const maxBodyBytes = 30 << 20

// New returns a Sink. With storePath "" the mailbox lives in memory only;
// otherwise storePath is an append-only JSON-lines file (one Message per line),
// created if missing and loaded at start so the mailbox survives restarts.
func New(storePath string) (*Sink, error) {
	s := &Sink{}
	if storePath == "" {
		return s, nil
	}
	f, err := os.OpenFile(storePath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("devmail: open mailbox file: %w", err)
	}
	msgs, validEnd, err := load(f, storePath)
	if err != nil {
		f.Close()
		return nil, err
	}
	// Drop a partial last line left by a crash mid-write, so appends start on
	// a fresh line.
	if st, err := f.Stat(); err == nil && st.Size() > validEnd {
		if err := f.Truncate(validEnd); err != nil {
			f.Close()
			return nil, fmt.Errorf("devmail: truncate partial last line of %s: %w", storePath, err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("devmail: seek %s: %w", storePath, err)
	}
	s.messages = msgs
	s.file = f
	return s, nil
}

// load reads every complete line of f. It returns the messages and the offset
// just past the last complete line. A final line without a newline that does
// not parse is treated as a torn write and ignored; any other line that does
// not parse is an error.
func load(f *os.File, path string) ([]Message, int64, error) {
	var (
		msgs   []Message
		offset int64
		lineNo int
	)
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			lineNo++
			complete := line[len(line)-1] == '\n'
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				var m Message
				if uerr := json.Unmarshal(trimmed, &m); uerr != nil {
					if !complete {
						return msgs, offset, nil // torn final write
					}
					return nil, 0, fmt.Errorf("devmail: %s:%d is not a valid message (%v): fix or delete that line", path, lineNo, uerr)
				}
				msgs = append(msgs, m)
			}
			if complete {
				offset += int64(len(line))
			} else if len(trimmed) > 0 {
				// A complete JSON object without its newline: keep it and
				// terminate the line so the next append starts cleanly.
				if _, werr := f.WriteAt([]byte("\n"), offset+int64(len(line))); werr != nil {
					return nil, 0, fmt.Errorf("devmail: repair %s: %w", path, werr)
				}
				offset += int64(len(line)) + 1
			}
		}
		if err == io.EOF {
			return msgs, offset, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("devmail: read %s: %w", path, err)
		}
	}
}

// Messages returns a copy of the mailbox, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Close closes the mailbox file. Messages stays readable; later sends are
// refused with 503.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.file != nil {
		err := s.file.Close()
		s.file = nil
		return err
	}
	return nil
}

func (s *Sink) store(m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("mailbox is closed")
	}
	if s.file != nil {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if _, err := s.file.Write(b); err != nil {
			return fmt.Errorf("append to mailbox file: %w", err)
		}
	}
	s.messages = append(s.messages, m)
	return nil
}

// Handler serves
//
//	POST   /v3/mail/send      SendGrid v3 mail send: 202 + X-Message-Id, or SendGrid's errors JSON
//	GET    /dev/mailbox.json  {"messages":[...]} oldest first; ?to=email keeps messages to/cc that address
//	POST   /dev/faults        queue a Fault: {"status","times","retry_after_seconds","down_seconds","accept_then_drop"}; 204
//	DELETE /dev/faults        clear queued faults; 204
func (s *Sink) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v3/mail/send", s.handleSend)
	mux.HandleFunc("/dev/mailbox.json", s.handleMailbox)
	mux.HandleFunc("/dev/faults", s.handleFaults)
	return mux
}

func (s *Sink) handleMailbox(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeErrors(w, http.StatusMethodNotAllowed, apiError{Message: "method not allowed"})
		return
	}
	msgs := s.Messages()
	if to := strings.TrimSpace(r.URL.Query().Get("to")); to != "" {
		kept := msgs[:0]
		for _, m := range msgs {
			if hasAddress(m.To, to) || hasAddress(m.Cc, to) {
				kept = append(kept, m)
			}
		}
		msgs = kept
	}
	if msgs == nil {
		msgs = []Message{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Messages []Message `json:"messages"`
	}{msgs})
}

func hasAddress(list []Address, email string) bool {
	for _, a := range list {
		if strings.EqualFold(a.Email, email) {
			return true
		}
	}
	return false
}

func (s *Sink) handleSend(w http.ResponseWriter, r *http.Request) {
	switch act := s.begin(r.Method == http.MethodPost); {
	case act.drop:
		dropConnection(w)
		return
	case act.status != nil:
		writeFault(w, *act.status)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeErrors(w, http.StatusMethodNotAllowed, apiError{Message: "method not allowed"})
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		writeErrors(w, http.StatusUnauthorized, apiError{Message: "authorization required"})
		return
	}
	scheme, key, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		writeErrors(w, http.StatusUnauthorized, apiError{Message: "The provided authorization grant is invalid, expired, or revoked"})
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeErrors(w, http.StatusRequestEntityTooLarge, apiError{Message: "The total size of your email, including attachments, must be less than 30MB."})
			return
		}
		writeErrors(w, http.StatusBadRequest, apiError{Message: "could not read request body"})
		return
	}

	var req sendRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeErrors(w, http.StatusBadRequest, apiError{Message: "Bad Request", Help: ptr(helpBase + "#-Request-Body-Parameters")})
		return
	}
	if errs := req.validate(); len(errs) > 0 {
		writeErrors(w, http.StatusBadRequest, errs...)
		return
	}

	id, err := newMessageID()
	if err != nil {
		writeErrors(w, http.StatusInternalServerError, apiError{Message: "could not generate a message id"})
		return
	}
	m := req.message(id, body)
	if err := s.store(m); err != nil {
		writeErrors(w, http.StatusServiceUnavailable, apiError{Message: "devmail: " + err.Error()})
		return
	}
	drop, hook := s.accepted()
	if hook != nil {
		go hook(cloneMessage(m))
	}
	if drop {
		dropConnection(w)
		return
	}
	w.Header().Set("X-Message-Id", id)
	w.WriteHeader(http.StatusAccepted)
}

// newMessageID returns 16 random bytes as unpadded URL-safe base64 (22 chars),
// the same length as SendGrid's X-Message-Id.
func newMessageID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// apiError is one entry of SendGrid's {"errors":[...]} response body.
type apiError struct {
	Message string  `json:"message"`
	Field   *string `json:"field"`
	Help    *string `json:"help"`
}

func writeErrors(w http.ResponseWriter, status int, errs ...apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Errors []apiError `json:"errors"`
	}{errs})
}

func ptr(s string) *string { return &s }
