package httplane

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// response is the lane's http.ResponseWriter: it keeps the answer and
// writes its head and body in one write when the handler returns, or,
// after a Flush, sends the head at once and the rest of the body in
// chunks.
type response struct {
	c          *conn
	req        *http.Request
	header     http.Header
	status     int    // 0 until the handler writes a header or a byte
	body       []byte // the body kept so far (until sent)
	out        []byte // the head and body to write, kept between requests
	sent       bool   // the head is on the wire
	chunked    bool
	closeAfter bool
	err        error
}

func (w *response) Header() http.Header { return w.header }

// WriteHeader keeps the status; informational (1xx) answers are not
// sent, and an invalid status answers 500, where net/http panics.
func (w *response) WriteHeader(code int) {
	if w.status != 0 || w.sent {
		return
	}
	switch {
	case code < 100 || code > 999:
		w.c.s.logf("httplane: invalid WriteHeader code %d", code)
		w.status = http.StatusInternalServerError
	case code < 200:
	default:
		w.status = code
	}
}

func (w *response) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.sent {
		return w.writeChunk(p)
	}
	w.body = append(w.body, p...)
	if len(w.body) > maxKept {
		return len(p), w.FlushError()
	}
	return len(p), nil
}

// maxKept is how much of a body the lane keeps before it sends what it
// has (chunked) and streams the rest: a large export is not held whole.
const maxKept = 256 << 10

func (w *response) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.sent || !bodyAllowed(w.status) || w.err != nil || len(w.body)+len(s) > maxKept {
		return w.Write([]byte(s))
	}
	w.body = append(w.body, s...)
	return len(s), nil
}

// FlushError sends the head and what is kept of the body now; the rest
// of the body goes out in chunks as it is written.
func (w *response) FlushError() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.err != nil || w.sent {
		return w.err
	}
	w.sent, w.chunked = true, bodyAllowed(w.status)
	w.out = w.appendHead(w.out[:0], -1)
	if w.chunked && len(w.body) > 0 {
		w.out = appendChunk(w.out, w.body)
	}
	w.body = w.body[:0]
	_, w.err = w.c.io.Write(w.out)
	return w.err
}

func (w *response) Flush() { _ = w.FlushError() }

// SetReadDeadline is for reading the request's body, which the lane has
// read whole already.
func (w *response) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline sets the connection's; the lane renews it from the
// next request on.
func (w *response) SetWriteDeadline(t time.Time) error {
	w.c.writeDeadline = t
	return w.c.c.SetWriteDeadline(t)
}

func (w *response) writeChunk(p []byte) (int, error) {
	if !w.chunked || len(p) == 0 {
		return len(p), nil
	}
	w.out = appendChunk(w.out[:0], p)
	if _, w.err = w.c.io.Write(w.out); w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

// finish writes the answer once the handler has returned.
func (w *response) finish() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.sent {
		if w.chunked && w.err == nil {
			_, w.err = w.c.io.Write([]byte("0\r\n\r\n"))
		}
		w.release()
		return w.err
	}
	n := len(w.body)
	w.out = w.appendHead(w.out[:0], n)
	if bodyAllowed(w.status) {
		w.out = append(w.out, w.body...)
	}
	_, w.err = w.c.io.Write(w.out)
	w.release()
	return w.err
}

// release drops a large answer's buffers rather than keep them for the
// connection's life.
func (w *response) release() {
	if cap(w.out) > 64<<10 || cap(w.body) > 64<<10 {
		w.out, w.body = nil, nil
	}
}

// appendHead appends the status line and the headers: the handler's,
// sorted, then Date, a sniffed Content-Type if there is none, Connection:
// close when the connection ends after this answer, and the framing
// (Content-Length length, or chunked when length is -1).
func (w *response) appendHead(b []byte, length int) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	if text := http.StatusText(w.status); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(w.status), 10)
	}
	b = append(b, "\r\n"...)

	h := w.header
	if v, ok := h["Connection"]; ok && len(v) > 0 && v[0] == "close" || w.req.Close || w.c.s.closing.Load() {
		w.closeAfter = true
		h["Connection"] = []string{"close"}
	}
	delete(h, "Content-Length")
	delete(h, "Transfer-Encoding")
	var keysArr [16]string
	keys := keysArr[:0]
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range h[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	if _, ok := h["Date"]; !ok {
		b = append(b, "Date: "...)
		b = append(b, httpDate()...)
		b = append(b, "\r\n"...)
	}
	allowed := bodyAllowed(w.status)
	if _, ok := h["Content-Type"]; !ok && allowed && len(w.body) > 0 {
		b = append(b, "Content-Type: "...)
		b = append(b, http.DetectContentType(w.body)...)
		b = append(b, "\r\n"...)
	}
	switch {
	case !allowed:
	case length < 0:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	default:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(length), 10)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendValue appends a header value with line breaks turned into spaces,
// as net/http sends it.
func appendValue(b []byte, v string) []byte {
	if !strings.ContainsAny(v, "\r\n") { // the usual value: as it is
		return append(b, v...)
	}
	for i := range len(v) {
		if c := v[i]; c == '\r' || c == '\n' {
			b = append(b, ' ')
		} else {
			b = append(b, c)
		}
	}
	return b
}

func appendChunk(b, p []byte) []byte {
	b = strconv.AppendInt(b, int64(len(p)), 16)
	b = append(b, "\r\n"...)
	b = append(b, p...)
	return append(b, "\r\n"...)
}

// bodyAllowed reports whether an answer with this status has a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// date is the Date header of the current second.
type date struct {
	unix int64
	text string
}

var lastDate atomic.Pointer[date]

func httpDate() string {
	now := time.Now()
	if d := lastDate.Load(); d != nil && d.unix == now.Unix() {
		return d.text
	}
	d := &date{unix: now.Unix(), text: now.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}
