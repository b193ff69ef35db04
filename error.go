package regiongraph

import (
	"errors"
	"fmt"
)

// Error codes. They are the values of GraphQL's extensions.code.
const (
	EBADINPUT        = "BAD_USER_INPUT"
	ENOTFOUND        = "NOT_FOUND"
	ECONFLICT        = "CONFLICT"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EFORBIDDEN       = "FORBIDDEN"
	EUNAVAILABLE     = "UNAVAILABLE"
	EINTERNAL        = "INTERNAL"
)

// Error is a domain error: a code from the list above and a message that is
// safe to show to the caller. Anything that is not an *Error is INTERNAL.
type Error struct {
	Code    string
	Message string
	// Field is the path of the offending input field, when there is one
	// (for example "changes[3].node.name").
	Field string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("regiongraph: %s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("regiongraph: %s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns a BAD_USER_INPUT *Error naming the input field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EBADINPUT, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and INTERNAL for anything else.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic text for anything else (whose detail must be logged, not shown).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the input field path of the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// WithField returns a copy of err (an *Error) whose field path is prefixed
// with prefix; other errors are returned unchanged.
func WithField(err error, prefix string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	switch {
	case c.Field == "":
		c.Field = prefix
	case c.Field[0] == '[':
		c.Field = prefix + c.Field
	default:
		c.Field = prefix + "." + c.Field
	}
	return &c
}
