package devmail

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fault is what the endpoint does with the next mail/send requests instead of
// accepting them. Exactly one of Status, Down and AcceptThenDrop must be set.
type Fault struct {
	// Status answers with this HTTP status (400-599) and a SendGrid-shaped
	// {"errors":[...]} body, without looking at the request.
	Status int
	// Times is how many requests get this fault; 0 means until ClearFaults
	// (so faults queued behind it never apply). Ignored for Down.
	Times int
	// RetryAfter, for Status 429 only, sets X-RateLimit-Reset to the unix
	// second of now+RetryAfter (rounded up), with X-RateLimit-Limit and
	// X-RateLimit-Remaining: 0.
	RetryAfter time.Duration
	// Down makes the endpoint refuse service for this long, starting at the
	// first mail/send request that meets the fault: every mail/send request
	// in the window has its connection closed without a response.
	Down time.Duration
	// AcceptThenDrop stores the message (it is accepted, gets an id, and
	// OnAccepted is called) but closes the connection without answering.
	// It applies to the next request that would have been accepted; invalid
	// requests get their usual error and leave the fault queued.
	AcceptThenDrop bool
}

// rateLimitLimit is the X-RateLimit-Limit reported with injected 429s.
const rateLimitLimit = 600

func (f Fault) validate() error {
	kinds := 0
	if f.Status != 0 {
		kinds++
		if f.Status < 400 || f.Status > 599 {
			return fmt.Errorf("status %d is not an error status (400-599)", f.Status)
		}
	}
	if f.Down != 0 {
		kinds++
		if f.Down < 0 {
			return errors.New("down must not be negative")
		}
	}
	if f.AcceptThenDrop {
		kinds++
	}
	if kinds != 1 {
		return errors.New("set exactly one of status, down and accept_then_drop")
	}
	if f.Times < 0 {
		return errors.New("times must not be negative")
	}
	if f.RetryAfter < 0 {
		return errors.New("retry_after must not be negative")
	}
	if f.RetryAfter != 0 && f.Status != http.StatusTooManyRequests {
		return errors.New("retry_after only applies to status 429")
	}
	return nil
}

// pendingFault is a queued Fault; left is the number of requests it still
// applies to (0 = unlimited).
type pendingFault struct {
	Fault
	left int
}

// faultState is the fault-injection part of a Sink, guarded by Sink.fmu.
type faultState struct {
	queue      []pendingFault
	downUntil  time.Time
	attempts   int
	onAccepted func(Message)
}

// Inject queues a fault; faults apply in the order injected. It panics if f
// is not a valid Fault (see Fault).
func (s *Sink) Inject(f Fault) {
	if err := f.validate(); err != nil {
		panic("devmail: Inject: " + err.Error())
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.fs.queue = append(s.fs.queue, pendingFault{Fault: f, left: f.Times})
}

// ClearFaults drops every queued fault and ends a Down window in progress.
func (s *Sink) ClearFaults() {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.fs.queue = nil
	s.fs.downUntil = time.Time{}
}

// Attempts returns how many /v3/mail/send requests were received, including
// refused, failed and dropped ones.
func (s *Sink) Attempts() int {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.fs.attempts
}

// OnAccepted sets fn to be called, in its own goroutine, with each message
// accepted from then on (AcceptThenDrop ones included); nil removes it. The
// dev stack wires it to post signed "processed" webhook events. fn must not
// modify the message's slices and maps beyond its own copy: it gets a copy.
func (s *Sink) OnAccepted(fn func(Message)) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.fs.onAccepted = fn
}

// sendAction is what begin decided for a mail/send request.
type sendAction struct {
	drop   bool   // close the connection without answering
	status *Fault // answer with this fault's status
}

// begin counts a mail/send request and takes the fault, if any, that applies
// before the request is read. AcceptThenDrop is decided later, by accepted.
func (s *Sink) begin(post bool) sendAction {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.fs.attempts++
	now := time.Now()
	if now.Before(s.fs.downUntil) {
		return sendAction{drop: true}
	}
	if !post || len(s.fs.queue) == 0 {
		return sendAction{}
	}
	head := &s.fs.queue[0]
	switch {
	case head.Down > 0:
		s.fs.downUntil = now.Add(head.Down)
		s.fs.queue = s.fs.queue[1:]
		return sendAction{drop: true}
	case head.Status != 0:
		f := head.Fault
		s.consumeHead()
		return sendAction{status: &f}
	}
	return sendAction{}
}

// accepted is called after a message was stored: it reports whether an
// AcceptThenDrop fault applies (consuming it) and returns the OnAccepted hook.
func (s *Sink) accepted() (drop bool, hook func(Message)) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	if len(s.fs.queue) > 0 && s.fs.queue[0].AcceptThenDrop {
		s.consumeHead()
		drop = true
	}
	return drop, s.fs.onAccepted
}

// consumeHead uses the head fault once. s.fmu must be held.
func (s *Sink) consumeHead() {
	head := &s.fs.queue[0]
	if head.left == 0 {
		return // until cleared
	}
	head.left--
	if head.left == 0 {
		s.fs.queue[0] = pendingFault{}
		s.fs.queue = s.fs.queue[1:]
	}
}

// dropConnection closes the client's connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	// Not hijackable (HTTP/2, or a wrapper hiding it): abort the response,
	// which also sends nothing.
	panic(http.ErrAbortHandler)
}

func writeFault(w http.ResponseWriter, f Fault) {
	h := w.Header()
	h.Set("X-Devmail-Fault", "injected")
	if f.Status == http.StatusTooManyRequests {
		reset := time.Now().Add(f.RetryAfter)
		secs := reset.Unix()
		if reset.Nanosecond() > 0 {
			secs++
		}
		h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimitLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(secs, 10))
	}
	writeErrors(w, f.Status, apiError{Message: faultMessage(f.Status)})
}

// faultMessage is SendGrid's message for a status, where known.
func faultMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Bad Request"
	case http.StatusUnauthorized:
		return "The provided authorization grant is invalid, expired, or revoked"
	case http.StatusForbidden:
		return "access forbidden"
	case http.StatusRequestEntityTooLarge:
		return "The total size of your email, including attachments, must be less than 30MB."
	case http.StatusTooManyRequests:
		return "too many requests"
	case http.StatusInternalServerError:
		return "internal server error"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "error"
}

// faultJSON is the body of POST /dev/faults.
type faultJSON struct {
	Status            int     `json:"status"`
	Times             int     `json:"times"`
	RetryAfterSeconds float64 `json:"retry_after_seconds"`
	DownSeconds       float64 `json:"down_seconds"`
	AcceptThenDrop    bool    `json:"accept_then_drop"`
}

func seconds(v float64) (time.Duration, error) {
	if math.IsNaN(v) || v < 0 || v > 1e6 {
		return 0, fmt.Errorf("%v is not a number of seconds between 0 and 1e6", v)
	}
	return time.Duration(v * float64(time.Second)), nil
}

// handleFaults serves POST /dev/faults (queue a fault; 204) and
// DELETE /dev/faults (clear; 204).
func (s *Sink) handleFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		var in faultJSON
		if err := dec.Decode(&in); err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid fault: " + err.Error()})
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid fault: trailing data after the JSON object"})
			return
		}
		f := Fault{Status: in.Status, Times: in.Times, AcceptThenDrop: in.AcceptThenDrop}
		var err error
		if f.RetryAfter, err = seconds(in.RetryAfterSeconds); err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid fault: retry_after_seconds: " + err.Error(), Field: ptr("retry_after_seconds")})
			return
		}
		if f.Down, err = seconds(in.DownSeconds); err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid fault: down_seconds: " + err.Error(), Field: ptr("down_seconds")})
			return
		}
		if err := f.validate(); err != nil {
			writeErrors(w, http.StatusBadRequest, apiError{Message: "invalid fault: " + err.Error()})
			return
		}
		s.Inject(f)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "POST, DELETE")
		writeErrors(w, http.StatusMethodNotAllowed, apiError{Message: "method not allowed"})
	}
}

// cloneMessage copies m's slices and maps so a hook cannot alias the mailbox.
func cloneMessage(m Message) Message {
	if m.ReplyTo != nil {
		r := *m.ReplyTo
		m.ReplyTo = &r
	}
	m.To = append([]Address(nil), m.To...)
	m.Cc = append([]Address(nil), m.Cc...)
	m.Categories = append([]string(nil), m.Categories...)
	m.Raw = append(json.RawMessage(nil), m.Raw...)
	m.CustomArgs = maps.Clone(m.CustomArgs)
	return m
}
