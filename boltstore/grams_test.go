package boltstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestGramIndexCandidates: through puts, re-puts and removes of thousands
// of nodes (enough for the postings to be made again several times), the
// candidates of a text always include every node whose text contains it,
// each once, and a text of three bytes or more that no node has finds none
// (or only dead slots).
func TestGramIndexCandidates(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 13))
	words := []string{"kongsberg", "notodden", "lup", "2011", "fv 40", "e134", "åsgård", "nore og uvdal", "1.1", "x"}
	text := func() string {
		ws := make([]string, 1+rnd.IntN(4))
		for i := range ws {
			ws[i] = words[rnd.IntN(len(words))]
		}
		return strings.Join(ws, " ")
	}
	x := newGramIndex()
	texts := map[string]string{}
	tidied := 0
	for step := range 20000 {
		id := fmt.Sprint("n", rnd.IntN(1500))
		if rnd.IntN(4) == 0 {
			delete(texts, id)
			x.remove(id)
		} else {
			texts[id] = text()
			x.put(id, texts[id])
		}
		before := len(x.ids)
		x.tidy(texts)
		if len(x.ids) < before {
			tidied++
		}
		if step%500 != 0 {
			continue
		}
		if len(x.slots) != len(texts) {
			t.Fatalf("step %d: %d live slots for %d nodes", step, len(x.slots), len(texts))
		}
		for _, q := range []string{"kongsberg", "berg not", "lup 2011", "fv 40", "gård", "og uvdal e", "zzz", "x x", "1.1 x"} {
			slots, ok := x.candidates(q)
			if !ok {
				t.Fatalf("candidates(%q) not by the index", q)
			}
			live := map[string]int{}
			for _, s := range slots {
				if id := x.ids[s]; id != "" {
					live[id]++
				}
			}
			for id, n := range live {
				if n > 1 {
					t.Fatalf("step %d, %q: %s a candidate %d times", step, q, id, n)
				}
			}
			for id, tx := range texts {
				if strings.Contains(tx, q) && live[id] == 0 {
					t.Fatalf("step %d: %s (%q) contains %q but is no candidate", step, id, tx, q)
				}
			}
		}
	}
	if tidied < 2 {
		t.Fatalf("the postings were made again %d times", tidied)
	}
	if _, ok := x.candidates("ab"); ok {
		t.Fatal("a text of two bytes has candidates by the index")
	}
	t.Logf("postings made again %d times", tidied)
}
