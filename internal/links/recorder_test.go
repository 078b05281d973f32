package links

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// fakeWriter records the batches it is given and fails while fail is set.
type fakeWriter struct {
	mu      sync.Mutex
	fail    bool
	batches [][]herald.Click
	calls   int
	wrote   chan int // the size of each batch written, if not nil
}

func (f *fakeWriter) RecordClicks(_ context.Context, clicks []herald.Click) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail {
		return errors.New("database is locked")
	}
	f.batches = append(f.batches, append([]herald.Click(nil), clicks...))
	if f.wrote != nil {
		f.wrote <- len(clicks)
	}
	return nil
}

func (f *fakeWriter) setFail(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = v
}

// ids are the ids written, in order.
func (f *fakeWriter) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, b := range f.batches {
		for _, c := range b {
			out = append(out, c.ID)
		}
	}
	return out
}

func click(i int) herald.Click {
	return herald.Click{ID: "c" + strconv.Itoa(i), LinkID: 1, WorkspaceID: 1, Kind: herald.ClickHuman}
}

func TestRecorderFlushesOnTick(t *testing.T) {
	w := &fakeWriter{wrote: make(chan int, 10)}
	r := NewRecorder(w, RecorderOptions{FlushEvery: 20 * time.Millisecond})
	r.Start(t.Context())
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	for i := range 5 {
		r.Record(click(i))
	}
	select {
	case n := <-w.wrote:
		if n != 5 {
			t.Errorf("first batch has %d clicks, want the 5 pending in one call", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing was written after a tick")
	}
	if s := r.Stats(); s.Flushed != 5 || s.Pending != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestRecorderFlushesAFullBatchAtOnce(t *testing.T) {
	w := &fakeWriter{wrote: make(chan int, 10)}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Hour})
	r.Start(t.Context())
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	for i := range BatchSize {
		r.Record(click(i))
	}
	select {
	case n := <-w.wrote:
		if n != BatchSize {
			t.Errorf("batch of %d, want %d", n, BatchSize)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a full batch waited for the tick")
	}
}

func TestRecorderKeepsClicksWhenTheStoreFails(t *testing.T) {
	w := &fakeWriter{fail: true}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Hour})
	ctx := t.Context()
	for i := range 3 {
		r.Record(click(i))
	}
	if err := r.Flush(ctx); err == nil {
		t.Fatal("Flush did not report the failure")
	}
	if s := r.Stats(); s.Pending != 3 || s.Failed != 1 || s.Flushed != 0 {
		t.Fatalf("after a failure: %+v", s)
	}
	if _, ok := r.Lookup("c1"); !ok {
		t.Error("a kept click cannot be looked up")
	}
	r.Record(click(3))
	w.setFail(false)
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := w.ids(); len(got) != 4 || got[0] != "c0" || got[3] != "c3" {
		t.Errorf("written %v, want c0…c3 in order", got)
	}
	if s := r.Stats(); s.Pending != 0 || s.Flushed != 4 {
		t.Errorf("after the retry: %+v", s)
	}
	if _, ok := r.Lookup("c1"); ok {
		t.Error("a written click is still pending")
	}
}

func TestRecorderRetriesOnTheNextTick(t *testing.T) {
	w := &fakeWriter{fail: true, wrote: make(chan int, 10)}
	r := NewRecorder(w, RecorderOptions{FlushEvery: 10 * time.Millisecond})
	r.Start(t.Context())
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	r.Record(click(1))
	deadline := time.Now().Add(5 * time.Second)
	for r.Stats().Failed < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the recorder did not retry")
		}
		time.Sleep(5 * time.Millisecond)
	}
	w.setFail(false)
	select {
	case <-w.wrote:
	case <-time.After(5 * time.Second):
		t.Fatal("the click was not written once the store answered")
	}
	if got := w.ids(); len(got) != 1 {
		t.Errorf("written %v, want the click once", got)
	}
}

func TestRecorderSplitsABacklog(t *testing.T) {
	w := &fakeWriter{}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Hour})
	for i := range 2*BatchSize + 10 {
		r.Record(click(i))
	}
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(w.batches) != 3 || len(w.batches[0]) != BatchSize || len(w.batches[2]) != 10 {
		t.Errorf("batches of %d, %d, …; want %d, %d, 10", len(w.batches[0]), len(w.batches[1]), BatchSize, BatchSize)
	}
}

func TestRecorderDropsTheOldestBeyondTheBound(t *testing.T) {
	w := &fakeWriter{fail: true}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Hour, MaxPending: 100})
	for i := range 150 {
		r.Record(click(i))
	}
	s := r.Stats()
	if s.Pending > 100 || s.Dropped == 0 || s.Pending+s.Dropped != 150 {
		t.Fatalf("stats = %+v, want at most 100 pending and the rest dropped", s)
	}
	if _, ok := r.Lookup("c0"); ok {
		t.Error("the oldest click was kept")
	}
	if _, ok := r.Lookup("c149"); !ok {
		t.Error("the newest click was dropped")
	}
	_ = r.Flush(t.Context()) // fails: the clicks go back, still bounded
	if s := r.Stats(); s.Pending > 100 {
		t.Errorf("after a failed flush %d are pending", s.Pending)
	}
}

func TestRecorderCloseWritesWhatIsPending(t *testing.T) {
	w := &fakeWriter{}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Hour})
	r.Start(t.Context())
	for i := range 7 {
		r.Record(click(i))
	}
	if err := r.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := w.ids(); len(got) != 7 {
		t.Errorf("Close wrote %d clicks, want 7", len(got))
	}
	if err := r.Close(t.Context()); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestRecorderConcurrent(t *testing.T) {
	w := &fakeWriter{}
	r := NewRecorder(w, RecorderOptions{FlushEvery: time.Millisecond})
	r.Start(t.Context())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				r.Record(click(g*1000 + i))
				if i%100 == 0 {
					r.Lookup("c1")
				}
			}
		})
	}
	wg.Wait()
	if err := r.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := len(w.ids()); got != 8000 {
		t.Errorf("wrote %d clicks, want 8000", got)
	}
	if s := r.Stats(); s.Pending != 0 || s.Flushed != 8000 {
		t.Errorf("stats = %+v", s)
	}
}
