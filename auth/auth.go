// Package auth authenticates API requests by bearer token.
//
// Tokens are random strings handed to people; the server keeps only their
// SHA-256 hashes, each with a name (recorded in the change history as who
// made a change) and a role (reader, editor or admin). They come from a
// tokens file, one token per line:
//
//	# name   role    sha256 of the token, hex
//	alice    editor  3b6f0c...e1
//	root     admin   9a1d44...07
//
// (blank lines and lines starting with # are ignored) and from a variable
// holding "name:role:sha256hex" entries separated by commas. `regiongraph
// token -name alice -role editor` makes a token and prints its line.
//
// A presented token is hashed and compared with every stored hash in
// constant time, so neither the answer nor its timing says how much of a
// hash matched.
package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	rg "github.com/regiongraph/regiongraph"
)

// TokenPrefix starts every token NewToken makes, so that a leaked token is
// easy to recognise (and to search for).
const TokenPrefix = "rgt_"

// Token is a stored token: who it is for, the role it grants and the
// SHA-256 of the token itself.
type Token struct {
	Name string
	Role rg.Role
	Hash [sha256.Size]byte
}

// Set is the tokens a server accepts. The zero Set accepts none.
type Set struct {
	tokens []Token
}

// namePattern is what a token's name may be: it appears in logs and in the
// change history.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ValidName reports whether name may name a token: 1–64 ASCII letters,
// digits and . _ @ -, starting with a letter or digit.
func ValidName(name string) bool { return namePattern.MatchString(name) }

// ParseRole returns the role named s (reader, editor or admin).
func ParseRole(s string) (rg.Role, error) {
	switch r := rg.Role(strings.ToLower(s)); r {
	case rg.RoleReader, rg.RoleEditor, rg.RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (reader, editor or admin)", s)
}

// Hash returns the hex SHA-256 of a token, as the tokens file holds it.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh random token: TokenPrefix and 32 random bytes in
// base64url.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func parseToken(name, role, hash string) (Token, error) {
	if !ValidName(name) {
		return Token{}, fmt.Errorf("name %q: use 1–64 letters, digits and . _ @ -", name)
	}
	r, err := ParseRole(role)
	if err != nil {
		return Token{}, err
	}
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != sha256.Size {
		return Token{}, errors.New("the hash must be 64 hex digits (the SHA-256 of the token; see `regiongraph token`)")
	}
	t := Token{Name: name, Role: r}
	copy(t.Hash[:], b)
	return t, nil
}

// ParseFile reads tokens in the file format from r; source names it in
// errors ("tokens.txt:3: ...").
func ParseFile(r io.Reader, source string) ([]Token, error) {
	var out []Token
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want \"name role sha256hex\", got %d fields", source, line, len(f))
		}
		t, err := parseToken(f[0], f[1], f[2])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, line, err)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return out, nil
}

// ParseList reads tokens in the variable format "name:role:sha256hex,...";
// source names the variable in errors.
func ParseList(s, source string) ([]Token, error) {
	var out []Token
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		f := strings.Split(entry, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s: entry %d: want name:role:sha256hex", source, i+1)
		}
		t, err := parseToken(strings.TrimSpace(f[0]), strings.TrimSpace(f[1]), strings.TrimSpace(f[2]))
		if err != nil {
			return nil, fmt.Errorf("%s: entry %d: %w", source, i+1, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// NewSet returns a set of the tokens. The same hash twice is an error, as
// it would make one token two principals; a name may have several tokens
// (to replace one without a gap).
func NewSet(tokens ...Token) (*Set, error) {
	seen := map[[sha256.Size]byte]string{}
	for _, t := range tokens {
		if other, ok := seen[t.Hash]; ok {
			return nil, fmt.Errorf("auth: the tokens of %q and %q have the same hash", other, t.Name)
		}
		seen[t.Hash] = t.Name
	}
	return &Set{tokens: append([]Token(nil), tokens...)}, nil
}

// Load reads the tokens file at path (none when path is "") and the list
// in the variable (none when "") into one set. envName names the variable
// in errors.
func Load(path, list, envName string) (*Set, error) {
	var all []Token
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("auth: tokens file: %w", err)
		}
		ts, err := ParseFile(f, path)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
		all = append(all, ts...)
	}
	if list != "" {
		ts, err := ParseList(list, envName)
		if err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
		all = append(all, ts...)
	}
	return NewSet(all...)
}

// Len returns how many tokens the set holds.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.tokens)
}

// Lookup returns the principal of a presented token. It hashes the token
// and compares the hash with every stored one in constant time, without
// stopping at a match.
func (s *Set) Lookup(presented string) (rg.Principal, bool) {
	if s == nil || presented == "" {
		return rg.Principal{}, false
	}
	sum := sha256.Sum256([]byte(presented))
	found := -1
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.tokens[i].Hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return rg.Principal{}, false
	}
	return rg.Principal{Name: s.tokens[found].Name, Role: s.tokens[found].Role}, true
}
