// Package boltstore is the embedded regiongraph.Store: the whole graph in
// memory behind a read-write lock, written through to one bbolt file.
//
// Reads never touch the file. Apply validates a batch completely against a
// staged copy-on-write view of the graph, writes the net result to the file
// in one bbolt transaction (synced on commit) and only then makes it visible
// in memory, so a failed batch changes neither the file nor the graph.
// Writers are serialised; readers are blocked only while the in-memory graph
// is updated, not while the file is written.
package boltstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	rg "github.com/regiongraph/regiongraph"
)

// How full bbolt fills a page when it splits one (its default is 0.5): the
// history's keys only grow, so its pages are filled completely; other
// buckets take keys anywhere and are left some room. This halves the
// history's pages and shrinks the others by about a third (numbers in
// bench/national).
const (
	fillAppend = 1.0
	fillRandom = 0.9
)

// FormatVersion is the version of the file layout, kept in the meta bucket:
// 2 since the compact records (codec.go). Open migrates a file of version
// 1 (JSON records, migrate.go).
const FormatVersion = "2"

// DefaultTimeout is how long Open waits for another process to release the
// file when Options.Timeout is 0.
const DefaultTimeout = 2 * time.Second

var (
	bucketNodes = []byte("nodes")
	bucketEdges = []byte("edges")
	bucketMeta  = []byte("meta")
	keyFormat   = []byte("format")
	keyProbe    = []byte("writeProbe") // written by Ready's probe
)

// ErrInUse is wrapped by Open's error when another process (or another
// Store in this one) holds the file.
var ErrInUse = errors.New("file is in use by another process")

// ErrDamaged is wrapped by Open's error when the file is not a readable
// regiongraph data file: not a bbolt file, truncated, corrupt or of
// another layout. The file is left as it was.
var ErrDamaged = errors.New("not a readable regiongraph data file")

// Options configure Open.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process (or another Store in this one); 0 means DefaultTimeout.
	Timeout time.Duration
	// Logger receives a line when the store is opened; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock that stamps history entries; nil means time.Now.
	Now func() time.Time
	// InitialMmapSize, when set, is the size in bytes of the file's first
	// memory map (virtual memory): a file that grows within it is not
	// remapped, which in a large import costs bbolt a copy of every page
	// the transaction holds, each time the file doubles. bbolt then grows
	// the file by 16 MB at a time, so it is for large imports only.
	InitialMmapSize int
}

// Store is the embedded store. It is safe for concurrent use.
type Store struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	writeMu sync.Mutex   // serialises Apply and Close
	mu      sync.RWMutex // guards g and db against readers
	g       *graph
	tab     *strtab  // the interned strings (codec.go); guarded as g
	db      *bolt.DB // nil once closed

	gen   atomic.Uint64               // bumped by every commit, under mu
	stats atomic.Pointer[cachedStats] // Stats of generation gen, when computed

	// writeFault, when set (tests only), fails every write transaction
	// with the error it returns, as the file system would.
	writeFault func() error
	// unwritable is why the last write failed, when the disk or the file
	// system was the cause; nil once a write succeeds. Guarded by writeMu
	// for writes; read by Ready.
	unwritable atomic.Pointer[string]
	lastProbe  atomic.Int64 // unix nanoseconds of the last write probe
	id         uint64       // GraphVersion.Store
	seq        int64        // the newest history seq; guarded by mu
}

// cachedStats are the Stats of one generation of the graph.
type cachedStats struct {
	gen   uint64
	stats rg.GraphStats
}

var (
	_ rg.Store     = (*Store)(nil)
	_ rg.Versioned = (*Store)(nil)
)

// Open opens the store kept in the file at path, creating the file when it
// does not exist (or is empty), and loads the whole graph into memory.
//
// An existing file is first opened read-only and checked: a file that is not
// a bbolt file, is truncated or corrupt, holds another layout, or cannot be
// read is an error naming the file, and the file is left as it was. When
// another process holds the file, Open fails after opts.Timeout with an
// error saying the file is in use.
func Open(path string, opts Options) (*Store, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	fail := func(err error) (*Store, error) {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		fi = nil
	case err != nil:
		return fail(err)
	case !fi.Mode().IsRegular():
		return fail(errors.New("not a regular file"))
	}

	l := loaded{g: newGraph(), tab: newStrtab(), txid: -1}
	if fi != nil && fi.Size() > 0 {
		// bbolt reads pages through a memory map of the file's size as the
		// header gives it: check the size first, so that a truncated file
		// is reported as such rather than as a memory fault.
		if err := checkSize(path, fi.Size()); err != nil {
			return fail(err)
		}
		// Check and load read-only, so that a bad file is never written to.
		if l, err = loadFile(path, fi.Size(), opts.Timeout); err != nil {
			return fail(err)
		}
	}

	wo := writeOptions(opts.Timeout)
	wo.InitialMmapSize = opts.InitialMmapSize
	db, err := bolt.Open(path, 0o600, wo)
	if err != nil {
		return fail(describeOpenError(err, opts.Timeout))
	}
	// A new file gets its buckets; an existing one is only read, so that
	// opening does not write to it (unless it has to be migrated).
	initialised := false
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			initialised = tx.Bucket(bucketMeta) != nil && tx.Bucket(bucketNodes) != nil && tx.Bucket(bucketEdges) != nil
			if initialised && l.txid >= 0 && tx.ID() != l.txid {
				// Another process wrote between the check and the lock.
				var err error
				l, err = readGraph(tx)
				return err
			}
			return nil
		})
	})
	if err != nil {
		_ = db.Close()
		return fail(err)
	}
	if !initialised {
		if err := db.Update(initBuckets); err != nil {
			_ = db.Close()
			return fail(err)
		}
	} else if l.format != FormatVersion {
		if db, l, err = migrate(db, path, l, opts); err != nil {
			return fail(err)
		}
	}
	var seq uint64
	if err := db.View(func(tx *bolt.Tx) error {
		if hb := tx.Bucket(bucketHistory); hb != nil {
			seq = hb.Sequence()
		}
		return nil
	}); err != nil {
		_ = db.Close()
		return fail(err)
	}
	s := &Store{path: path, log: opts.Logger, now: opts.Now, g: l.g, tab: l.tab, db: db, id: rg.NewStoreID(), seq: int64(seq)}
	s.log.Info("boltstore: opened", "path", path, "nodes", len(l.g.nodes), "edges", len(l.g.edges))
	return s, nil
}

// writeOptions are the options of the file opened for writing: bbolt's
// free list kept as a map (its default, an array, is searched linearly for
// every allocation, which a large import feels). The free list is written
// on commit (NoFreelistSync would save that, but then opening the file
// rebuilds it by reading every page, which puts the whole file into the
// server's resident memory). (See Options.InitialMmapSize for the memory
// map.)
func writeOptions(timeout time.Duration) *bolt.Options {
	return &bolt.Options{
		Timeout:      timeout,
		FreelistType: bolt.FreelistMapType,
	}
}

func describeOpenError(err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w (lock not acquired within %s)", ErrInUse, timeout)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return fmt.Errorf("%w: not a valid bbolt file (%v)", ErrDamaged, err)
	}
	return err
}

// The start of a bbolt file: two meta pages, each a page header (id uint64,
// flags uint16, count uint16, overflow uint32) and then the meta: magic
// uint32, version uint32, pageSize uint32, flags uint32, root bucket (root
// pgid uint64, sequence uint64), freelist pgid uint64, pgid uint64 (the
// number of pages the file must hold), txid uint64, checksum uint64 (FNV-1a
// 64 of the meta before it). This is bbolt's on-disk format, version 2.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	boltHeaderSize = 16
	boltMetaSize   = 64
)

// checkSize reads the file's meta pages and fails when the file is shorter
// than the newest valid one says it must be. A file without a valid meta
// page is left to bbolt, which reports it.
func checkSize(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, boltHeaderSize+boltMetaSize)
	var best struct {
		ok         bool
		txid, need uint64
	}
	readMeta := func(off int64) (pageSize uint32, ok bool) {
		if _, err := f.ReadAt(buf, off); err != nil {
			return 0, false
		}
		m := buf[boltHeaderSize:]
		le := binary.LittleEndian
		if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion {
			return 0, false
		}
		h := fnv.New64a()
		_, _ = h.Write(m[:56])
		if h.Sum64() != le.Uint64(m[56:]) {
			return 0, false
		}
		pageSize = le.Uint32(m[8:])
		pgid, txid := le.Uint64(m[40:]), le.Uint64(m[48:])
		if !best.ok || txid > best.txid {
			best.ok, best.txid, best.need = true, txid, pgid*uint64(pageSize)
		}
		return pageSize, true
	}
	pageSize, ok := readMeta(0)
	if !ok || pageSize == 0 || pageSize > 1<<20 {
		pageSize = uint32(os.Getpagesize())
	}
	readMeta(int64(pageSize))
	if best.ok && uint64(size) < best.need {
		return fmt.Errorf("%w: the file is truncated: %d bytes, the database needs %d", ErrDamaged, size, best.need)
	}
	return nil
}

// initBuckets creates the buckets and format version of a new file.
func initBuckets(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		empty := true
		_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
		if !empty {
			return errors.New("not a regiongraph store (no meta bucket)")
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return fmt.Errorf("create bucket meta: %w", err)
		}
		if err := meta.Put(keyFormat, []byte(FormatVersion)); err != nil {
			return fmt.Errorf("write format version: %w", err)
		}
	} else if v := string(meta.Get(keyFormat)); v != FormatVersion {
		return fmt.Errorf("format version %q, want %q", v, FormatVersion)
	}
	for _, b := range [][]byte{bucketNodes, bucketEdges, bucketStrings, bucketHistory, bucketHistoryByID} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("create bucket %s: %w", b, err)
		}
	}
	return nil
}

// loaded is what reading a file gives: the graph, the interned strings,
// the file's format and the transaction it was read in.
type loaded struct {
	g      *graph
	tab    *strtab
	format string
	txid   int
}

// loadFile opens the file read-only, checks it and reads the graph, which
// visits every page in use. bbolt reads the file through a memory map and
// panics on some kinds of corruption (and reading past the end of a
// truncated file faults); both are turned into errors. (tx.Check is not
// used: it runs in a goroutine of its own, where a panic cannot be caught.)
func loadFile(path string, size int64, timeout time.Duration) (l loaded, err error) {
	err = guard(func() error {
		var err error
		l, err = loadReadOnly(path, size, timeout)
		return err
	})
	return l, err
}

// guard runs fn, turning a panic or a memory fault in it into an error.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(runtime.Error); fault {
				// A memory fault or an index out of range in bbolt:
				// its message would only puzzle.
				err = fmt.Errorf("%w: corrupt file (reading it failed)", ErrDamaged)
				return
			}
			err = fmt.Errorf("%w: corrupt file (%v)", ErrDamaged, r)
		}
	}()
	return fn()
}

func loadReadOnly(path string, size int64, timeout time.Duration) (l loaded, err error) {
	// PreLoadFreelist makes bbolt read the free list now, in this
	// goroutine, where a panic over a corrupt one is recovered.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout, PreLoadFreelist: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return loaded{}, describeOpenError(err, timeout)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close after reading: %w", cerr)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		if tx.Size() > size {
			return fmt.Errorf("%w: the file is truncated: %d bytes, the database needs %d", ErrDamaged, size, tx.Size())
		}
		if tx.Bucket(bucketMeta) == nil {
			empty := true
			_ = tx.ForEach(func([]byte, *bolt.Bucket) error { empty = false; return nil })
			if empty {
				// created but never initialised
				l = loaded{g: newGraph(), tab: newStrtab(), format: FormatVersion, txid: tx.ID()}
				return nil
			}
			return fmt.Errorf("%w: a bbolt file, but not a regiongraph store (no meta bucket)", ErrDamaged)
		}
		var err error
		l, err = readGraph(tx)
		return err
	})
	return l, err
}

// readGraph reads the graph of a file of this format or an older one
// (which Open then migrates).
func readGraph(tx *bolt.Tx) (loaded, error) {
	l := loaded{tab: newStrtab(), txid: tx.ID()}
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return loaded{}, fmt.Errorf("%w: a bbolt file, but not a regiongraph store (no meta bucket)", ErrDamaged)
	}
	l.format = string(meta.Get(keyFormat))
	nb, eb := tx.Bucket(bucketNodes), tx.Bucket(bucketEdges)
	if nb == nil || eb == nil {
		return loaded{}, errors.New("missing bucket nodes or edges")
	}
	var (
		decodeNode func(id string, v []byte) (*rg.Node, error)
		decodeEdge func(id string, v []byte) (*rg.Edge, error)
	)
	switch l.format {
	case FormatVersion:
		if tx.Bucket(bucketStrings) != nil {
			if err := l.tab.load(tx); err != nil {
				return loaded{}, err
			}
		}
		d := &decoder{tab: l.tab}
		decodeNode, decodeEdge = d.decodeNode, d.decodeEdge
	case format1:
		decodeNode, decodeEdge = decodeNodeJSON, decodeEdgeJSON
	default:
		return loaded{}, fmt.Errorf("%w: format version %q, want %q", ErrDamaged, l.format, FormatVersion)
	}
	g := newGraph()
	var nodes []*rg.Node
	err := nb.ForEach(func(k, v []byte) error {
		n, err := decodeNode(string(k), v)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
		return nil
	})
	if err != nil {
		return loaded{}, err
	}
	g.putNodes(nodes)
	var edges []*rg.Edge
	err = eb.ForEach(func(k, v []byte) error {
		e, err := decodeEdge(string(k), v)
		if err != nil {
			return err
		}
		from, to := g.nodes[e.From], g.nodes[e.To]
		if from == nil || to == nil {
			return fmt.Errorf("edge %q: joins a missing node (%q -> %q)", e.ID, e.From, e.To)
		}
		// The ends share the nodes' ids.
		e.From, e.To = from.ID, to.ID
		edges = append(edges, e)
		return nil
	})
	if err != nil {
		return loaded{}, err
	}
	g.putEdges(edges)
	g.trim()
	l.g = g
	return l, nil
}

// Path returns the file the store is kept in.
func (s *Store) Path() string { return s.path }

// Empty reports whether the store holds no node and no relation, so that a
// new file can be filled from the bundled dataset.
func (s *Store) Empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.g.nodes) == 0 && len(s.g.edges) == 0
}

// Close closes the file. Later calls return UNAVAILABLE; Close is idempotent.
func (s *Store) Close() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("boltstore: close %s: %w", s.path, err)
	}
	return nil
}

var errClosed = rg.Errorf(rg.EUNAVAILABLE, "the store is closed")

// read runs fn under the read lock after checking ctx and that the store is open.
func (s *Store) read(ctx context.Context, fn func(g *graph) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.db == nil {
		return errClosed
	}
	return fn(s.g)
}

// Nodes implements regiongraph.Store.
func (s *Store) Nodes(ctx context.Context, ids []string) (out []*rg.Node, err error) {
	err = s.read(ctx, func(g *graph) error { out, err = g.nodesByID(ids); return err })
	return out, err
}

// FindNodes implements regiongraph.Store.
func (s *Store) FindNodes(ctx context.Context, f rg.NodeFilter) (p rg.NodePage, err error) {
	err = s.read(ctx, func(g *graph) error { p, err = g.findNodes(f); return err })
	return p, err
}

// Edges implements regiongraph.Store.
func (s *Store) Edges(ctx context.Context, f rg.EdgeFilter) (out []*rg.Edge, err error) {
	err = s.read(ctx, func(g *graph) error { out, err = g.findEdges(f); return err })
	return out, err
}

// Expand implements regiongraph.Store: one read of the in-memory graph.
func (s *Store) Expand(ctx context.Context, f rg.EdgeFilter) (x rg.Expansion, err error) {
	err = s.read(ctx, func(g *graph) error { x, err = g.expand(f); return err })
	return x, err
}

// NodeDegrees implements regiongraph.NodeDegreer: a count of the node's
// relations in memory.
func (s *Store) NodeDegrees(ctx context.Context, id string) (st rg.GraphStats, err error) {
	err = s.read(ctx, func(g *graph) error { st = g.nodeDegrees(id); return nil })
	return st, err
}

var _ rg.NodeDegreer = (*Store)(nil)

// Subgraph implements regiongraph.Store. With Roots, the roots are always
// part of the result (whatever their kind); the other nodes are reached
// through allowed relations and nodes of allowed kinds. When MaxNodes cuts
// the result, the nodes nearest the roots are kept (by distance, then id);
// without roots, the first MaxNodes by id.
func (s *Store) Subgraph(ctx context.Context, f rg.SubgraphFilter) (sg *rg.Subgraph, err error) {
	err = s.read(ctx, func(g *graph) error { sg, err = g.subgraph(f); return err })
	return sg, err
}

// ShortestPaths implements regiongraph.Store. Paths from a node to itself
// are the one path of that node alone.
func (s *Store) ShortestPaths(ctx context.Context, from, to string, o rg.PathOptions) (ps []rg.Path, err error) {
	err = s.read(ctx, func(g *graph) error { ps, err = g.shortestPaths(from, to, o); return err })
	return ps, err
}

// Apply implements regiongraph.Store. The changes and their history are
// written in one bbolt transaction.
func (s *Store) Apply(ctx context.Context, changes []rg.Change) (rg.ApplyResult, error) {
	if err := ctx.Err(); err != nil {
		return rg.ApplyResult{}, fmt.Errorf("boltstore: %w", err)
	}
	if err := rg.ValidateChanges(changes); err != nil {
		return rg.ApplyResult{}, err
	}
	actor, reason := rg.ActorFrom(ctx), rg.ReasonFrom(ctx)
	if err := rg.ValidateReason(reason); err != nil {
		return rg.ApplyResult{}, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// Only writers change s.g and s.db, and they hold writeMu, so reading
	// them here without mu is safe; readers may run meanwhile.
	if s.db == nil {
		return rg.ApplyResult{}, errClosed
	}
	st := newStage(s.g)
	res, err := st.apply(changes)
	if err != nil {
		return rg.ApplyResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return rg.ApplyResult{}, fmt.Errorf("boltstore: %w", err)
	}
	at := s.now().UTC()
	err = s.update(func(tx *bolt.Tx) error {
		if err := st.write(tx, s.tab); err != nil {
			return err
		}
		return writeHistory(tx, s.tab, st.log, st.recs, at, actor, reason)
	})
	if err != nil {
		s.tab.rollback()
		if cause := writeFailure(err); cause != "" {
			// The disk or the file system refused: UNAVAILABLE with the
			// cause, never the path (logged with the error), and Ready
			// reports it until a write succeeds.
			s.unwritable.Store(&cause)
			s.log.Error("boltstore: cannot write", "path", s.path, "err", err)
			e := rg.Errorf(rg.EUNAVAILABLE, "the store cannot write: %s; nothing was changed", cause)
			return rg.ApplyResult{}, fmt.Errorf("boltstore: write %s: %w (%w)", s.path, e, err)
		}
		return rg.ApplyResult{}, fmt.Errorf("boltstore: write %s: %w", s.path, err)
	}
	s.unwritable.Store(nil)
	s.mu.Lock()
	s.tab.commit()
	st.commit()
	s.gen.Add(1)
	if n := len(st.log); n > 0 {
		s.seq = st.log[n-1].Seq
	}
	s.mu.Unlock()
	return res, nil
}

// Stats implements regiongraph.Store: computed from the in-memory graph
// (one pass over the adjacency lists) the first time after a change, then
// kept until the next one. The maps are shared: do not modify them.
func (s *Store) Stats(ctx context.Context) (rg.GraphStats, error) {
	if c := s.stats.Load(); c != nil && c.gen == s.gen.Load() {
		return c.stats, nil
	}
	var c cachedStats
	err := s.read(ctx, func(g *graph) error {
		c.gen = s.gen.Load()
		c.stats = g.stats()
		return nil
	})
	if err != nil {
		return rg.GraphStats{}, err
	}
	s.stats.Store(&c)
	return c.stats, nil
}

// update runs fn in a write transaction (failing as writeFault says, in
// tests).
func (s *Store) update(fn func(*bolt.Tx) error) error {
	if s.writeFault != nil {
		if err := s.writeFault(); err != nil {
			return err
		}
	}
	return s.db.Update(fn)
}

// writeFailure returns why the disk or the file system refused a write
// (full, over quota, read-only, failing), in words that name the cause and
// not the file; "" for any other error.
func writeFailure(err error) string {
	var cause string
	switch {
	case errors.Is(err, syscall.ENOSPC):
		cause = "the disk is full"
	case errors.Is(err, syscall.EDQUOT):
		cause = "the disk quota is used up"
	case errors.Is(err, syscall.EFBIG):
		cause = "the data file has reached the largest size the file system allows"
	case errors.Is(err, syscall.EROFS):
		cause = "the file system is read-only"
	case errors.Is(err, berrors.ErrDatabaseReadOnly):
		cause = "the data file is open read-only"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		cause = "the data file may not be written (permission denied)"
	case errors.Is(err, syscall.EIO):
		cause = "the disk reports a read or write error (EIO)"
	}
	return cause
}

// probeEvery is how often Ready tries a write while the last one failed.
const probeEvery = 5 * time.Second

// Ready reports whether the store can serve: reads always can (the graph is
// in memory), writes not after a write the disk or the file system refused
// (full, read-only, ...). Then Ready is UNAVAILABLE, "not ready for
// writes", naming the cause, until a write succeeds: an Apply, or a small
// probe write Ready itself tries at most every 5 s.
func (s *Store) Ready(ctx context.Context) error {
	cause := s.unwritable.Load()
	if cause == nil {
		return nil
	}
	now := time.Now().UnixNano()
	if last := s.lastProbe.Load(); now-last >= int64(probeEvery) && s.lastProbe.CompareAndSwap(last, now) && ctx.Err() == nil {
		if err := s.probeWrite(); err == nil {
			return nil
		}
		cause = s.unwritable.Load()
		if cause == nil {
			return nil
		}
	}
	return rg.Errorf(rg.EUNAVAILABLE, "not ready for writes: %s", *cause)
}

// probeWrite writes the time of the probe into the meta bucket: a write
// that needs the disk as any other does.
func (s *Store) probeWrite() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.db == nil {
		return errClosed
	}
	err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyProbe, []byte(s.now().UTC().Format(time.RFC3339Nano)))
	})
	if err != nil {
		if cause := writeFailure(err); cause != "" {
			s.unwritable.Store(&cause)
		}
		return err
	}
	s.unwritable.Store(nil)
	return nil
}

// GraphVersion implements regiongraph.Versioned: Seq is the newest history
// entry's, kept in memory, so the call costs a read lock.
func (s *Store) GraphVersion(ctx context.Context) (v rg.GraphVersion, err error) {
	err = s.read(ctx, func(g *graph) error {
		v = rg.GraphVersion{Store: s.id, Seq: s.seq, Nodes: len(g.nodes), Relations: len(g.edges)}
		return nil
	})
	return v, err
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
