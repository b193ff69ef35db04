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
func parseHead(b []byte, take func(method, path string) bool) (h head, complete, ok bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return h, false, false
	}
	h.size = end + 4
	rest := b[:end+2] // each line with its CRLF
	line, rest, _ := bytes.Cut(rest, []byte("\r\n"))
	if bytes.IndexByte(line, '\n') >= 0 {
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
	for _, c := range target {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return h, true, false
		}
	}
	path := target
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		path = target[:i]
	}
	h.method = methodString(method)
	if !take(h.method, string(path)) {
		return h, true, false
	}
	h.uri = string(target)
	h.path = h.uri[:len(path)]
	u, err := url.ParseRequestURI(h.uri)
	if err != nil {
		return h, true, false // net/http answers 400
	}
	h.url = u

	h.header = make(http.Header, 8)
	hosts, lengths, n := 0, 0, 0
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		n++
		if n > maxHeaders || bytes.IndexByte(line, '\n') >= 0 {
			return h, true, false
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return h, true, false // no name, or a folded line (leading space)
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		for _, c := range name {
			if !httpguts.IsTokenRune(rune(c)) {
				return h, true, false
			}
		}
		if !httpguts.ValidHeaderFieldValue(string(value)) {
			return h, true, false
		}
		key := canonicalKey(name)
		switch key {
		case "Host":
			hosts++
			if hosts > 1 || !httpguts.ValidHostHeader(string(value)) {
				return h, true, false
			}
			h.host = string(value)
			continue // net/http moves Host out of the header map
		case "Content-Length":
			lengths++
			l, err := strconv.ParseUint(string(value), 10, 63)
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
		h.header[key] = append(h.header[key], string(value))
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

func asciiEqualFold(b []byte, s string) bool {
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
