package gqlhttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	rg "github.com/regiongraph/regiongraph"
)

var decodeSeeds = []struct {
	method, ctype, rawQuery string
	body                    []byte
}{
	{"POST", "application/json", "", []byte(`{"query":"{ __typename }"}`)},
	{"POST", "application/json; charset=utf-8", "", []byte(`{"query":"query Q($a: Int) { __typename }","operationName":"Q","variables":{"a":1.5e3},"extensions":{"x":[1,{"y":null}]}}`)},
	{"POST", "application/graphql-response+json", "", []byte(`{"query":"{ a }","variables":null,"operationName":null,"extensions":null}`)},
	{"POST", "application/json", "", []byte(`[{"query":"{ a }"}]`)},
	{"POST", "application/json", "", []byte(`{"query": 1}`)},
	{"POST", "application/json", "", []byte(`{"query":"{ a }","variables":"x"}`)},
	{"POST", "application/json", "", []byte(`{"query":"{ a }","variables":{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`)},
	{"POST", "application/json", "", []byte("{\"query\":\"\xff\"}")},
	{"POST", "application/json", "", []byte(`{"query":"\ud800"}`)},
	{"POST", "application/json", "", []byte(`{"query":"{ a }"} trailing`)},
	{"POST", "application/json", "", []byte(`{ "not a JSON`)},
	{"POST", "application/x-www-form-urlencoded", "", []byte(`query=%7B+a+%7D`)},
	{"POST", "multipart/form-data; boundary=x", "", []byte("--x\r\n\r\n--x--")},
	{"POST", "", "", []byte(`{"query":"{ a }"}`)},
	{"POST", "application/json; charset=latin1", "", []byte(`{"query":"{ a }"}`)},
	{"GET", "", "query=%7B+a+%7D&variables=%7B%22a%22%3A1%7D", nil},
	{"GET", "", "query=%7B+a+%7D&variables=%5B1%5D", nil},
	{"GET", "", "query=%ff", nil},
	{"GET", "", "query=a&query=b", nil},
	{"GET", "", "%zz", nil},
	{"PUT", "application/json", "", []byte(`{"query":"{ a }"}`)},
}

// testLimits are small limits, so the fuzzer reaches them.
var testLimits = Limits{MaxBodyBytes: 4096, MaxJSONDepth: 8}

// FuzzDecodeRequest feeds DecodeRequest arbitrary methods, content types,
// URL queries and bodies. It must not panic; a decoded request must be
// UTF-8 with a query and come from GET or POST; a refusal must be a 4xx
// whose message quotes no part of a body longer than a few bytes.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s.method, s.ctype, s.rawQuery, s.body)
	}
	f.Fuzz(func(t *testing.T, method, ctype, rawQuery string, body []byte) {
		if !validMethod(method) {
			method = "POST"
		}
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		req.Method = method
		req.URL.RawQuery = rawQuery
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		r, rerr := DecodeRequest(req, testLimits)
		if rerr != nil {
			if r != nil {
				t.Fatalf("both a request and an error")
			}
			if rerr.Status < 400 || rerr.Status > 499 {
				t.Fatalf("status %d", rerr.Status)
			}
			if rerr.Message == "" || !utf8.ValidString(rerr.Message) {
				t.Fatalf("message %q", rerr.Message)
			}
			// A window of the body with a quote, brace or non-ASCII byte
			// (none of which the decoder's own messages contain) must not
			// appear in the message.
			if len(body) >= 16 && jsonish(body[:16]) && strings.Contains(rerr.Message, string(body[:16])) {
				t.Fatalf("the message %q quotes the body", rerr.Message)
			}
			if rerr.Status == http.StatusMethodNotAllowed && rerr.Allow == "" {
				t.Fatalf("405 without Allow")
			}
			return
		}
		if r == nil {
			t.Fatalf("neither a request nor an error")
		}
		if method != "GET" && method != "POST" {
			t.Fatalf("method %q accepted", method)
		}
		if r.Query == "" || !utf8.ValidString(r.Query) || !utf8.ValidString(r.OperationName) {
			t.Fatalf("decoded query %q, operation %q", r.Query, r.OperationName)
		}
		if r.GET != (method == "GET") {
			t.Fatalf("GET flag %v for %s", r.GET, method)
		}
		if method == "POST" && int64(len(body)) > testLimits.MaxBodyBytes {
			t.Fatalf("a body of %d bytes was accepted over the %d limit", len(body), testLimits.MaxBodyBytes)
		}
	})
}

func validMethod(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func TestDecodeSeeds(t *testing.T) {
	want := []int{0, 0, 0, 400, 400, 400, 400, 400, 0, 400, 400, 415, 415, 415, 415, 0, 400, 400, 400, 400, 405}
	for i, s := range decodeSeeds {
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(s.body))
		req.Method = s.method
		req.URL.RawQuery = s.rawQuery
		if s.ctype != "" {
			req.Header.Set("Content-Type", s.ctype)
		}
		_, rerr := DecodeRequest(req, testLimits)
		got := 0
		if rerr != nil {
			got = rerr.Status
		}
		if got != want[i] {
			t.Errorf("seed %d (%s %s %q %q): status %d, want %d (%v)", i, s.method, s.ctype, s.rawQuery, s.body, got, want[i], rerr)
		}
	}
}

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                  "application/json",
		"*/*":                               "application/json",
		"application/json":                  "application/json",
		"application/graphql-response+json": "application/graphql-response+json",
		"application/graphql-response+json, application/json;q=0.9": "application/graphql-response+json",
		"application/json, application/graphql-response+json;q=0.9": "application/json",
		"text/html":                             "",
		"application/graphql-response+json;q=0": "",
	} {
		rt, ok := negotiate(accept)
		got := string(rt)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("Accept %q: %q, want %q", accept, got, want)
		}
	}
}

// TestAdminBodyLimit: an admin's request may be larger (importDataset), any
// other is held to MaxBodyBytes.
func TestAdminBodyLimit(t *testing.T) {
	lim := Limits{MaxBodyBytes: 1000, MaxAdminBodyBytes: 100000}
	body := []byte(`{"query":"{ a }","pad":"` + strings.Repeat("x", 5000) + `"}`)
	for _, c := range []struct {
		name   string
		p      *rg.Principal
		status int
		limit  string
	}{
		{"Anonymous", nil, 413, LimitBodyBytes},
		{"Editor", &rg.Principal{Name: "e", Role: rg.RoleEditor}, 413, LimitBodyBytes},
		{"Admin", &rg.Principal{Name: "a", Role: rg.RoleAdmin}, 0, ""},
	} {
		req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if c.p != nil {
			req = req.WithContext(rg.WithPrincipal(req.Context(), *c.p))
		}
		_, rerr := DecodeRequest(req, lim)
		switch {
		case c.status == 0 && rerr != nil:
			t.Errorf("%s: refused: %v", c.name, rerr)
		case c.status != 0 && (rerr == nil || rerr.Status != c.status || rerr.Limit != c.limit):
			t.Errorf("%s: %+v, want %d naming %s", c.name, rerr, c.status, c.limit)
		}
	}
}

// jsonish reports whether b has a quote, a brace or a non-ASCII byte.
func jsonish(b []byte) bool {
	for _, c := range b {
		if c == '"' || c == '{' || c == '}' || c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeBodyByMap is how DecodeBody decoded a body before it found the
// members in place: the whole object decoded into a map.
func decodeBodyByMap(body []byte, lim Limits) (*Request, *RequestError) {
	lim = lim.withDefaults()
	if err := checkJSON(body, lim.MaxJSONDepth, lim.MaxJSONItems); err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, badRequest("the body must be one JSON object with a query")
	}
	req := &Request{}
	q, ok := top["query"]
	if !ok || isNull(q) {
		return nil, badRequest("the body has no query")
	}
	if err := json.Unmarshal(q, &req.Query); err != nil {
		return nil, badRequest("query must be a string")
	}
	if req.Query == "" {
		return nil, badRequest("the query is empty")
	}
	if v, ok := top["operationName"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &req.OperationName); err != nil {
			return nil, badRequest("operationName must be a string or null")
		}
	}
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &req.Variables}, {"extensions", &req.Extensions}} {
		v, ok := top[p.name]
		if !ok || isNull(v) {
			continue
		}
		m, err := decodeObject(v, p.name)
		if err != nil {
			return nil, err
		}
		*p.dst = m
	}
	return req, nil
}

var bodySeeds = []string{
	`{"query":"{ __typename }"}`,
	` { "query" : "{ a }" , "operationName" : null , "variables" : { "a" : [1, {"b": "}"}] } , "extensions" : null } `,
	`{"query":"{ a }","query":"{ b }"}`,
	`{"\u0071uery":"{ a }","operationName":"O\u0041"}`,
	`{"query":"say \"hi\" \\ \u00e5 \ud83d\ude82 \ud800"}`,
	`{"query":"{ a(t: \"LUP 2011\") }\n\t\/\b\f\r","operationName":"\"Q\""}`,
	`{"query":""}`, `{"query":null}`, `{}`, `{"query":1}`, `{"query":["{ a }"]}`, `{"query":true}`,
	`{"query":"{ a }","operationName":2}`, `{"query":"{ a }","variables":[1]}`, `{"query":"{ a }","variables":"{}"}`,
	`{"query":"{ a }","variables":{"x":1.5e300,"y":-0,"z":"\"}"},"extensions":{"persistedQuery":{"v":1}}}`,
	`{"x":{"query":"{ nested }"},"query":"{ a }","y":[{"query":"no"}]}`,
	`[{"query":"{ a }"}]`, `{"query":"{ a }"} x`, `"query"`, ``, `{"query":"` + "\xff" + `"}`,
}

// FuzzDecodeBody checks that DecodeBody decodes every body as decoding it
// into a map did: the same request or the same refusal.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotErr := DecodeBody(body, testLimits)
		want, wantErr := decodeBodyByMap(body, testLimits)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("%q:\n DecodeBody %+v %+v\n by a map   %+v %+v", body, got, gotErr, want, wantErr)
		}
	})
}
