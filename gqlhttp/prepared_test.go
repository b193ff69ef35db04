package gqlhttp

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/boltstore"
	"github.com/regiongraph/regiongraph/data"
	"github.com/regiongraph/regiongraph/dataset"
)

// OpenBundledStore returns an embedded store holding the bundled dataset
// once (for the tests of package gqlhttp_test too).
func OpenBundledStore(tb testing.TB) rg.Store {
	tb.Helper()
	s, err := boltstore.Open(filepath.Join(tb.TempDir(), "test.db"), boltstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	ds, err := dataset.ParseBytes(data.Kongsbergregionen, data.KongsbergregionenFile)
	if err != nil {
		tb.Fatalf("bundled dataset: %v", err)
	}
	if _, err := s.Apply(context.Background(), ds.Changes()); err != nil {
		tb.Fatalf("load the bundled dataset: %v", err)
	}
	return s
}

func preparedTestFront(t *testing.T) *front {
	t.Helper()
	return NewHandler(OpenBundledStore(t), Options{}).(*front)
}

func postBody(f http.Handler, body string) (int, string) {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// TestPreparedAsPrepare: a body sent again is answered as the first time
// from what preparing it gave, and the operation context it starts from
// is what preparing it afresh gives, field by field (every exported
// field of gqlgen's OperationContext: a field added by a new gqlgen is
// compared too), but for its own start, its own variables and its own
// cache of collected fields; a body with variables, extensions, an error
// or a refusal is not kept; and the cost is estimated again for each
// request.
func TestPreparedAsPrepare(t *testing.T) {
	f := preparedTestFront(t)
	bodies := []string{
		`{"query":"{ __typename }"}`,
		`{"query":"query A { municipalities { nodes { name } } } query B { __typename }","operationName":"B"}`,
		`{"query":"query A { municipalities { nodes { name } } } query B { __typename }","operationName":"A"}`,
		`{"query":"{ ...F } fragment F on Query { focusAreas { nodes { code } } }"}`,
		`{"query":"{ __schema { queryType { name } } }"}`,
	}
	for _, body := range bodies {
		status, first := postBody(f, body)
		if status != http.StatusOK || strings.Contains(first, `"errors"`) {
			t.Fatalf("%s: %d %s", body, status, first)
		}
		k := f.preps.get([]byte(body))
		if k == nil {
			t.Fatalf("%s: not kept", body)
		}
		if status, again := postBody(f, body); status != http.StatusOK || again != first {
			t.Fatalf("%s: answered %d %s the second time, %s the first", body, status, again, first)
		}
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		req, rerr := DecodeRequest(r, f.lim)
		if rerr != nil {
			t.Fatal(rerr)
		}
		ctx := graphql.StartOperationTrace(context.Background())
		fresh := f.prepare(ctx, req, typeJSON)
		if fresh.reply != nil {
			t.Fatalf("%s: %v", body, fresh.reply.errs)
		}
		again := f.prepareAgain(ctx, k, typeJSON)
		if again.reply != nil || again.op != fresh.op {
			t.Fatalf("%s: prepared again as %q %v, afresh as %q", body, again.op, again.reply, fresh.op)
		}
		a, b := reflect.ValueOf(again.oc).Elem(), reflect.ValueOf(fresh.oc).Elem()
		for i := range a.NumField() {
			name := a.Type().Field(i).Name
			if !a.Type().Field(i).IsExported() || name == "Stats" {
				continue
			}
			x, y := a.Field(i), b.Field(i)
			if x.Kind() == reflect.Func {
				if x.IsNil() != y.IsNil() || !x.IsNil() && x.Pointer() != y.Pointer() {
					t.Errorf("%s: %s differs", body, name)
				}
				continue
			}
			if !reflect.DeepEqual(x.Interface(), y.Interface()) {
				t.Errorf("%s: %s is %v prepared again, %v afresh", body, name, x.Interface(), y.Interface())
			}
		}
		if again.oc.Doc != fresh.oc.Doc || again.oc.Operation != fresh.oc.Operation {
			t.Errorf("%s: another document or operation than the query cache's", body)
		}
		other := f.prepareAgain(ctx, k, typeJSON)
		if reflect.ValueOf(other.oc.Variables).Pointer() == reflect.ValueOf(again.oc.Variables).Pointer() {
			t.Errorf("%s: two requests share their variables", body)
		}
		// Each its own cache of collected fields (shared, concurrent
		// requests would race on it: go test -race).
		var wg sync.WaitGroup
		for _, oc := range []*graphql.OperationContext{again.oc, other.oc} {
			wg.Go(func() {
				for range 50 {
					graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})
				}
			})
		}
		wg.Wait()
	}

	for _, body := range []string{
		`{"query":"query($n: Int) { __typename }","variables":{"n":1}}`,
		`{"query":"{ __typename }","extensions":{"x":1}}`,
		`{"query":"{ nothing }"}`,
		`{"query":"{ initiatives(first: 100000) { nodes { name } } }"}`,
	} {
		postBody(f, body)
		postBody(f, body)
		if f.preps.get([]byte(body)) != nil {
			t.Errorf("%s: kept", body)
		}
	}

	// The cost is estimated again: a limit lowered since refuses a body
	// kept before.
	body := `{"query":"{ municipalities { nodes { name memberOf { name } } } }"}`
	if status, out := postBody(f, body); status != http.StatusOK || strings.Contains(out, `"errors"`) || f.preps.get([]byte(body)) == nil {
		t.Fatalf("%d %s", status, out)
	}
	f.cost.lim.MaxComplexity = 1
	if _, out := postBody(f, body); !strings.Contains(out, LimitComplexity) {
		t.Fatalf("a kept body over a lowered complexity limit: %s", out)
	}

	// A panic while preparing again is answered as prepare answers one.
	f.cost = nil
	if status, out := postBody(f, body); status != http.StatusInternalServerError || !strings.Contains(out, `"INTERNAL"`) {
		t.Fatalf("a panic preparing a kept body: %d %s", status, out)
	}
}

// TestPreparedBounded: however many different bodies are prepared, at most
// maxPrepared are kept, and none longer than maxPreparedBody.
func TestPreparedBounded(t *testing.T) {
	f := preparedTestFront(t)
	for i := range maxPrepared + 50 {
		body := fmt.Sprintf(`{"query":"{ a%d: __typename }"}`, i)
		if status, out := postBody(f, body); status != http.StatusOK || strings.Contains(out, `"errors"`) {
			t.Fatalf("%s: %d %s", body, status, out)
		}
		f.preps.mu.RLock()
		n := len(f.preps.m)
		f.preps.mu.RUnlock()
		if n > maxPrepared {
			t.Fatalf("%d bodies kept", n)
		}
	}
	long := `{"query":"{ __typename }` + strings.Repeat(" ", maxPreparedBody) + `"}`
	if status, out := postBody(f, long); status != http.StatusOK || strings.Contains(out, `"errors"`) {
		t.Fatalf("%d %s", status, out)
	}
	f.preps.mu.RLock()
	defer f.preps.mu.RUnlock()
	for k := range f.preps.m {
		if len(k) > maxPreparedBody {
			t.Errorf("a body of %d bytes is kept", len(k))
		}
	}
}
