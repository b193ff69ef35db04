// Package neo4jstore is the regiongraph.Store on Neo4j 5.
//
// One driver per Store (open one Store per process); every call names the
// database, every statement is a file under queries/ (Statements lists them
// all) with every value a parameter, and every query runs under
// Config.QueryTimeout. The hot reads (Nodes, FindNodes, Expand, Edges,
// Search) are one statement each with the read gate folded in, run as an
// auto-commit transaction: one round trip (see Store.read). Open checks
// connectivity within Config.ConnectTimeout and applies the numbered schema
// migrations that the :SchemaVersion node says are missing. The storage layout is described in
// mapping.go and README.md.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/regiongraph/regiongraph"
)

// Store is a regiongraph.Store on Neo4j. It is safe for concurrent use.
type Store struct {
	driver neo4j.DriverWithContext
	cfg    Config
	st     *stmts
	id     uint64 // GraphVersion.Store
}

var _ regiongraph.Store = (*Store)(nil)

// Open connects to Neo4j, verifies connectivity within cfg.ConnectTimeout
// and applies the missing schema migrations. When Neo4j cannot be reached it
// returns an UNAVAILABLE error naming the address, within ConnectTimeout
// (or ctx's deadline, if sooner).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	st, err := loadedStatements()
	if err != nil {
		return nil, err
	}
	auth := neo4j.NoAuth()
	if cfg.Password != "" {
		auth = neo4j.BasicAuth(cfg.User, cfg.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.SocketConnectTimeout = cfg.ConnectTimeout
		c.ConnectionAcquisitionTimeout = cfg.ConnectTimeout
		c.MaxTransactionRetryTime = cfg.QueryTimeout
		c.UserAgent = "regiongraph"
	})
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: NEO4J_URI %s is not a usable Neo4j URI: %w", cfg.address(), err)
	}
	s := &Store{driver: driver, cfg: cfg, st: st, id: regiongraph.NewStoreID()}
	if err := s.verify(ctx); err != nil {
		s.closeQuietly()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.closeQuietly()
		return nil, err
	}
	if err := s.backfillSearchTokens(ctx); err != nil {
		s.closeQuietly()
		return nil, err
	}
	return s, nil
}

// verify checks connectivity within ConnectTimeout. The check runs in its
// own goroutine so that the deadline holds even if the driver does not
// return in time (for example against a server that accepts and never
// answers).
func (s *Store) verify(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.driver.VerifyConnectivity(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			return connectError(s.cfg.address(), err)
		}
		return nil
	case <-ctx.Done():
		return connectError(s.cfg.address(), ctx.Err())
	}
}

func (s *Store) closeQuietly() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = s.driver.Close(ctx); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// Close releases the driver.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ConnectTimeout)
	defer cancel()
	if err := s.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4jstore: close: %w", err)
	}
	return nil
}

// Ready reports whether the database answers a query, for a readiness
// probe: nil, or UNAVAILABLE.
//
// It is one attempt, bounded by ctx (and QueryTimeout): an auto-commit
// transaction, which the driver does not retry (ExecuteQuery would retry a
// refused connection with growing pauses until ctx ends, so a probe of a
// database that just came back could sleep through it), and without the
// Store's bookmarks (readiness is about answering, not about having caught
// up with earlier writes).
func (s *Store) Ready(ctx context.Context) error {
	st, err := s.st.stmt("ready")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: neo4j.AccessModeRead})
	defer func() { _ = session.Close(ctx) }()
	res, err := session.Run(ctx, st.Query, map[string]any{}, neo4j.WithTxTimeout(s.cfg.QueryTimeout))
	if err == nil {
		_, err = res.Single(ctx)
	}
	if err == nil {
		return nil
	}
	if err = mapError("ready", err); regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE {
		return unavailable("ready", "Neo4j is not ready", err)
	}
	return err
}

// checkParams makes sure a statement gets exactly the parameters it
// declares (the ones the analyser checked it with).
func checkParams(st Statement, params map[string]any) error {
	if len(params) != len(st.Params) {
		return fmt.Errorf("neo4jstore: statement %s takes parameters %v, given %v", st.Name, slices.Sorted(maps.Keys(st.Params)), slices.Sorted(maps.Keys(params)))
	}
	for k := range params {
		if _, ok := st.Params[k]; !ok {
			return fmt.Errorf("neo4jstore: statement %s takes parameters %v, given %v", st.Name, slices.Sorted(maps.Keys(st.Params)), slices.Sorted(maps.Keys(params)))
		}
	}
	return nil
}

// query runs one statement through neo4j.ExecuteQuery on the configured
// database, on readers when read is set, under QueryTimeout.
func (s *Store) query(ctx context.Context, op, name string, params map[string]any, read bool) ([]*neo4j.Record, error) {
	st, err := s.st.stmt(name)
	if err != nil {
		return nil, err
	}
	return s.queryStatement(ctx, op, st, params, read)
}

func (s *Store) queryStatement(ctx context.Context, op string, st Statement, params map[string]any, read bool) ([]*neo4j.Record, error) {
	if params == nil {
		params = map[string]any{}
	}
	if err := checkParams(st, params); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	opts := []neo4j.ExecuteQueryConfigurationOption{
		neo4j.ExecuteQueryWithDatabase(s.cfg.Database),
		neo4j.ExecuteQueryWithTransactionConfig(neo4j.WithTxTimeout(s.cfg.QueryTimeout)),
	}
	if read {
		opts = append(opts, neo4j.ExecuteQueryWithReadersRouting())
	} else {
		opts = append(opts, neo4j.ExecuteQueryWithWritersRouting())
	}
	res, err := neo4j.ExecuteQuery(ctx, s.driver, st.Query, params, neo4j.EagerResultTransformer, opts...)
	if err != nil {
		return nil, mapError(op, err)
	}
	return res.Records, nil
}

// read runs one read statement (one that starts with the read gate,
// {{READ_GATE}}) as an auto-commit transaction: RUN and PULL go out together with
// the bookmarks of the driver's shared bookmark manager, and the answer
// ends the transaction, so a read costs one round trip (a managed
// transaction costs three: BEGIN, which the driver waits for, the
// statement, COMMIT). The bookmark manager chains it after every
// transaction this Store committed before (read-your-writes on a cluster)
// and records its own bookmark. The gate is a write clause, so the
// transaction is write-mode (on a cluster: on the leader, whose locks
// writers take).
//
// The driver does not retry auto-commit transactions; read does, as the
// driver retries managed ones: transient errors and lost connections are
// retried, the first at once (a pooled connection that died with a
// restarted server), then after growing pauses, until QueryTimeout or
// ctx's deadline. Reads are idempotent (the gate's MERGE creates the gate
// at most once), so a retry is safe.
func (s *Store) read(ctx context.Context, op string, st Statement, params map[string]any) ([]*neo4j.Record, error) {
	params = withProjectionKeys(st, params)
	if err := checkParams(st, params); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	var pause time.Duration
	for attempt := 1; ; attempt++ {
		recs, err := s.autoCommit(ctx, st, params)
		if err == nil {
			return recs, nil
		}
		if !retryable(err) {
			return nil, mapError(op, err)
		}
		if ctx.Err() == nil {
			if attempt > 1 {
				pause = min(max(2*pause, firstRetryPause), maxRetryPause)
			}
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		if ctx.Err() != nil {
			return nil, gaveUp(op, attempt, err)
		}
	}
}

// withProjectionKeys returns params with the parameters of the projections
// st uses (see nodeProjection) added.
func withProjectionKeys(st Statement, params map[string]any) map[string]any {
	params = cloneParams(params)
	if _, ok := st.Params[paramNodeKeys]; ok {
		params[paramNodeKeys] = nodeReadKeys
	}
	if _, ok := st.Params[paramRelationKeys]; ok {
		params[paramRelationKeys] = edgeReadKeys
	}
	return params
}

// The pauses between retries of read: none before the first, then from
// firstRetryPause doubling up to maxRetryPause.
const (
	firstRetryPause = 50 * time.Millisecond
	maxRetryPause   = 2 * time.Second
)

// autoCommit runs st once as an auto-commit transaction and collects its
// records.
func (s *Store) autoCommit(ctx context.Context, st Statement, params map[string]any) ([]*neo4j.Record, error) {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{
		DatabaseName:    s.cfg.Database,
		AccessMode:      neo4j.AccessModeWrite,
		BookmarkManager: s.driver.ExecuteQueryBookmarkManager(),
		FetchSize:       neo4j.FetchAll, // every row in the first answer: no PULL after it
	})
	defer func() { _ = session.Close(ctx) }()
	res, err := session.Run(ctx, st.Query, params, neo4j.WithTxTimeout(s.cfg.QueryTimeout))
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// retryable reports whether an error of one attempt is worth another: the
// driver's classification (transient errors, lost connections, a pool
// timeout) or a connectivity failure it wrapped.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return neo4j.IsRetryable(err) || isConnectivity(err)
}

// gaveUp is the error of a read whose attempts all failed with retryable
// errors until its deadline: UNAVAILABLE, as the driver's
// TransactionExecutionLimit is (see mapError).
func gaveUp(op string, attempts int, last error) error {
	if m := mapError(op, last); regiongraph.ErrorCode(m) == regiongraph.EUNAVAILABLE {
		return m
	}
	return unavailable(op, fmt.Sprintf("Neo4j did not complete the transaction in %d attempts", attempts), last)
}

// txRunner runs statements inside one managed transaction.
type txRunner struct {
	st *stmts
	tx neo4j.ManagedTransaction
}

// run runs statement name in the transaction and collects its records.
func (r txRunner) run(ctx context.Context, name string, params map[string]any) ([]*neo4j.Record, error) {
	st, err := r.st.stmt(name)
	if err != nil {
		return nil, err
	}
	return r.runStatement(ctx, st, params)
}

func (r txRunner) runStatement(ctx context.Context, st Statement, params map[string]any) ([]*neo4j.Record, error) {
	if err := checkParams(st, params); err != nil {
		return nil, err
	}
	res, err := r.tx.Run(ctx, st.Query, params)
	if err != nil {
		return nil, err
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// inTx runs work in one managed transaction on the configured database
// under QueryTimeout. The driver may retry work on transient errors, so work
// must be idempotent and consume its results.
//
// A read (write false) starts with read_gate, which holds the read gate's
// shared lock until the transaction ends, so that no Apply commits while it
// reads (see migration 7): the reads of one call see one committed state, as
// on the embedded store. MERGE is a write clause, so reads run in write-mode
// transactions too; on a cluster they go to the leader, the one member whose
// locks writers take. A managed transaction costs a round trip for BEGIN
// (the driver waits for its answer), one per statement and one for COMMIT:
// reads that can be one statement use Store.read instead.
func inTx[T any](ctx context.Context, s *Store, op string, write bool, work func(ctx context.Context, r txRunner) (T, error)) (T, error) {
	var zero T
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	// The driver's shared bookmark manager chains every transaction after
	// the ones this Store committed before: on a cluster a read sees the
	// Apply that returned before it (read-your-writes).
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: neo4j.AccessModeWrite,
		BookmarkManager: s.driver.ExecuteQueryBookmarkManager()})
	defer func() { _ = session.Close(ctx) }()
	fn := func(tx neo4j.ManagedTransaction) (any, error) {
		r := txRunner{st: s.st, tx: tx}
		if !write {
			if err := r.gate(ctx, "read_gate"); err != nil {
				return nil, err
			}
		}
		return work(ctx, r)
	}
	out, err := session.ExecuteWrite(ctx, fn, neo4j.WithTxTimeout(s.cfg.QueryTimeout))
	if err != nil {
		return zero, s.txError(ctx, parent, op, err)
	}
	t, ok := out.(T)
	if !ok {
		return zero, fmt.Errorf("neo4jstore: %s: transaction returned %T", op, out)
	}
	return t, nil
}

// txError maps the error of a transaction run under ctx, which bounds
// parent by the query timeout. When that bound has passed and parent has
// not, the driver's last error is whatever it met when time ran out
// (often a connection it could not get in time, which reads as
// "cannot reach"): the truth is that the transaction took longer than the
// query timeout (a write waiting behind others on a busy server).
func (s *Store) txError(ctx, parent context.Context, op string, err error) error {
	var de *regiongraph.Error
	if !errors.As(err, &de) && errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil {
		return unavailable(op, fmt.Sprintf("Neo4j did not complete the transaction within the query timeout (%v); it may be busy, try again", s.cfg.QueryTimeout), err)
	}
	return mapError(op, err)
}

// gate runs read_gate or apply_gate, which answer one row.
func (r txRunner) gate(ctx context.Context, name string) error {
	recs, err := r.run(ctx, name, map[string]any{})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("neo4jstore: %s: %w", name, errNoRows)
	}
	return nil
}

// errNotFound returns a NOT_FOUND error for a missing id.
func errNotFound(field, format string, args ...any) error {
	return &regiongraph.Error{Code: regiongraph.ENOTFOUND, Field: field, Message: fmt.Sprintf(format, args...)}
}

// errConflict returns a CONFLICT error.
func errConflict(field, format string, args ...any) error {
	return &regiongraph.Error{Code: regiongraph.ECONFLICT, Field: field, Message: fmt.Sprintf(format, args...)}
}

var errNoRows = errors.New("neo4jstore: statement returned no rows")
