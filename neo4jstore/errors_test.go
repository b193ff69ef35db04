package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/regiongraph/regiongraph"
)

func TestMapError(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"constraint violation", &neo4j.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed", Msg: "Node(1) already exists"}, regiongraph.ECONFLICT},
		{"wrapped constraint violation", fmt.Errorf("commit: %w", &neo4j.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed"}), regiongraph.ECONFLICT},
		{"connectivity error", &neo4j.ConnectivityError{Inner: errors.New("routing table")}, regiongraph.EUNAVAILABLE},
		{"wrapped connectivity error", fmt.Errorf("x: %w", &neo4j.ConnectivityError{Inner: dial}), regiongraph.EUNAVAILABLE},
		{"dial error", dial, regiongraph.EUNAVAILABLE},
		{"refused", fmt.Errorf("x: %w", syscall.ECONNREFUSED), regiongraph.EUNAVAILABLE},
		{"deadline", context.DeadlineExceeded, regiongraph.EUNAVAILABLE},
		{"unauthorized", &neo4j.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"}, regiongraph.EUNAVAILABLE},
		{"no database", &neo4j.Neo4jError{Code: "Neo.ClientError.Database.DatabaseNotFound"}, regiongraph.EUNAVAILABLE},
		{"tx timeout", &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}, regiongraph.EUNAVAILABLE},
		{"retries exhausted, connection lost", &neo4j.TransactionExecutionLimit{Cause: "context deadline exceeded", Errors: []error{&neo4j.ConnectivityError{Inner: dial}, &neo4j.ConnectivityError{Inner: errors.New("routing table")}}}, regiongraph.EUNAVAILABLE},
		{"retries exhausted, transient errors", fmt.Errorf("x: %w", &neo4j.TransactionExecutionLimit{Cause: "timeout", Errors: []error{&neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}}}), regiongraph.EUNAVAILABLE},
		{"syntax error", &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "bad"}, regiongraph.EINTERNAL},
		{"usage error", &neo4j.UsageError{Message: "closed"}, regiongraph.EINTERNAL},
		{"canceled", context.Canceled, regiongraph.EINTERNAL},
		{"anything", errors.New("boom"), regiongraph.EINTERNAL},
		{"domain error", errNotFound("changes[0].id", "no node"), regiongraph.ENOTFOUND},
		{"field error", regiongraph.FieldErrorf("changes[3].edge.kind", "no"), regiongraph.EBADINPUT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError("op", tc.err)
			if code := regiongraph.ErrorCode(got); code != tc.code {
				t.Fatalf("code %s, want %s (%v)", code, tc.code, got)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("%v does not wrap %v", got, tc.err)
			}
			if tc.code == regiongraph.EINTERNAL && !strings.Contains(got.Error(), "neo4jstore: op") {
				t.Errorf("internal error %q does not say where", got)
			}
		})
	}
	if mapError("op", nil) != nil {
		t.Error("mapError(nil) is not nil")
	}
}

func TestMapErrorKeepsDriverErrorReachable(t *testing.T) {
	cause := &neo4j.Neo4jError{Code: "Neo.ClientError.Schema.ConstraintValidationFailed", Msg: "exists"}
	err := mapError("apply", cause)
	var ne *neo4j.Neo4jError
	if !errors.As(err, &ne) || ne.Code != cause.Code {
		t.Fatalf("errors.As does not reach the Neo4jError in %v", err)
	}
	if regiongraph.ErrorMessage(err) == "internal error" || strings.Contains(regiongraph.ErrorMessage(err), "Node(") {
		t.Errorf("message %q should be the domain message, not the server's", regiongraph.ErrorMessage(err))
	}
}

func TestConnectErrorNamesAddress(t *testing.T) {
	for _, cause := range []error{
		&neo4j.ConnectivityError{Inner: errors.New("dial tcp: refused")},
		context.DeadlineExceeded,
		&neo4j.Neo4jError{Code: "Neo.ClientError.Security.Unauthorized"},
	} {
		err := connectError("db.example:7687", cause)
		if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE || !strings.Contains(regiongraph.ErrorMessage(err), "db.example:7687") {
			t.Errorf("connectError(%v) = %v (message %q)", cause, err, regiongraph.ErrorMessage(err))
		}
	}
}

// TestTxErrorNamesTheQueryTimeout: a transaction whose query timeout
// passed (the caller's context still live) is UNAVAILABLE saying so, not
// "cannot reach Neo4j" after whatever the driver met when time ran out; a
// caller that gave up gets the driver's error mapped as usual.
func TestTxErrorNamesTheQueryTimeout(t *testing.T) {
	s := &Store{cfg: Config{QueryTimeout: 90 * time.Second}}
	lost := &neo4j.ConnectivityError{Inner: context.DeadlineExceeded}
	parent := context.Background()
	ctx, cancel := context.WithTimeout(parent, time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	err := s.txError(ctx, parent, "apply", lost)
	if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE || !strings.Contains(regiongraph.ErrorMessage(err), "within the query timeout (1m30s)") {
		t.Errorf("query timeout passed: %v", err)
	}
	gone, stop := context.WithCancel(parent)
	stop()
	inner, cancel2 := context.WithTimeout(gone, time.Hour)
	defer cancel2()
	err = s.txError(inner, gone, "apply", lost)
	if regiongraph.ErrorCode(err) != regiongraph.EUNAVAILABLE || strings.Contains(regiongraph.ErrorMessage(err), "query timeout") {
		t.Errorf("caller gone: %v, want the driver's error mapped", err)
	}
	live, cancel3 := context.WithTimeout(parent, time.Hour)
	defer cancel3()
	if err := s.txError(live, parent, "apply", lost); strings.Contains(regiongraph.ErrorMessage(err), "query timeout") {
		t.Errorf("within the timeout: %v, want the driver's error mapped", err)
	}
}
