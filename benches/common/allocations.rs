//! Bytes allocated, counted by a global allocator while a measurement asks for it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes asked for while [`bytes_allocated`] measures.
pub struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    /// A block grown counts what it grew by.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size.saturating_sub(layout.size()));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn count(bytes: usize) {
    if COUNTING.load(Relaxed) {
        BYTES.fetch_add(bytes, Relaxed);
    }
}

/// The bytes `work` allocates (blocks asked for, and what grown blocks grew by), on this
/// thread's runtime alone (nothing else allocates while a benchmark runs).
pub fn bytes_allocated<T>(work: impl FnOnce() -> T) -> usize {
    BYTES.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    let kept = work();
    COUNTING.store(false, Relaxed);
    drop(kept);
    BYTES.load(Relaxed)
}
