package resolvers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	rg "github.com/regiongraph/regiongraph"
	"github.com/regiongraph/regiongraph/gqlhttp"
	"github.com/regiongraph/regiongraph/live"
	"github.com/regiongraph/regiongraph/storetest"
)

func createPartners(t *testing.T, s rg.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		storetest.MustApply(t, s, rg.Change{Op: rg.OpCreateNode, Node: storetest.Partner(id)})
	}
}

func TestHistorySinceOldestFirst(t *testing.T) {
	g := newGQL(t)
	base, err := live.Latest(context.Background(), g.store)
	if err != nil {
		t.Fatal(err)
	}
	createPartners(t, g.store, "p1", "p2", "p3", "p4", "p5")
	type page struct {
		History struct {
			Nodes []struct {
				Seq      int64  `json:"seq"`
				TargetID string `json:"targetId"`
			} `json:"nodes"`
			PageInfo   struct{ HasNextPage bool } `json:"pageInfo"`
			TotalCount int                        `json:"totalCount"`
			NextSince  int64                      `json:"nextSince"`
		} `json:"history"`
	}
	const q = `query($s: Int64!, $n: Int) { history(since: $s, first: $n) { nodes { seq targetId } pageInfo { hasNextPage } totalCount nextSince } }`
	var got []string
	since := base
	for i := 0; ; i++ {
		var p page
		g.ok(nil, q, map[string]any{"s": since, "n": 2}, &p)
		h := p.History
		if i == 0 && h.TotalCount != 5 {
			t.Errorf("totalCount %d, want 5", h.TotalCount)
		}
		for _, n := range h.Nodes {
			if n.Seq <= since {
				t.Fatalf("seq %d is not after since %d", n.Seq, since)
			}
			got = append(got, n.TargetID)
		}
		since = h.NextSince
		if !h.PageInfo.HasNextPage {
			break
		}
		if i > 5 {
			t.Fatal("no end")
		}
	}
	if strings.Join(got, ",") != "p1,p2,p3,p4,p5" || since != base+5 {
		t.Fatalf("got %v up to %d", got, since)
	}
	var p page
	g.ok(nil, q, map[string]any{"s": since, "n": 2}, &p)
	if len(p.History.Nodes) != 0 || p.History.NextSince != since || p.History.PageInfo.HasNextPage {
		t.Fatalf("after the end: %+v", p.History)
	}
	g.fails(nil, `{ history(since: 0, id: "p1") { totalCount } }`, nil, rg.EBADINPUT, "id")
	g.fails(nil, `{ history(since: -1) { totalCount } }`, nil, rg.EBADINPUT, "since")
}

// sseClient reads one subscription stream.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	events chan sseEvent
}

type sseEvent struct {
	name string
	data string
}

func subscribe(t *testing.T, url, query string) *sseClient {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+gqlhttp.StreamPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &sseClient{t: t, resp: resp, events: make(chan sseEvent, 100)}
	t.Cleanup(func() { cancel(); _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		close(c.events) // not a stream: the caller reads resp
		return c
	}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					c.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ": ping"):
				c.events <- sseEvent{name: "ping"}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return c
}

type batch struct {
	Data struct {
		Changes struct {
			LastSeq int64 `json:"lastSeq"`
			Entries []struct {
				Seq      int64  `json:"seq"`
				Op       string `json:"op"`
				TargetID string `json:"targetId"`
			} `json:"entries"`
		} `json:"changes"`
	} `json:"data"`
	Errors []mutationError `json:"errors"`
}

// next returns the next event other than a ping, within a minute.
func (c *sseClient) next(pings bool) sseEvent {
	c.t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatal("the stream ended")
			}
			if ev.name == "ping" && !pings {
				continue
			}
			return ev
		case <-timeout:
			c.t.Fatal("no event within a minute")
		}
	}
}

func (c *sseClient) batch() batch {
	c.t.Helper()
	ev := c.next(false)
	if ev.name != "next" {
		c.t.Fatalf("event %q (%s), want next", ev.name, ev.data)
	}
	var b batch
	if err := json.Unmarshal([]byte(ev.data), &b); err != nil {
		c.t.Fatalf("decode %q: %v", ev.data, err)
	}
	if len(b.Errors) > 0 {
		c.t.Fatalf("errors %+v", b.Errors)
	}
	return b
}

const subQuery = `subscription { changes%s { lastSeq entries { seq op targetId } } }`

func TestChangesSubscriptionStreamsAndResumes(t *testing.T) {
	g := newGQL(t)
	hub := live.New(live.Options{Poll: 100 * time.Millisecond})
	h := gqlhttp.NewHandler(g.store, gqlhttp.Options{Hub: hub, StreamHeartbeat: 50 * time.Millisecond})
	srv := httptest.NewServer(withPrincipal(routes(h), editor))
	t.Cleanup(srv.Close) // after the streams' cleanups close them
	base, _ := live.Latest(context.Background(), g.store)

	// Without since: an empty first batch with the latest seq.
	c := subscribe(t, srv.URL, fmt.Sprintf(subQuery, ""))
	if b := c.batch(); len(b.Data.Changes.Entries) != 0 || b.Data.Changes.LastSeq != base {
		t.Fatalf("first batch %+v, want empty at %d", b.Data.Changes, base)
	}
	// A heartbeat comes while nothing happens.
	if ev := c.next(true); ev.name != "ping" {
		t.Fatalf("event %+v, want a ping", ev)
	}
	// A mutation through the API wakes the stream.
	postURL(t, srv.URL, `mutation { createPartner(input: {id: "ny-partner", name: "Ny partner", source: {outside: true, reference: "https://example.org/x"}}) { id } }`)
	b := c.batch()
	if len(b.Data.Changes.Entries) != 1 || b.Data.Changes.Entries[0].TargetID != "ny-partner" || b.Data.Changes.Entries[0].Op != "CREATE_NODE" || b.Data.Changes.LastSeq != base+1 {
		t.Fatalf("batch %+v", b.Data.Changes)
	}
	// A write that bypasses the handler (another process) arrives by the poll.
	createPartners(t, g.store, "direkte")
	if b := c.batch(); len(b.Data.Changes.Entries) != 1 || b.Data.Changes.Entries[0].TargetID != "direkte" {
		t.Fatalf("batch %+v", b.Data.Changes)
	}

	// Resuming from a seq sends what came after it first.
	r := subscribe(t, srv.URL, fmt.Sprintf(subQuery, fmt.Sprintf("(since: %d)", base)))
	b = r.batch()
	if len(b.Data.Changes.Entries) != 2 || b.Data.Changes.Entries[0].TargetID != "ny-partner" || b.Data.Changes.Entries[1].TargetID != "direkte" || b.Data.Changes.LastSeq != base+2 {
		t.Fatalf("resumed batch %+v", b.Data.Changes)
	}
}

func TestChangesSubscriptionLimits(t *testing.T) {
	g := newGQL(t)
	hub := live.New(live.Options{MaxStreams: 1})
	srv := httptest.NewServer(routes(gqlhttp.NewHandler(g.store, gqlhttp.Options{Hub: hub})))
	t.Cleanup(srv.Close)
	c := subscribe(t, srv.URL, fmt.Sprintf(subQuery, ""))
	c.batch()
	full := subscribe(t, srv.URL, fmt.Sprintf(subQuery, ""))
	if full.resp.StatusCode != http.StatusServiceUnavailable || full.resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second stream: %d, Retry-After %q", full.resp.StatusCode, full.resp.Header.Get("Retry-After"))
	}
	// A subscription sent to /graphql is refused with a hint, and so is a
	// query sent to the stream route.
	res := g.as(nil, fmt.Sprintf(subQuery, ""), nil)
	if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != rg.EBADINPUT || !strings.Contains(res.Errors[0].Message, gqlhttp.StreamPath) {
		t.Fatalf("to /graphql: %+v", res.Errors)
	}
	q := subscribe(t, srv.URL, `{ __typename }`)
	b, _ := io.ReadAll(q.resp.Body)
	if !strings.Contains(string(b), "subscriptions only") || !strings.Contains(string(b), rg.EBADINPUT) {
		t.Fatalf("a query to the stream route: %d %s", q.resp.StatusCode, b)
	}
}

// routes serves h at /graphql and as the stream route at gqlhttp.StreamPath,
// as the server does.
func routes(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.Handle(gqlhttp.StreamPath, gqlhttp.StreamRoute(h))
	return mux
}

func withPrincipal(h http.Handler, p *rg.Principal) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(rg.WithPrincipal(r.Context(), *p)))
	})
}

func postURL(t *testing.T, url, query string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r result
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("%s: %v %+v", query, err, r.Errors)
	}
}

// A stream ends after its lifetime with "complete", so that clients resume
// with since and no stream lives for ever.
func TestChangesStreamEndsAfterItsLifetime(t *testing.T) {
	g := newGQL(t)
	srv := httptest.NewServer(routes(gqlhttp.NewHandler(g.store, gqlhttp.Options{StreamLifetime: 200 * time.Millisecond})))
	t.Cleanup(srv.Close)
	c := subscribe(t, srv.URL, fmt.Sprintf(subQuery, ""))
	c.batch()
	if ev := c.next(false); ev.name != "complete" {
		t.Fatalf("event %+v, want complete", ev)
	}
}
