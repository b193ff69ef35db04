package gqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	rg "github.com/regiongraph/regiongraph"
)

// Request is one decoded GraphQL-over-HTTP request.
type Request struct {
	Query         string
	OperationName string
	Variables     map[string]any
	Extensions    map[string]any
	// GET is true for a query in the URL (which may not be a mutation).
	GET bool
}

// RequestError refuses an HTTP request before GraphQL sees it: its status,
// a message that never quotes the request, and the limit it broke, if any.
type RequestError struct {
	Status  int
	Message string
	Limit   string // "" when no limit was broken
	Max     int64
	// Allow is the Allow header of a 405.
	Allow string
}

func (e *RequestError) Error() string { return e.Message }

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// DecodeRequest reads a GraphQL request from r: a GET with the query in the
// URL, or a POST whose body is one JSON object and whose Content-Type is
// application/json or application/graphql-response+json (with no charset
// or utf-8). Anything else is a *RequestError: 405 for other methods, 415
// for other content types (form and multipart posts among them: a browser
// sends those cross-origin without a CORS preflight), 413 for a body over
// lim.MaxBodyBytes (lim.MaxAdminBodyBytes for an admin's token), 400 for a body that is not UTF-8, not JSON, nests deeper
// than lim.MaxJSONDepth, is a batch (a JSON array) or has parameters of the
// wrong type. Messages describe what is wrong and never quote the input.
func DecodeRequest(r *http.Request, lim Limits) (*Request, *RequestError) {
	req := &Request{}
	if _, _, err := decodeRequest(r, lim, req, nil); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeRequest is DecodeRequest into req (left part-filled on an error).
// With preps, a POST body prepared before is not decoded again: its
// prepared request is returned (req filled from it); else key, when not
// "", is the body, under which preps may keep the request once prepared.
func decodeRequest(r *http.Request, lim Limits, req *Request, preps *prepCache) (hit *prepared, key string, rerr *RequestError) {
	rerr = decodeRequestBody(r, lim, req, func(body []byte) bool {
		if preps == nil {
			return false
		}
		if hit = preps.get(body); hit != nil {
			*req = hit.req
			return true
		}
		return false
	}, func(body []byte) {
		if preps != nil && cacheable(body, req) {
			key = string(body)
		}
	})
	return hit, key, rerr
}

// decodeRequestBody is decodeRequest; a POST body is decoded unless known
// says it is known (req filled), and decoded is called with it after.
func decodeRequestBody(r *http.Request, lim Limits, req *Request, known func(body []byte) bool, decoded func(body []byte)) *RequestError {
	lim = lim.withDefaults()
	switch r.Method {
	case http.MethodGet:
		return decodeGET(r.URL.RawQuery, lim, req)
	case http.MethodPost:
	default:
		return &RequestError{Status: http.StatusMethodNotAllowed, Allow: "GET, POST",
			Message: "this method is not allowed: use GET or POST"}
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	maxBody, limit := lim.MaxBodyBytes, LimitBodyBytes
	if p, ok := rg.PrincipalFrom(r.Context()); ok && p.Role.Allows(rg.RoleAdmin) {
		maxBody, limit = lim.MaxAdminBodyBytes, LimitAdminBodyBytes
	}
	if r.ContentLength > maxBody {
		return bodyTooLarge(limit, maxBody)
	}
	buf := bodyBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 {
			buf.Reset()
			bodyBufs.Put(buf)
		}
	}()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	err := readAtMost(buf, r.Body, maxBody+1)
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return bodyTooLarge(limit, mbe.Limit)
		}
		return &RequestError{Status: http.StatusRequestTimeout, Message: "the request body could not be read in time"}
	}
	if int64(len(body)) > maxBody {
		return bodyTooLarge(limit, maxBody)
	}
	if known(body) {
		return nil
	}
	if err := decodeBody(body, lim, req); err != nil {
		return err
	}
	decoded(body)
	return nil
}

// readAtMost is buf.ReadFrom(io.LimitReader(r, n)) without the reader
// made for it.
func readAtMost(buf *bytes.Buffer, r io.Reader, n int64) error {
	for n > 0 {
		buf.Grow(bytes.MinRead)
		b := buf.AvailableBuffer()
		b = b[:cap(b)]
		if int64(len(b)) > n {
			b = b[:n]
		}
		m, err := r.Read(b)
		buf.Write(b[:m])
		n -= int64(m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bodyBufs hold the bodies being decoded (nothing decoded refers to them).
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func bodyTooLarge(limit string, max int64) *RequestError {
	return &RequestError{Status: http.StatusRequestEntityTooLarge, Limit: limit, Max: max,
		Message: fmt.Sprintf("the request body is too large; the limit %s is %d", limit, max)}
}

func checkContentType(ct string) *RequestError {
	switch ct {
	case "application/json", "application/json; charset=utf-8", "application/graphql-response+json":
		return nil // what clients send, without parsing (a map) on every request
	case "":
		return &RequestError{Status: http.StatusUnsupportedMediaType,
			Message: "a POST needs Content-Type: application/json"}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return &RequestError{Status: http.StatusUnsupportedMediaType, Message: "the Content-Type header is malformed; use application/json"}
	}
	switch mt {
	case "application/json", "application/graphql-response+json":
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return &RequestError{Status: http.StatusUnsupportedMediaType,
			Message: "form, multipart and text posts are refused (browsers send them cross-origin without a CORS preflight); POST application/json"}
	default:
		return &RequestError{Status: http.StatusUnsupportedMediaType,
			Message: "unsupported Content-Type; POST application/json"}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return &RequestError{Status: http.StatusUnsupportedMediaType, Message: "the body must be UTF-8 (charset=utf-8)"}
	}
	return nil
}

func decodeGET(rawQuery string, lim Limits, req *Request) *RequestError {
	vals, err := url.ParseQuery(rawQuery)
	if err != nil {
		return badRequest("the URL query string is malformed")
	}
	req.GET = true
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return badRequest("a URL parameter is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return badRequest("a URL parameter is not valid UTF-8")
			}
		}
	}
	if len(vals["query"]) != 1 {
		return badRequest("a GET needs exactly one query parameter")
	}
	req.Query = vals.Get("query")
	if req.Query == "" {
		return badRequest("the query parameter is empty")
	}
	req.OperationName = vals.Get("operationName")
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &req.Variables}, {"extensions", &req.Extensions}} {
		s := vals.Get(p.name)
		if s == "" {
			continue
		}
		raw := []byte(s)
		if err := checkJSON(raw, lim.MaxJSONDepth, lim.MaxJSONItems); err != nil {
			err.Message = "the " + p.name + " parameter: " + err.Message
			return err
		}
		m, err := decodeObject(raw, p.name)
		if err != nil {
			return err
		}
		*p.dst = m
	}
	return nil
}

// DecodeBody decodes a POST body: one JSON object with a string "query" and
// optional "operationName" (string), "variables" and "extensions" (objects);
// null stands for a missing parameter. Other members are ignored.
func DecodeBody(body []byte, lim Limits) (*Request, *RequestError) {
	req := &Request{}
	if err := decodeBody(body, lim, req); err != nil {
		return nil, err
	}
	return req, nil
}

// decodeBody is DecodeBody into req (left part-filled on an error).
func decodeBody(body []byte, lim Limits, req *Request) *RequestError {
	lim = lim.withDefaults()
	if err := checkJSON(body, lim.MaxJSONDepth, lim.MaxJSONItems); err != nil {
		return err
	}
	// body is one valid JSON object: its members are found where they are,
	// without decoding the rest (the last of a name counts, as when
	// decoding into a map).
	var q, op, vars, exts []byte
	ok := members(body, func(key, val []byte) {
		switch k := keyName(key); {
		case string(k) == "query":
			q = val
		case string(k) == "operationName":
			op = val
		case string(k) == "variables":
			vars = val
		case string(k) == "extensions":
			exts = val
		}
	})
	if !ok {
		return badRequest("the body must be one JSON object with a query")
	}
	if q == nil || isNull(q) {
		return badRequest("the body has no query")
	}
	var err error
	if req.Query, err = stringValue(q); err != nil {
		return badRequest("query must be a string")
	}
	if req.Query == "" {
		return badRequest("the query is empty")
	}
	if op != nil && !isNull(op) {
		if req.OperationName, err = stringValue(op); err != nil {
			return badRequest("operationName must be a string or null")
		}
	}
	for _, p := range []struct {
		name string
		raw  []byte
		dst  *map[string]any
	}{{"variables", vars, &req.Variables}, {"extensions", exts, &req.Extensions}} {
		if p.raw == nil || isNull(p.raw) {
			continue
		}
		m, err := decodeObject(p.raw, p.name)
		if err != nil {
			return err
		}
		*p.dst = m
	}
	return nil
}

// members calls fn with the key (quoted, as written) and the value (as
// written) of each member of the JSON object b, which checkJSON has found
// valid; false if b is not an object after all.
func members(b []byte, fn func(key, val []byte)) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		k := valueEnd(b, i)
		if k < 0 || b[i] != '"' {
			return false
		}
		key := b[i:k]
		i = skipSpace(b, k)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		v := valueEnd(b, i)
		if v < 0 {
			return false
		}
		fn(key, b[i:v])
		i = skipSpace(b, v)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '}':
			return true
		case ',':
			i = skipSpace(b, i+1)
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// valueEnd returns where the JSON value starting at b[i] ends, or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := valueEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

// unescape decodes the inside of a valid JSON string literal holding the
// common escapes (\", \\, \/, \b, \f, \n, \r, \t); false when it holds
// another (\u: left to encoding/json, with its surrogate rules).
func unescape(in []byte) (string, bool) {
	var out strings.Builder
	out.Grow(len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			out.WriteByte(c)
			continue
		}
		if i++; i == len(in) {
			return "", false
		}
		switch c = in[i]; c {
		case '"', '\\', '/':
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default:
			return "", false
		}
		out.WriteByte(c)
	}
	return out.String(), true
}

// keyName is the name a member's key (a JSON string literal) stands for.
func keyName(raw []byte) []byte {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	s, err := stringValue(raw)
	if err != nil {
		return nil
	}
	return []byte(s)
}

// stringValue decodes a JSON string literal; an error for another value.
func stringValue(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		in := raw[1 : len(raw)-1]
		if bytes.IndexByte(in, '\\') < 0 {
			// Valid JSON and UTF-8 (checkJSON): nothing to decode.
			return string(in), nil
		}
		if s, ok := unescape(in); ok {
			return s, nil
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", errors.New("not a string")
	}
	return s, nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// decodeObject decodes a JSON object, numbers kept as json.Number.
func decodeObject(raw []byte, name string) (map[string]any, *RequestError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, badRequest("%s must be a JSON object or null", name)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest("%s is not a valid JSON object", name)
	}
	if dec.More() {
		return nil, badRequest("%s has data after its JSON object", name)
	}
	return m, nil
}

// checkJSON checks, in one pass and without building anything, that b is
// UTF-8, is one JSON object (an array is a batch, which is refused), nests
// no deeper than maxDepth and has no list or object of more than maxItems
// items (decoding and coercing a list of half a million ids costs a third
// of a second; this scan, a millisecond). Syntax errors found here or later are
// reported by position, never by quoting the input.
func checkJSON(b []byte, maxDepth, maxItems int) *RequestError {
	if !utf8.Valid(b) {
		return badRequest("the body is not valid UTF-8")
	}
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return badRequest("the body is empty; send a JSON object with a query")
	}
	switch b[i] {
	case '{':
	case '[':
		return badRequest("batched requests (a JSON array) are not supported; send one operation per request")
	default:
		return badRequest("the body must be a JSON object with a query")
	}
	depth, inString, escaped := 0, false, false
	// items[d] counts the commas of the list or object open at depth d.
	items := make([]int, 0, 16)
	for ; i < len(b); i++ {
		c := b[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > maxDepth {
				return &RequestError{Status: http.StatusBadRequest, Limit: LimitJSONDepth, Max: int64(maxDepth),
					Message: fmt.Sprintf("the JSON nests too deeply; the limit %s is %d", LimitJSONDepth, maxDepth)}
			}
			items = append(items, 0)
		case '}', ']':
			depth--
			if len(items) > 0 {
				items = items[:len(items)-1]
			}
		case ',':
			if len(items) > 0 {
				items[len(items)-1]++
				if items[len(items)-1] >= maxItems {
					return &RequestError{Status: http.StatusBadRequest, Limit: LimitJSONItems, Max: int64(maxItems),
						Message: fmt.Sprintf("a JSON list or object has too many items; the limit %s is %d", LimitJSONItems, maxItems)}
				}
			}
		}
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return badRequest("the body is not valid JSON (syntax error at byte %d)", se.Offset)
		}
		return badRequest("the body is not valid JSON")
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// responseType is the media type of a response.
type responseType string

const (
	typeGraphQLResponse responseType = "application/graphql-response+json"
	typeJSON            responseType = "application/json"
)

// negotiate picks the response type from an Accept header:
// application/graphql-response+json when the client names it (unless it
// prefers application/json), application/json when it accepts that, */*,
// application/* or says nothing; false when it accepts neither.
func negotiate(accept string) (responseType, bool) {
	if strings.TrimSpace(accept) == "" {
		return typeJSON, true
	}
	var qGQL, qJSON float64 = -1, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if _, err := fmt.Sscanf(s, "%g", &q); err != nil {
				q = 0
			}
		}
		switch mt {
		case string(typeGraphQLResponse):
			qGQL = max(qGQL, q)
		case string(typeJSON), "*/*", "application/*":
			qJSON = max(qJSON, q)
		}
	}
	switch {
	case qGQL > 0 && qGQL >= qJSON:
		return typeGraphQLResponse, true
	case qJSON > 0:
		return typeJSON, true
	}
	return typeJSON, false
}

// requestErrorCode is the extensions.code of a refused HTTP request.
func requestErrorCode(status int) string {
	if status >= 500 || status == http.StatusRequestTimeout {
		return rg.EUNAVAILABLE
	}
	return rg.EBADINPUT
}
