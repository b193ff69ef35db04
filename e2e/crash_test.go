package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestCrashSafety runs the real binary on a data file, streams authorised
// writes at it from several clients, kills it with SIGKILL at a random
// moment, and restarts it, round after round. After each kill it checks
// that the file passes bbolt's consistency check and opens (the server
// starts on it); that every write the server acknowledged is there; and
// that no write is half there: each write is one batch creating a partner
// and a relation from it, so the partner and the relation are both present
// or both absent.
//
// Rounds: $REGIONGRAPH_CRASH_ROUNDS, else 50 under CI and 8 otherwise.
func TestCrashSafety(t *testing.T) {
	rounds := 8
	if ciMode() {
		rounds = 50
	}
	if v := os.Getenv("REGIONGRAPH_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("REGIONGRAPH_CRASH_ROUNDS=%q: want a positive number", v)
		}
		rounds = n
	}
	token, tokens := crashToken(t)
	env := map[string]string{"REGIONGRAPH_TOKENS": tokens}
	file := filepath.Join(t.TempDir(), "crash.db")
	client := &http.Client{Timeout: hangBound}

	unacked := 0  // writes checked whole-or-absent
	inFlight := 0 // of those, sent before the kill and never answered
	var (
		acked     []write // acknowledged, across all rounds
		attempted []write // sent but not acknowledged (outcome unknown)
	)
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	started := time.Now()
	for round := 0; round < rounds; round++ {
		p := start(t, env, "-data", file, "-drain", "1s")
		// The file opened: every write acknowledged so far must be there,
		// every other write whole or absent.
		verify := func(ws []write, mustExist bool) {
			t.Helper()
			for chunk := range slices.Chunk(ws, 200) {
				present := crashPresence(t, client, p.url, chunk)
				for _, w := range chunk {
					np, rp := present[w.partner], present[w.relation]
					if mustExist && (!np || !rp) {
						t.Errorf("round %d: the acknowledged write %s is missing (partner %v, relation %v)", round, w.partner, np, rp)
					}
					if np != rp {
						t.Errorf("round %d: write %s is half there: partner %v, relation %v", round, w.partner, np, rp)
					}
				}
			}
		}
		verify(acked, true)
		verify(attempted, false)
		unacked += len(attempted)
		attempted = attempted[:0]

		// Stream writes from three clients; kill at a random moment.
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		var wg sync.WaitGroup
		var seq int
		var killed atomic.Bool
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					mu.Lock()
					seq++
					w := write{partner: fmt.Sprintf("crash-r%d-w%d", round, seq)}
					w.relation = w.partner + "-deltar"
					mu.Unlock()
					beforeKill := !killed.Load()
					a, err := post(ctx, client, p.url, token, crashMutation, map[string]any{"p": w.partner, "r": w.relation, "name": "Crash " + w.partner})
					mu.Lock()
					if err == nil && a.Status == 200 && len(a.Errors) == 0 && crashCreated(a.Data) == 2 {
						acked = append(acked, w)
					} else {
						attempted = append(attempted, w)
						if beforeKill {
							inFlight++
						}
						if err == nil && len(a.Errors) > 0 && ctx.Err() == nil {
							t.Errorf("round %d: a write was refused: %+v", round, a.Errors)
						}
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond)
		killed.Store(true)
		p.kill()
		cancel()
		wg.Wait()

		// The file passes bbolt's own consistency check.
		db, err := bolt.Open(file, 0o600, &bolt.Options{Timeout: 5 * time.Second, ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: the data file does not open after SIGKILL: %v", round, err)
		}
		err = db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		})
		_ = db.Close()
		if err != nil {
			t.Fatalf("round %d: bbolt check after SIGKILL: %v", round, err)
		}
		if t.Failed() {
			break
		}
	}
	// A last start checks the last round's writes.
	p := start(t, env, "-data", file)
	check := func(ws []write, mustExist bool) {
		for chunk := range slices.Chunk(ws, 200) {
			present := crashPresence(t, client, p.url, chunk)
			for _, w := range chunk {
				np, rp := present[w.partner], present[w.relation]
				if mustExist && (!np || !rp) {
					t.Errorf("after the last round the acknowledged write %s is missing", w.partner)
				}
				if np != rp {
					t.Errorf("after the last round write %s is half there: partner %v, relation %v", w.partner, np, rp)
				}
			}
		}
	}
	check(acked, true)
	check(attempted, false)
	unacked += len(attempted)
	p.stop(t, 20*time.Second)
	if len(acked) < rounds {
		t.Errorf("only %d writes acknowledged over %d rounds: the test did not exercise the store", len(acked), rounds)
	}
	t.Logf("%d rounds of SIGKILL in %v: %d acknowledged writes (a partner and a relation each) all present after restarts; %d unacknowledged writes (%d of them in flight at a kill) whole or absent",
		rounds, time.Since(started).Round(time.Millisecond), len(acked), unacked, inFlight)
}

// write is one batch: a partner and a relation from it.
type write struct {
	partner, relation string
}

// crashMutation creates a partner and, in the same batch, its relation to
// an existing network; client-supplied ids make a retry detectable.
const crashMutation = `mutation($p: ID!, $r: ID!, $name: String!) {
  applyChanges(reason: "crash test", changes: [
    {createPartner: {id: $p, name: $name, source: {outside: true, reference: "e2e crash test"}}},
    {link: {id: $r, kind: PARTICIPATES_IN, from: $p, to: "nettverk-plom", source: {outside: true, reference: "e2e crash test"}}}
  ]) { created }
}`

func crashCreated(data json.RawMessage) int {
	var d struct {
		ApplyChanges struct{ Created int }
	}
	_ = json.Unmarshal(data, &d)
	return d.ApplyChanges.Created
}

// crashPresence asks which of the writes' partners and relations exist.
func crashPresence(t *testing.T, client *http.Client, url string, ws []write) map[string]bool {
	t.Helper()
	var nodes, rels []string
	for _, w := range ws {
		nodes = append(nodes, w.partner)
		rels = append(rels, w.relation)
	}
	a, err := post(context.Background(), client, url, "", `query($n: [ID!]!, $r: [ID!]) { nodes(ids: $n) { id } relations(ids: $r) { id } }`, map[string]any{"n": nodes, "r": rels})
	if err != nil || len(a.Errors) > 0 {
		t.Fatalf("reading back %d writes: %v %+v", len(ws), err, a.Errors)
	}
	var d struct {
		Nodes     []*struct{ ID string }
		Relations []struct{ ID string }
	}
	if err := json.Unmarshal(a.Data, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range d.Nodes {
		if n != nil {
			out[n.ID] = true
		}
	}
	for _, r := range d.Relations {
		out[r.ID] = true
	}
	return out
}

// crashToken makes an editor token and its REGIONGRAPH_TOKENS entry
// (name:role:sha256hex).
func crashToken(t *testing.T) (token, entry string) {
	t.Helper()
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	token = "rgt_crash_" + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	return token, "crash-test:editor:" + hex.EncodeToString(sum[:])
}

func ciMode() bool { return os.Getenv("CI") != "" }
