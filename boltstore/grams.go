package boltstore

// gramIndex finds the nodes whose folded search text (graph.search) may
// contain a folded text filter: each trigram (three bytes) of a node's
// search text to the nodes having it. A text has every trigram of each of
// its substrings, so the nodes containing a filter of three bytes or more
// are among those having its rarest trigram; they are then checked as any
// candidate is (graph.matches), so the index decides nothing by itself.
//
// It is kept small (four bytes per trigram of a name, alias or code): a
// node is a slot number in the postings, and a node changed or deleted
// only has its slot marked dead (a changed node gets a new one); the
// postings are made again from the texts once the dead slots outnumber the
// live ones. Kept by putAnalysed and deleteNode, under the graph's lock.
type gramIndex struct {
	postings map[uint32][]int32 // trigram -> the slots of the nodes having it
	ids      []string           // slot -> node id, "" for a dead slot
	slots    map[string]int32   // node id -> its slot
	dead     int
}

func newGramIndex() *gramIndex {
	return &gramIndex{postings: map[uint32][]int32{}, slots: map[string]int32{}}
}

func gram(s string, i int) uint32 {
	return uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2])
}

// put indexes node id's search text, in place of what it had.
func (x *gramIndex) put(id, text string) {
	x.remove(id)
	s := int32(len(x.ids))
	x.ids = append(x.ids, id)
	x.slots[id] = s
	for i := 0; i+3 <= len(text); i++ {
		g := gram(text, i)
		p := x.postings[g]
		if n := len(p); n > 0 && p[n-1] == s {
			continue // a trigram again in this text: slot s is the last added
		}
		x.postings[g] = append(p, s)
	}
}

// remove forgets node id.
func (x *gramIndex) remove(id string) {
	if s, ok := x.slots[id]; ok {
		delete(x.slots, id)
		x.ids[s] = ""
		x.dead++
	}
}

// tidy makes the postings again from texts (node id to search text, every
// node's) when the dead slots outnumber the live ones.
func (x *gramIndex) tidy(texts map[string]string) {
	if x.dead < 1024 || x.dead < len(x.slots) {
		return
	}
	*x = *newGramIndex()
	for id, text := range texts {
		x.put(id, text)
	}
}

// candidates returns the slots (x.ids; some may be dead) of the nodes
// having the rarest trigram of fq (a folded filter text): among them, every
// node whose search text contains fq. It reports false when fq is shorter
// than a trigram (every node is a candidate then).
func (x *gramIndex) candidates(fq string) ([]int32, bool) {
	if len(fq) < 3 {
		return nil, false
	}
	var best []int32
	for i := 0; i+3 <= len(fq); i++ {
		p := x.postings[gram(fq, i)]
		if len(p) == 0 {
			return nil, true // no node has this trigram: none contains fq
		}
		if best == nil || len(p) < len(best) {
			best = p
		}
	}
	return best, true
}
