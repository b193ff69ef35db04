package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/regiongraph/regiongraph"
)

// This file maps driver and server errors to domain errors. It is pure.

// Neo4j status codes the store tells apart.
const (
	codeConstraintViolation = "Neo.ClientError.Schema.ConstraintValidationFailed"
	codeUnauthorized        = "Neo.ClientError.Security.Unauthorized"
	codeDatabaseNotFound    = "Neo.ClientError.Database.DatabaseNotFound"
	codeDatabaseUnavailable = "Neo.TransientError.General.DatabaseUnavailable"
	prefixTxTimedOut        = "Neo.ClientError.Transaction.TransactionTimedOut" // also ...TimedOutClientConfiguration
)

// domainError is a domain *regiongraph.Error that keeps its cause: the
// domain error decides the code and the message shown to callers
// (regiongraph.ErrorCode and ErrorMessage find it first), and errors.Is and
// errors.As still reach the driver's error.
type domainError struct {
	op    string
	err   *regiongraph.Error
	cause error
}

func (e *domainError) Error() string {
	if e.cause == nil {
		return fmt.Sprintf("neo4jstore: %s: %v", e.op, e.err)
	}
	return fmt.Sprintf("neo4jstore: %s: %v: %v", e.op, e.err, e.cause)
}

func (e *domainError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.err}
	}
	return []error{e.err, e.cause}
}

// unavailable returns an UNAVAILABLE error with message msg caused by cause.
func unavailable(op, msg string, cause error) error {
	return &domainError{op: op, err: regiongraph.Errorf(regiongraph.EUNAVAILABLE, "%s", msg), cause: cause}
}

// mapError maps an error from the driver (or the server) met during op to a
// domain error:
//
//   - a domain *regiongraph.Error (raised inside a transaction function) is
//     returned as it is;
//   - a uniqueness constraint violation is CONFLICT (two writers created the
//     same id at once);
//   - connectivity failures, dial errors, timeouts, an unknown or
//     unavailable database and rejected credentials are UNAVAILABLE;
//   - anything else is wrapped as INTERNAL with %w.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *regiongraph.Error
	if errors.As(err, &de) {
		return err
	}
	// The driver gave up retrying (transient errors, a lost connection)
	// within its retry time: the database is not usable now. Its errors
	// do not unwrap, so the last one is looked at here.
	var limit *neo4j.TransactionExecutionLimit
	if errors.As(err, &limit) {
		if n := len(limit.Errors); n > 0 && isConnectivity(limit.Errors[n-1]) {
			return unavailable(op, "cannot reach Neo4j", err)
		}
		return unavailable(op, fmt.Sprintf("Neo4j did not complete the transaction in %d attempts", len(limit.Errors)), err)
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case ne.Code == codeConstraintViolation:
			return &domainError{op: op, err: regiongraph.Errorf(regiongraph.ECONFLICT, "an id is already taken (concurrent change); try again"), cause: err}
		case ne.Code == codeUnauthorized || ne.IsAuthenticationFailed():
			return unavailable(op, "Neo4j rejected the credentials", err)
		case ne.Code == codeDatabaseNotFound:
			return unavailable(op, "the Neo4j database does not exist", err)
		case ne.Code == codeDatabaseUnavailable:
			return unavailable(op, "the Neo4j database is unavailable", err)
		case strings.HasPrefix(ne.Code, prefixTxTimedOut):
			return unavailable(op, "Neo4j did not answer in time", err)
		}
		return fmt.Errorf("neo4jstore: %s: %w", op, err)
	}
	if isConnectivity(err) {
		return unavailable(op, "cannot reach Neo4j", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return unavailable(op, "Neo4j did not answer in time", err)
	}
	return fmt.Errorf("neo4jstore: %s: %w", op, err)
}

// isConnectivity reports whether err says the server could not be reached:
// the driver's ConnectivityError (which does not unwrap, so it is recognised
// by type at any depth), a network error or a refused connection.
func isConnectivity(err error) bool {
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) || neo4j.IsConnectivityError(err) {
		return true
	}
	var oe *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &dnsErr) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// connectError maps an error met while connecting to address: UNAVAILABLE
// for anything that is not a domain error, with a message naming the
// address (an address is not a secret; credentials never appear).
func connectError(address string, err error) error {
	var de *regiongraph.Error
	if errors.As(err, &de) {
		return err
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		if m := mapError("connect", err); regiongraph.ErrorCode(m) == regiongraph.EUNAVAILABLE {
			return unavailable("connect", fmt.Sprintf("cannot use Neo4j at %s: %s", address, regiongraph.ErrorMessage(m)), err)
		}
	}
	reason := "cannot reach Neo4j"
	if errors.Is(err, context.DeadlineExceeded) {
		reason = "no answer from Neo4j within the connect timeout"
	}
	return unavailable("connect", fmt.Sprintf("%s at %s", reason, address), err)
}
