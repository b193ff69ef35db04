package gqlhttp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx is a request's context with a deadline: it ends when its
// deadline passes (Err: context.DeadlineExceeded), when it is stopped
// (context.Canceled) or when its parent ends (the parent's error), as the
// context.WithDeadline of a request does, and so do the contexts made from
// it. Unlike context.WithDeadline it needs no runtime timer of its own: the
// lates' watch (one runtime timer for every late) ends it once its
// deadline has passed. A runtime timer per request costs more than a small
// answer: arming it wakes an idle thread to watch the timers
// (runtime.wakeNetPoller) on every request a single client sends.
//
// Nothing is hooked on the parent until the context is waited on (Done) or
// work is hung on it (AfterFunc: what context.WithCancel and
// context.AfterFunc of it do); until then Err asks the parent. A request
// whose context nobody waits on costs no channel, no timer and no entry in
// its parent's children.
type deadlineCtx struct {
	parent   context.Context
	deadline time.Time // zero: the parent's, if any
	err      atomic.Pointer[error]
	late     late // armed at the deadline
	armed    bool // late is

	mu     sync.Mutex
	done   chan struct{} // made by Done; closed when the context ends
	funcs  []*ctxFunc    // AfterFunc's, run when the context ends
	unhook func() bool   // stops the parent's call of end
}

// ctxFunc is a function AfterFunc hangs on a deadlineCtx.
type ctxFunc struct{ f func() }

// closedDone is the Done of a context that ended before it was asked.
var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// init makes c a context of parent that ends at deadline (or the
// parent's, when that comes first). c is new (not used before).
func (c *deadlineCtx) init(parent context.Context, deadline time.Time) {
	c.initAt(parent, deadline, time.Now())
}

// initAt is init for a caller that has just read the clock: now.
func (c *deadlineCtx) initAt(parent context.Context, deadline, now time.Time) {
	c.parent = parent
	if d, ok := parent.Deadline(); !ok || deadline.Before(d) {
		c.deadline = deadline
	}
	if err := parent.Err(); err != nil {
		c.err.Store(boxed(err))
		c.done = closedDone
		return
	}
	if !c.deadline.IsZero() {
		if !now.Before(c.deadline) {
			c.err.Store(&errDeadlineExceeded)
			c.done = closedDone
			return
		}
		c.armed = true
		c.late.arm(c.deadline, c)
	}
}

// boxed is a pointer to err: one of two made once for the errors every
// request's contexts end with, a new one for any other.
func boxed(err error) *error {
	switch err {
	case context.Canceled:
		return &errCanceled
	case context.DeadlineExceeded:
		return &errDeadlineExceeded
	}
	p := new(error)
	*p = err
	return p
}

// answerLate is the late's call once the deadline has passed.
func (c *deadlineCtx) answerLate() { c.finish(context.DeadlineExceeded, true) }

// stop ends the context (context.Canceled) unless it has ended, and
// takes it off the watch and its parent.
func (c *deadlineCtx) stop() { c.end(context.Canceled) }

// end ends the context with err, the first time it is called.
func (c *deadlineCtx) end(err error) { c.finish(err, false) }

// The two errors every request's contexts end with, boxed once.
var (
	errCanceled         = context.Canceled
	errDeadlineExceeded = context.DeadlineExceeded
)

// finish ends the context with err, the first time it is called;
// fromWatch: called by the late (which is not to be stopped then).
func (c *deadlineCtx) finish(err error, fromWatch bool) {
	if c.err.Load() != nil {
		return
	}
	if !c.err.CompareAndSwap(nil, boxed(err)) {
		return
	}
	c.mu.Lock()
	if c.done == nil {
		c.done = closedDone
	} else {
		close(c.done)
	}
	funcs, unhook := c.funcs, c.unhook
	c.funcs, c.unhook = nil, nil
	c.mu.Unlock()
	if c.armed && !fromWatch {
		c.late.stop()
	}
	if unhook != nil {
		unhook()
	}
	for _, f := range funcs {
		f.f()
	}
}

// hook has the parent end c when it ends; c.mu is held.
func (c *deadlineCtx) hook() {
	if c.unhook != nil || c.parent.Done() == nil {
		return
	}
	parent := c.parent
	c.unhook = context.AfterFunc(parent, func() { c.end(parent.Err()) })
}

func (c *deadlineCtx) Deadline() (time.Time, bool) {
	if !c.deadline.IsZero() {
		return c.deadline, true
	}
	return c.parent.Deadline()
}

func (c *deadlineCtx) Done() <-chan struct{} {
	if c.err.Load() == nil {
		if err := c.parent.Err(); err != nil {
			c.end(err)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		c.hook()
	}
	return c.done
}

func (c *deadlineCtx) Err() error {
	if err := c.err.Load(); err != nil {
		return *err
	}
	if err := c.parent.Err(); err != nil {
		c.end(err)
		return *c.err.Load()
	}
	return nil
}

func (c *deadlineCtx) Value(key any) any { return c.parent.Value(key) }

// AfterFunc calls f once the context has ended (at once, in a goroutine of
// its own, if it has). The returned stop stops that call and reports
// whether it did. It is what context.WithCancel and context.AfterFunc use
// to hang their contexts on this one without a goroutine each.
func (c *deadlineCtx) AfterFunc(f func()) (stop func() bool) {
	if c.err.Load() == nil {
		if err := c.parent.Err(); err != nil {
			c.end(err)
		}
	}
	c.mu.Lock()
	if c.err.Load() != nil {
		c.mu.Unlock()
		// The caller may hold locks f takes (context's propagateCancel
		// does): f runs in a goroutine of its own.
		go f()
		return func() bool { return false }
	}
	cf := &ctxFunc{f: f}
	c.funcs = append(c.funcs, cf)
	c.hook()
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, g := range c.funcs {
			if g == cf {
				c.funcs = append(c.funcs[:i], c.funcs[i+1:]...)
				return true
			}
		}
		return false
	}
}

func (c *deadlineCtx) String() string { return "gqlhttp.deadlineCtx" }
