//! A 200 MB export is read as a stream: its bodies never sit in memory. A
//! counting allocator (per thread, so the harness's other threads do not
//! count) measures the most memory the reader holds at once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, Read};

use corsica_doctor::har::{self, HarOptions};

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn grow(by: isize) {
    let _ = LIVE.try_with(|l| {
        let now = l.get() + by;
        l.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

struct Counting;

// SAFETY: a `#[global_allocator]` must implement the unsafe `GlobalAlloc`
// trait; this one forwards every call to the system allocator unchanged and
// only keeps thread-local byte counts (const-initialized `Cell`s, which never
// allocate themselves).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grow(new_size as isize - layout.size() as isize);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as isize));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A HAR of `entries` entries with a `body`-byte response body each,
/// written as it is read (one entry's text at a time).
struct BigHar {
    entries: usize,
    body: usize,
    next: usize,
    chunk: Vec<u8>,
    offset: usize,
    done: bool,
}

impl BigHar {
    fn new(entries: usize, body: usize) -> BigHar {
        BigHar {
            entries,
            body,
            next: 0,
            chunk: br#"{"log": {"version": "1.2", "creator": {"name": "WebInspector"}, "pages": [{"id": "p", "title": "https://app.example/"}], "entries": ["#.to_vec(),
            offset: 0,
            done: false,
        }
    }

    fn refill(&mut self) {
        self.offset = 0;
        self.chunk.clear();
        if self.next == self.entries {
            self.chunk.extend_from_slice(b"]}}");
            self.done = true;
            return;
        }
        let i = self.next;
        self.next += 1;
        let sep = if i == 0 { "" } else { "," };
        let acao = if i.is_multiple_of(2) {
            "https://app.example"
        } else {
            "https://other.example"
        };
        self.chunk.extend_from_slice(
            format!(
                r#"{sep}{{"pageref": "p", "_resourceType": "fetch", "request": {{"method": "GET", "url": "https://api.example/{i}", "headers": [{{"name": "Origin", "value": "https://app.example"}}]}}, "response": {{"status": 200, "headers": [{{"name": "Access-Control-Allow-Origin", "value": "{acao}"}}], "content": {{"size": {}, "mimeType": "text/plain", "text": ""#,
                self.body
            )
            .as_bytes(),
        );
        self.chunk.resize(self.chunk.len() + self.body, b'a');
        self.chunk.extend_from_slice(br#""}}}"#);
    }
}

impl Read for BigHar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.offset == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            self.refill();
        }
        let n = buf.len().min(self.chunk.len() - self.offset);
        buf[..n].copy_from_slice(&self.chunk[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// 200 entries of 1 MiB bodies (200 MiB): every entry is replayed, and the
/// reader never holds more than a few hundred kilobytes besides the
/// generator's one entry.
#[test]
fn a_200_mb_export_is_read_as_a_stream() {
    let body = 1 << 20;
    let input = BigHar::new(200, body);
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let file = har::read(input);
    let peak = PEAK.with(Cell::get) - base;
    assert_eq!(file.error, None);
    assert_eq!(file.entries.len(), 200);
    let report = har::analyze(&file, &HarOptions::default());
    assert_eq!(report.requests.len(), 200);
    assert_eq!(report.blocked().count(), 100);
    // The generator's chunk (one entry: 1 MiB, 2 MiB of capacity) and the
    // reader's buffers.
    let bound = 3 * body as isize;
    assert!(
        peak < bound,
        "reading held {peak} bytes at once (bound {bound})"
    );
}
