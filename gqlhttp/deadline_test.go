package gqlhttp

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitDone waits for ctx to end, failing the test if it has not after
// a minute (a bound for a hung test, not a timing check).
func waitDone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
		t.Fatalf("%s: not done after a minute", what)
	}
}

// armedLates counts the lates the watch holds.
func armedLates() int {
	lateWatch.mu.Lock()
	defer lateWatch.mu.Unlock()
	n := 0
	for l := lateWatch.head; l != nil; l = l.next {
		n++
	}
	return n
}

// countingParent is a parent context that counts the calls of Done.
type countingParent struct {
	context.Context
	dones atomic.Int32
}

func (p *countingParent) Done() <-chan struct{} {
	p.dones.Add(1)
	return p.Context.Done()
}

// TestDeadlineCtxEndsAtItsDeadline: the context, and every kind of context
// made from it, ends with context.DeadlineExceeded once its deadline has
// passed, as a context.WithDeadline's do, and says its deadline.
func TestDeadlineCtxEndsAtItsDeadline(t *testing.T) {
	var c deadlineCtx
	d := time.Now().Add(30 * time.Millisecond)
	c.init(context.Background(), d)
	defer c.stop()
	if got, ok := c.Deadline(); !ok || !got.Equal(d) {
		t.Fatalf("Deadline() = %v, %v; want %v", got, ok, d)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("Err() before the deadline = %v", err)
	}
	child, cancelChild := context.WithCancel(&c)
	defer cancelChild()
	later, cancelLater := context.WithTimeout(&c, time.Hour)
	defer cancelLater()
	errCause := errors.New("a cause of its own")
	caused, cancelCaused := context.WithTimeoutCause(&c, time.Hour, errCause)
	defer cancelCaused()
	var after atomic.Bool
	afterDone := make(chan struct{})
	context.AfterFunc(&c, func() { after.Store(true); close(afterDone) })

	waitDone(t, &c, "the context")
	if time.Now().Before(d) {
		t.Errorf("done before its deadline")
	}
	if err := c.Err(); err != context.DeadlineExceeded {
		t.Errorf("Err() = %v, want context.DeadlineExceeded", err)
	}
	if err := context.Cause(&c); err != context.DeadlineExceeded {
		t.Errorf("Cause = %v, want context.DeadlineExceeded", err)
	}
	for name, ctx := range map[string]context.Context{"WithCancel": child, "WithTimeout (later)": later, "WithTimeoutCause (later)": caused} {
		waitDone(t, ctx, name)
		if err := ctx.Err(); err != context.DeadlineExceeded {
			t.Errorf("%s: Err() = %v, want context.DeadlineExceeded", name, err)
		}
		if err := context.Cause(ctx); err != context.DeadlineExceeded {
			t.Errorf("%s: Cause = %v, want context.DeadlineExceeded", name, err)
		}
	}
	<-afterDone
	if !after.Load() {
		t.Error("context.AfterFunc did not run")
	}
	if n := armedLates(); n != 0 {
		t.Errorf("%d lates still watched", n)
	}
}

// TestDeadlineCtxStop: stopping the context ends it and what is made from
// it with context.Canceled, takes it off the watch, and its deadline
// never fires later.
func TestDeadlineCtxStop(t *testing.T) {
	var c deadlineCtx
	c.init(context.Background(), time.Now().Add(20*time.Millisecond))
	child, cancelChild := context.WithCancel(&c)
	defer cancelChild()
	if armedLates() != 1 {
		t.Fatalf("%d lates watched, want the context's", armedLates())
	}
	c.stop()
	if n := armedLates(); n != 0 {
		t.Errorf("%d lates watched after stop", n)
	}
	waitDone(t, &c, "the stopped context")
	waitDone(t, child, "its child")
	if c.Err() != context.Canceled || child.Err() != context.Canceled {
		t.Errorf("Err() = %v, child %v; want context.Canceled", c.Err(), child.Err())
	}
	time.Sleep(60 * time.Millisecond) // past the deadline: the error stays
	if c.Err() != context.Canceled {
		t.Errorf("after the deadline, Err() = %v, want context.Canceled", c.Err())
	}
	c.stop() // a second stop does nothing
	if c.Err() != context.Canceled {
		t.Errorf("after a second stop, Err() = %v", c.Err())
	}
}

// TestDeadlineCtxFollowsItsParent: the parent's end ends the context with
// the parent's error, seen by Err without anything hooked on the parent,
// by Done and by what is made from it; a parent's earlier deadline is the
// context's.
func TestDeadlineCtxFollowsItsParent(t *testing.T) {
	t.Run("cancelled, seen by Err alone", func(t *testing.T) {
		pctx, cancel := context.WithCancel(context.Background())
		parent := &countingParent{Context: pctx}
		var c deadlineCtx
		c.init(parent, time.Now().Add(time.Hour))
		defer c.stop()
		if c.Err() != nil {
			t.Fatal(c.Err())
		}
		dones := parent.dones.Load()
		cancel()
		if err := c.Err(); err != context.Canceled {
			t.Errorf("Err() = %v, want the parent's context.Canceled", err)
		}
		if n := parent.dones.Load() - dones; n != 0 {
			t.Errorf("Err asked the parent's Done %d times: something was hooked on it", n)
		}
		waitDone(t, &c, "the context")
		if n := armedLates(); n != 0 {
			t.Errorf("%d lates watched after the parent ended the context", n)
		}
	})
	t.Run("cancelled, waited on", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		var c deadlineCtx
		c.init(parent, time.Now().Add(time.Hour))
		defer c.stop()
		child, cancelChild := context.WithCancel(&c)
		defer cancelChild()
		done := c.Done()
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("Done not closed a minute after the parent was cancelled")
		}
		waitDone(t, child, "its child")
		if c.Err() != context.Canceled || child.Err() != context.Canceled {
			t.Errorf("Err() = %v, child %v; want context.Canceled", c.Err(), child.Err())
		}
	})
	t.Run("the parent's deadline first", func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		pd, _ := parent.Deadline()
		var c deadlineCtx
		c.init(parent, time.Now().Add(time.Hour))
		defer c.stop()
		if d, ok := c.Deadline(); !ok || !d.Equal(pd) {
			t.Errorf("Deadline() = %v, %v; want the parent's %v", d, ok, pd)
		}
		if n := armedLates(); n != 0 {
			t.Errorf("%d lates watched for a deadline after the parent's", n)
		}
		waitDone(t, &c, "the context")
		if err := c.Err(); err != context.DeadlineExceeded {
			t.Errorf("Err() = %v, want the parent's context.DeadlineExceeded", err)
		}
	})
	t.Run("ended before", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		cancel()
		var c deadlineCtx
		c.init(parent, time.Now().Add(time.Hour))
		if c.Err() != context.Canceled {
			t.Errorf("Err() = %v, want context.Canceled", c.Err())
		}
		waitDone(t, &c, "the context")
		var past deadlineCtx
		past.init(context.Background(), time.Now().Add(-time.Second))
		if past.Err() != context.DeadlineExceeded {
			t.Errorf("a deadline passed: Err() = %v, want context.DeadlineExceeded", past.Err())
		}
		waitDone(t, &past, "the context past its deadline")
		if n := armedLates(); n != 0 {
			t.Errorf("%d lates watched for contexts that ended at once", n)
		}
	})
}

// TestDeadlineCtxAfterFunc: a function hung on the context runs once
// when it ends, not at all when stopped first, and at once when hung
// after the end.
func TestDeadlineCtxAfterFunc(t *testing.T) {
	var c deadlineCtx
	c.init(context.Background(), time.Now().Add(time.Hour))
	var ran, stopped atomic.Int32
	c.AfterFunc(func() { ran.Add(1) })
	stop := c.AfterFunc(func() { stopped.Add(1) })
	if !stop() {
		t.Error("stop before the end reported false")
	}
	if stop() {
		t.Error("a second stop reported true")
	}
	c.stop()
	if ran.Load() != 1 || stopped.Load() != 0 {
		t.Errorf("ran %d times (want 1), the stopped one %d times (want 0)", ran.Load(), stopped.Load())
	}
	late := make(chan struct{})
	stopLate := c.AfterFunc(func() { close(late) })
	select {
	case <-late:
	case <-time.After(time.Minute):
		t.Fatal("a function hung after the end did not run")
	}
	if stopLate() {
		t.Error("stop of a function that ran reported true")
	}
}

// TestDeadlineCtxChildrenNeedNoGoroutine: contexts made from it hang on it
// through AfterFunc, not through a goroutine each (what the context
// package does for a parent it cannot hang on).
func TestDeadlineCtxChildrenNeedNoGoroutine(t *testing.T) {
	var c deadlineCtx
	c.init(context.Background(), time.Now().Add(time.Hour))
	before := runtime.NumGoroutine()
	cancels := make([]context.CancelFunc, 100)
	for i := range cancels {
		_, cancels[i] = context.WithCancel(&c)
	}
	if n := runtime.NumGoroutine() - before; n >= 50 {
		t.Errorf("100 children started %d goroutines", n)
	}
	for _, cancel := range cancels {
		cancel()
	}
	c.mu.Lock()
	n := len(c.funcs)
	c.mu.Unlock()
	if n != 0 {
		t.Errorf("%d children still hung on the context after their cancel", n)
	}
	c.stop()
}

// TestDeadlineCtxRaces: stops, deadlines, parents' ends, waits and
// children at once (run under -race).
func TestDeadlineCtxRaces(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 200 {
		parent, cancel := context.WithCancel(context.Background())
		c := new(deadlineCtx)
		c.init(parent, time.Now().Add(time.Duration(i%7)*time.Millisecond))
		wg.Add(4)
		go func() { defer wg.Done(); c.stop() }()
		go func() { defer wg.Done(); cancel() }()
		go func() { defer wg.Done(); <-c.Done() }()
		go func() {
			defer wg.Done()
			child, cc := context.WithCancel(c)
			<-child.Done()
			cc()
			if child.Err() == nil || c.Err() == nil {
				t.Error("a child done with no error")
			}
		}()
	}
	wg.Wait()
	if n := armedLates(); n != 0 {
		t.Errorf("%d lates still watched", n)
	}
}
