package httplane

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"golang.org/x/net/http/httpguts"
)

// head is a request head the lane takes: everything about the request but
// its body, parsed from the connection's buffer.
type head struct {
	method, uri, path, host string
	url                     *url.URL
	header                  http.Header
	contentLength           int64
	close                   bool // Connection: close
	size                    int  // bytes of the head, up to and including the blank line
}

// maxHeaders is how many header lines the lane reads; more go to net/http.
const maxHeaders = 64

// parseHead parses the request head at the start of b, strictly: it
// returns ok only for a complete HTTP/1.1 GET or POST whose path take
// accepts, with a Host, at most one Content-Length, no Transfer-Encoding,
// Expect or Upgrade, and nothing net/http might read another way (bare
// line feeds, folded or malformed lines, invalid names or values).
// complete reports whether b holds the whole head (the blank line); when
// it does not, or ok is false, the request is net/http's.
func parseHead(b []byte, take func(method, path string) bool, memo *headMemo) (h head, complete, ok bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return h, false, false
	}
	h.size = end + 4
	rest := b[:end+2] // each line with its CRLF
	line, rest, ok := nextLine(rest)
	if !ok {
		return h, true, false
	}
	var method, target []byte
	switch {
	case bytes.HasPrefix(line, []byte("GET ")):
		method, target = line[:3], line[4:]
	case bytes.HasPrefix(line, []byte("POST ")):
		method, target = line[:4], line[5:]
	default:
		return h, true, false
	}
	target, ok = bytes.CutSuffix(target, []byte(" HTTP/1.1"))
	if !ok || len(target) == 0 || target[0] != '/' {
		return h, true, false
	}
	h.method = methodString(method)
	if memo != nil && memo.url != nil && string(target) == memo.uri {
		// The connection's last target again: checked and parsed then.
		h.uri, h.path = memo.uri, memo.path
		if !take(h.method, h.path) {
			return h, true, false
		}
		u := *memo.url
		h.url = &u
	} else {
		for _, c := range target {
			if c <= ' ' || c >= 0x7f || c == '#' {
				return h, true, false
			}
		}
		path := target
		if i := bytes.IndexByte(target, '?'); i >= 0 {
			path = target[:i]
		}
		h.uri = string(target)
		h.path = h.uri[:len(path)]
		if !take(h.method, h.path) {
			return h, true, false
		}
		u, err := url.ParseRequestURI(h.uri)
		if err != nil {
			return h, true, false // net/http answers 400
		}
		h.url = u
		if memo != nil {
			memo.uri, memo.path = h.uri, h.path
			memo.url = new(url.URL)
			*memo.url = *u
		}
	}

	// Every value is a window of one array (capped: an append copies).
	values := make([]string, 0, bytes.Count(rest, []byte("\n")))
	h.header = make(http.Header, 8)
	hosts, lengths, n := 0, 0, 0
	for len(rest) > 0 {
		if line, rest, ok = nextLine(rest); !ok {
			return h, true, false
		}
		n++
		if n > maxHeaders {
			return h, true, false
		}
		key, value, ok := memo.line(line)
		if !ok {
			if key, value, ok = headerLine(line); !ok {
				return h, true, false
			}
			memo.keep(line, key, value)
		}
		switch key {
		case "Host":
			hosts++
			if hosts > 1 {
				return h, true, false
			}
			h.host = value
			continue // net/http moves Host out of the header map
		case "Content-Length":
			lengths++
			l, err := strconv.ParseUint(value, 10, 63)
			if lengths > 1 || err != nil || len(value) == 0 || value[0] == '+' {
				return h, true, false
			}
			h.contentLength = int64(l)
		case "Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer":
			return h, true, false
		case "Connection":
			switch {
			case asciiEqualFold(value, "keep-alive"):
			case asciiEqualFold(value, "close"):
				h.close = true
			default:
				return h, true, false
			}
		}
		values = append(values, value)
		if vs, ok := h.header[key]; ok {
			h.header[key] = append(vs, value)
		} else {
			h.header[key] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	if hosts != 1 || h.method == http.MethodGet && h.contentLength != 0 {
		return h, true, false
	}
	// As net/http (RFC 7234, section 5.4): Pragma: no-cache without a
	// Cache-Control means Cache-Control: no-cache.
	if p := h.header["Pragma"]; len(p) > 0 && p[0] == "no-cache" {
		if _, ok := h.header["Cache-Control"]; !ok {
			h.header["Cache-Control"] = []string{"no-cache"}
		}
	}
	return h, true, true
}

// nextLine cuts the first line off b, which ends with CRLF: not ok when
// the line holds a bare LF.
func nextLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 1 || b[i-1] != '\r' {
		return nil, nil, false
	}
	return b[:i-1], b[i+1:], true
}

// headerLine checks one header line (without its CRLF) as net/http would,
// and returns its canonical name and its value. A Host's value is checked
// as a host.
func headerLine(line []byte) (key, value string, ok bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return "", "", false // no name, or a folded line (leading space)
	}
	name, v := line[:colon], trimOWS(line[colon+1:])
	for _, c := range name {
		if !httpguts.IsTokenRune(rune(c)) {
			return "", "", false
		}
	}
	value = string(v)
	if !httpguts.ValidHeaderFieldValue(value) {
		return "", "", false
	}
	key = canonicalKey(name)
	if key == "Host" && !httpguts.ValidHostHeader(value) {
		return "", "", false
	}
	return key, value, true
}

// headMemo is what a connection remembers of its last requests' heads: a
// client sends the same target and header lines again and again, and each
// is checked and turned into strings once, not per request. Nil remembers
// nothing.
type headMemo struct {
	uri, path string
	url       *url.URL // as parsed from uri; copied for each request
	lines     []memoLine
	bytes     int // of lines' raw text
}

// memoLine is a header line as checked by headerLine.
type memoLine struct {
	raw, key, value string
}

// maxMemoLines and maxMemoBytes bound the header lines a headMemo keeps,
// in number and in text (then it starts again): a connection's memo
// holds no more than one head's worth.
const (
	maxMemoLines = 16
	maxMemoBytes = 4 << 10
)

// line returns what headerLine said of line when the memo has it.
func (m *headMemo) line(line []byte) (key, value string, ok bool) {
	if m == nil {
		return "", "", false
	}
	for i := range m.lines {
		if string(line) == m.lines[i].raw {
			return m.lines[i].key, m.lines[i].value, true
		}
	}
	return "", "", false
}

// keep remembers what headerLine said of line.
func (m *headMemo) keep(line []byte, key, value string) {
	if m == nil {
		return
	}
	if len(m.lines) >= maxMemoLines || m.bytes+len(line) > maxMemoBytes {
		clear(m.lines) // let go of the strings
		m.lines, m.bytes = m.lines[:0], 0
	}
	if len(line) > maxMemoBytes {
		return
	}
	m.lines = append(m.lines, memoLine{raw: string(line), key: key, value: value})
	m.bytes += len(line)
}

func methodString(m []byte) string {
	if len(m) == 3 {
		return http.MethodGet
	}
	return http.MethodPost
}

// trimOWS trims the optional white space (spaces and tabs) around a value.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// common are the header names requests usually carry, canonical, so that
// reading them allocates nothing.
var common = []string{
	"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
	"Connection", "Content-Length", "Content-Type", "Cookie", "Host", "Origin",
	"Pragma", "Referer", "User-Agent", "X-Request-Id", "Sec-Fetch-Mode", "Sec-Fetch-Site",
	"Sec-Fetch-Dest", "Transfer-Encoding", "Expect", "Upgrade", "Te", "Trailer",
}

// canonicalKey is http.CanonicalHeaderKey of name, without allocating for
// the common names.
func canonicalKey(name []byte) string {
	for _, c := range common {
		if len(c) == len(name) && asciiEqualFold(name, c) {
			return c
		}
	}
	return http.CanonicalHeaderKey(string(name))
}

func asciiEqualFold[B []byte | string](b B, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
