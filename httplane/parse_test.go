package httplane

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
)

// The lane never reads a request otherwise than net/http: whatever
// parseHead takes, http.ReadRequest reads with the same method, target,
// host, headers, length, Connection: close and body, and net/http's
// server would not refuse it (it checks Host and the header names and
// values after ReadRequest).
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"query\":\"{ __typename }\"}",
		"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n",
		"POST /x HTTP/1.1\r\nhost: h\r\ncontent-length: 007\r\nX-A: 1\r\nx-a: 2\r\nPragma: no-cache\r\n\r\n1234567",
		"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nX-A:\t v \t\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: [::1]:80\r\nConnection: Keep-Alive\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nX: \x80\xff\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, complete, ok := parseHead(raw, func(string, string) bool { return true }, nil)
		sameWithMemo(t, raw, h, complete, ok)
		if !ok {
			return
		}
		if !complete {
			t.Fatalf("parseHead took an incomplete head %q", raw)
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatalf("the lane takes %q; http.ReadRequest refuses it: %v", raw, err)
		}
		if !httpguts.ValidHostHeader(req.Host) {
			t.Fatalf("the lane takes %q; net/http refuses its host %q", raw, req.Host)
		}
		for k, vs := range req.Header {
			if !httpguts.ValidHeaderFieldName(k) {
				t.Fatalf("the lane takes %q; net/http refuses the header name %q", raw, k)
			}
			for _, v := range vs {
				if !httpguts.ValidHeaderFieldValue(v) {
					t.Fatalf("the lane takes %q; net/http refuses the value %q", raw, v)
				}
			}
		}
		if req.Method != h.method || req.RequestURI != h.uri || req.Host != h.host || req.ContentLength != h.contentLength || req.Close != h.close || req.URL.String() != h.url.String() || req.URL.Path != h.url.Path {
			t.Fatalf("%q\nlane: %s %s host %q length %d close %v\nnet/http: %s %s host %q length %d close %v",
				raw, h.method, h.uri, h.host, h.contentLength, h.close, req.Method, req.RequestURI, req.Host, req.ContentLength, req.Close)
		}
		if !reflect.DeepEqual(map[string][]string(req.Header), map[string][]string(h.header)) {
			t.Fatalf("%q\nlane headers %q\nnet/http %q", raw, h.header, req.Header)
		}
		if rest := raw[h.size:]; int64(len(rest)) >= h.contentLength {
			body, err := io.ReadAll(req.Body)
			if err != nil || !bytes.Equal(body, rest[:h.contentLength]) {
				t.Fatalf("%q: net/http reads the body %q (%v), the lane %q", raw, body, err, rest[:h.contentLength])
			}
		}
	})
}

// sameWithMemo: a connection's memo of the heads before changes nothing
// parseHead says of raw: after another request, after raw itself, and
// after a request that shares some of its lines.
func sameWithMemo(t *testing.T, raw []byte, want head, wantComplete, wantOK bool) {
	t.Helper()
	memo := &headMemo{}
	other := []byte("POST /graphql HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	for i, before := range [][]byte{other, raw, raw, append(bytes.Clone(raw[:len(raw)/2]), "\r\n\r\n"...), other, raw} {
		parseHead(before, func(string, string) bool { return true }, memo)
		h, complete, ok := parseHead(raw, func(string, string) bool { return true }, memo)
		if complete != wantComplete || ok != wantOK {
			t.Fatalf("%q after %d heads: complete %v ok %v with the memo, %v %v without", raw, i+1, complete, ok, wantComplete, wantOK)
		}
		if !ok {
			continue
		}
		if h.method != want.method || h.uri != want.uri || h.path != want.path || h.host != want.host || h.contentLength != want.contentLength ||
			h.close != want.close || h.size != want.size || *h.url != *want.url || !reflect.DeepEqual(h.header, want.header) {
			t.Fatalf("%q after %d heads:\nwith the memo %+v %+v\nwithout %+v %+v", raw, i+1, h, *h.url, want, *want.url)
		}
		if h.url == memo.url {
			t.Fatalf("%q: the request's URL is the memo's own", raw)
		}
	}
}

// TestHeadMemoBounded: however many different header lines a connection
// sends, its memo keeps at most maxMemoLines of them and maxMemoBytes of
// their text, and still finds a line repeated from one request to the next.
func TestHeadMemoBounded(t *testing.T) {
	memo := &headMemo{}
	take := func(string, string) bool { return true }
	for i := range 2000 {
		long := strings.Repeat("x", i%1500)
		raw := fmt.Sprintf("GET /x HTTP/1.1\r\nHost: h\r\nX-A: %d%s\r\nX-B: %s\r\nX-C: same\r\n\r\n", i, long, long)
		if _, _, ok := parseHead([]byte(raw), take, memo); !ok {
			t.Fatalf("%q not taken", raw)
		}
		total := 0
		for _, l := range memo.lines {
			total += len(l.raw)
		}
		if len(memo.lines) > maxMemoLines || total > maxMemoBytes || total != memo.bytes {
			t.Fatalf("after %d heads the memo holds %d lines, %d bytes (counted %d)", i+1, len(memo.lines), total, memo.bytes)
		}
	}
	if _, _, ok := memo.line([]byte("X-C: same")); !ok {
		t.Error("a line sent with every head is not remembered")
	}
}
