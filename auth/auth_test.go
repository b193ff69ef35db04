package auth_test

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/auth"
)

func TestNewTokenIsRandomAndHashable(t *testing.T) {
	a, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := auth.NewToken()
	if a == b || !strings.HasPrefix(a, auth.TokenPrefix) || len(a) < len(auth.TokenPrefix)+40 {
		t.Fatalf("tokens %q and %q", a, b)
	}
	if h := auth.Hash(a); len(h) != 2*sha256.Size || h == auth.Hash(b) {
		t.Fatalf("hash %q", h)
	}
}

func TestParseFile(t *testing.T) {
	alice, root := "token-alice", "token-root"
	file := "# name role hash\n\nalice  editor " + auth.Hash(alice) + "\n  # indented comment\nroot\tADMIN\t" + strings.ToUpper(auth.Hash(root)) + "\n"
	ts, err := auth.ParseFile(strings.NewReader(file), "tokens.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Name != "alice" || ts[0].Role != rg.RoleEditor || ts[1].Role != rg.RoleAdmin {
		t.Fatalf("tokens %+v", ts)
	}
	set, err := auth.NewSet(ts...)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := set.Lookup(root); !ok || p != (rg.Principal{Name: "root", Role: rg.RoleAdmin}) {
		t.Fatalf("Lookup(root) = %+v, %v", p, ok)
	}
	if p, ok := set.Lookup(alice); !ok || p.Name != "alice" {
		t.Fatalf("Lookup(alice) = %+v, %v", p, ok)
	}
	for _, bad := range []string{"", "token-alic", "token-alice ", auth.Hash(alice)} {
		if p, ok := set.Lookup(bad); ok {
			t.Fatalf("Lookup(%q) = %+v: a wrong token (or the hash itself) must not match", bad, p)
		}
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	h := auth.Hash("x")
	for _, tc := range []struct{ file, want string }{
		{"alice editor", "tokens.txt:1: want \"name role sha256hex\""},
		{"# ok\nalice boss " + h, "tokens.txt:2: unknown role \"boss\""},
		{"alice editor abc", "tokens.txt:1: the hash must be 64 hex digits"},
		{"al:ice editor " + h, "tokens.txt:1: name \"al:ice\""},
		{"alice editor " + h + " extra", "tokens.txt:1: want"},
	} {
		_, err := auth.ParseFile(strings.NewReader(tc.file), "tokens.txt")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFile(%q): %v, want %q", tc.file, err, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	ts, err := auth.ParseList(" alice:editor:"+auth.Hash("a")+", root:admin:"+auth.Hash("r")+",", "REGIONGRAPH_TOKENS")
	if err != nil || len(ts) != 2 || ts[1].Name != "root" {
		t.Fatalf("ParseList: %+v, %v", ts, err)
	}
	_, err = auth.ParseList("alice:editor", "REGIONGRAPH_TOKENS")
	if err == nil || !strings.Contains(err.Error(), "REGIONGRAPH_TOKENS: entry 1") {
		t.Fatalf("ParseList of a short entry: %v", err)
	}
}

func TestLoadMergesFileAndListAndRefusesDuplicateHashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte("alice editor "+auth.Hash("a")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := auth.Load(path, "root:admin:"+auth.Hash("r"), "REGIONGRAPH_TOKENS")
	if err != nil || set.Len() != 2 {
		t.Fatalf("Load: %v, %d tokens", err, set.Len())
	}
	if _, err := auth.Load(path, "bob:admin:"+auth.Hash("a"), "REGIONGRAPH_TOKENS"); err == nil || !strings.Contains(err.Error(), "same hash") {
		t.Fatalf("Load with a duplicate hash: %v", err)
	}
	if _, err := auth.Load(filepath.Join(t.TempDir(), "missing"), "", "REGIONGRAPH_TOKENS"); err == nil {
		t.Fatal("Load of a missing file: no error")
	}
	// A name may hold several tokens.
	if set, err := auth.Load("", "alice:editor:"+auth.Hash("a")+",alice:editor:"+auth.Hash("b"), "X"); err != nil || set.Len() != 2 {
		t.Fatalf("two tokens for one name: %v", err)
	}
}

func TestMiddleware(t *testing.T) {
	set, err := auth.NewSet(mustParse(t, "alice:editor:"+auth.Hash("secret"))...)
	if err != nil {
		t.Fatal(err)
	}
	var seen *rg.Principal
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = nil
		if p, ok := rg.PrincipalFrom(r.Context()); ok {
			seen = &p
		}
		w.WriteHeader(http.StatusTeapot)
	})
	for _, tc := range []struct {
		name, header  string
		second        string // a second Authorization header, when set
		requireReads  bool
		status        int
		wantPrincipal string
	}{
		{"no header passes as anonymous", "", "", false, http.StatusTeapot, ""},
		{"no header is refused when reads need a token", "", "", true, http.StatusUnauthorized, ""},
		{"a valid token gives its principal", "Bearer secret", "", false, http.StatusTeapot, "alice"},
		{"the scheme is case-insensitive", "bearer secret", "", true, http.StatusTeapot, "alice"},
		{"a wrong token is refused", "Bearer secreT", "", false, http.StatusUnauthorized, ""},
		{"another scheme is refused", "Basic c2VjcmV0", "", false, http.StatusUnauthorized, ""},
		{"an empty token is refused", "Bearer ", "", false, http.StatusUnauthorized, ""},
		// Issue 12: the first of two headers used to win silently.
		{"two headers are refused, the first valid", "Bearer secret", "Bearer other", false, http.StatusUnauthorized, ""},
		{"two headers are refused, the second valid", "Bearer other", "Bearer secret", false, http.StatusUnauthorized, ""},
		{"two equal valid headers are refused", "Bearer secret", "Bearer secret", false, http.StatusUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := auth.Middleware(auth.Options{Tokens: set, RequireForReads: tc.requireReads}, next)
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			if tc.second != "" {
				req.Header.Add("Authorization", tc.second)
			}
			seen = nil
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.status == http.StatusUnauthorized {
				var body struct {
					Errors []struct {
						Extensions map[string]any `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != rg.EUNAUTHENTICATED {
					t.Fatalf("body %s (%v), want one UNAUTHENTICATED error", rec.Body.String(), err)
				}
				if seen != nil {
					t.Fatal("a refused request reached the handler")
				}
				return
			}
			switch {
			case tc.wantPrincipal == "" && seen != nil:
				t.Fatalf("principal %+v, want none", *seen)
			case tc.wantPrincipal != "" && (seen == nil || seen.Name != tc.wantPrincipal || seen.Role != rg.RoleEditor):
				t.Fatalf("principal %+v, want %s", seen, tc.wantPrincipal)
			}
		})
	}
}

func mustParse(t *testing.T, list string) []auth.Token {
	t.Helper()
	ts, err := auth.ParseList(list, "test")
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func BenchmarkLookup(b *testing.B) {
	var ts []auth.Token
	for i := range 100 {
		ts = append(ts, mustParseB(b, "user"+string(rune('a'+i%26))+":editor:"+auth.Hash("token-"+string(rune(i)))))
	}
	set, err := auth.NewSet(ts...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		set.Lookup("token-x")
	}
}

func mustParseB(b *testing.B, entry string) auth.Token {
	ts, err := auth.ParseList(entry, "bench")
	if err != nil || len(ts) != 1 {
		b.Fatal(err)
	}
	return ts[0]
}
