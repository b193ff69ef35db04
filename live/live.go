// Package live tells clients about changes as the store records them: a
// Hub wraps the Store so that every successful Apply wakes the streams,
// which then read the history after the last seq they sent. Streams also
// poll, so that changes made by another process on the same database
// (Neo4j behind several servers) arrive too, a little later.
//
// The package imports only the domain package and the standard library.
package live

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	rg "github.com/regiongraph/regiongraph"
)

// Options configure a Hub.
type Options struct {
	// MaxStreams bounds the open streams; default 100.
	MaxStreams int
	// Poll is how often a stream looks at the history without being woken;
	// default 5s.
	Poll time.Duration
	// BatchSize bounds the entries of one batch; default and at most
	// rg.MaxPageSize.
	BatchSize int
}

// Hub wakes streams when the store changes.
type Hub struct {
	o Options

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on each change
	streams int
}

// New returns a Hub.
func New(o Options) *Hub {
	if o.MaxStreams <= 0 {
		o.MaxStreams = 100
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.BatchSize <= 0 || o.BatchSize > rg.MaxPageSize {
		o.BatchSize = rg.MaxPageSize
	}
	return &Hub{o: o, changed: make(chan struct{})}
}

// Notify wakes every stream.
func (h *Hub) Notify() {
	h.mu.Lock()
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

func (h *Hub) wait() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed
}

// Max returns the most streams that may be open at once.
func (h *Hub) Max() int { return h.o.MaxStreams }

// Streams returns the number of open streams.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.streams
}

// ErrFull is returned by Stream when MaxStreams streams are open.
var ErrFull = rg.Errorf(rg.EUNAVAILABLE, "too many open change streams; try again later")

// Store returns s with Apply notifying the hub after every batch that
// changed something.
func (h *Hub) Store(s rg.Store) rg.Store { return &store{Store: s, h: h} }

type store struct {
	rg.Store
	h *Hub
}

func (s *store) Apply(ctx context.Context, changes []rg.Change) (rg.ApplyResult, error) {
	res, err := s.Store.Apply(ctx, changes)
	if err == nil && res.Created+res.Updated+res.Deleted > 0 {
		s.h.Notify()
	}
	return res, err
}

// GraphVersion passes regiongraph.Versioned through.
func (s *store) GraphVersion(ctx context.Context) (rg.GraphVersion, error) {
	return rg.VersionOf(ctx, s.Store)
}

var _ rg.Versioned = (*store)(nil)

// NodeDegrees passes regiongraph.NodeDegreer through.
func (s *store) NodeDegrees(ctx context.Context, id string) (rg.GraphStats, error) {
	return rg.NodeDegreesOf(ctx, s.Store, id)
}

// Ready passes the wrapped store's readiness on.
func (s *store) Ready(ctx context.Context) error {
	if r, ok := s.Store.(interface{ Ready(context.Context) error }); ok {
		return r.Ready(ctx)
	}
	return nil
}

// Batch is a part of the history, oldest first, and the seq to resume
// from.
type Batch struct {
	Entries []*rg.HistoryEntry
	LastSeq int64
}

// Since reads up to first entries after seq since, oldest first: the
// entries, the seq to ask with next and whether there are more. It relies
// on seqs being dense (1, 2, 3, ... as both stores number them); where they
// are not, a page holds fewer entries, never a wrong one.
func Since(ctx context.Context, s rg.Store, since int64, first int) (entries []*rg.HistoryEntry, next int64, more bool, total int64, err error) {
	if since < 0 {
		return nil, 0, false, 0, rg.FieldErrorf("since", "must not be negative")
	}
	if first <= 0 || first > rg.MaxPageSize {
		return nil, 0, false, 0, rg.FieldErrorf("first", "first %d is outside 1..%d", first, rg.MaxPageSize)
	}
	latest, err := Latest(ctx, s)
	if err != nil {
		return nil, 0, false, 0, err
	}
	if since >= latest {
		return []*rg.HistoryEntry{}, max(since, latest), false, 0, nil
	}
	upper := min(since+int64(first), latest)
	p, err := s.History(ctx, rg.HistoryFilter{First: first, After: rg.HistoryCursor(upper + 1)})
	if err != nil {
		return nil, 0, false, 0, err
	}
	entries = make([]*rg.HistoryEntry, 0, len(p.Entries))
	for _, e := range p.Entries {
		if e.Seq > since && e.Seq <= upper {
			entries = append(entries, e)
		}
	}
	slices.Reverse(entries)
	return entries, upper, upper < latest, latest - since, nil
}

// Latest returns the seq of the newest history entry, 0 for none.
func Latest(ctx context.Context, s rg.Store) (int64, error) {
	p, err := s.History(ctx, rg.HistoryFilter{First: 1})
	if err != nil {
		return 0, fmt.Errorf("live: latest seq: %w", err)
	}
	if len(p.Entries) == 0 {
		return 0, nil
	}
	return p.Entries[0].Seq, nil
}

// Stream sends batches of the history on the returned channel until ctx is
// done or reading the store fails (the channel is then closed): first the
// entries after since (without since, an empty batch carrying the latest
// seq), then a batch whenever there are new entries. It returns ErrFull
// when MaxStreams streams are open.
func (h *Hub) Stream(ctx context.Context, s rg.Store, since *int64) (<-chan Batch, error) {
	h.mu.Lock()
	if h.streams >= h.o.MaxStreams {
		h.mu.Unlock()
		return nil, ErrFull
	}
	h.streams++
	h.mu.Unlock()
	release := func() {
		h.mu.Lock()
		h.streams--
		h.mu.Unlock()
	}
	var cur int64
	if since != nil {
		if *since < 0 {
			release()
			return nil, rg.FieldErrorf("since", "must not be negative")
		}
		cur = *since
	} else {
		latest, err := Latest(ctx, s)
		if err != nil {
			release()
			return nil, err
		}
		cur = latest
	}
	out := make(chan Batch, 1)
	go func() {
		defer release()
		defer close(out)
		send := func(b Batch) bool {
			select {
			case out <- b:
				return true
			case <-ctx.Done():
				return false
			}
		}
		first := true
		tick := time.NewTicker(h.o.Poll)
		defer tick.Stop()
		for {
			woken := h.wait() // before reading, so no change is missed
			for {
				entries, next, more, _, err := Since(ctx, s, cur, h.o.BatchSize)
				if err != nil {
					// The stream ends; the client resumes from the
					// last seq it got.
					return
				}
				if len(entries) > 0 || first {
					first = false
					if !send(Batch{Entries: entries, LastSeq: next}) {
						return
					}
				}
				cur = next
				if !more {
					break
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-woken:
			case <-tick.C:
			}
		}
	}()
	return out, nil
}
