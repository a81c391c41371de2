//! The global allocator: the standard one, remembering the last allocation it could not make.
//!
//! When the module's memory cannot grow (the 1 GiB cap, or the browser refusing), Rust aborts
//! with a bare WebAssembly trap that says nothing. The JavaScript side asks
//! [`take_out_of_memory`] after a trap, to report the typed out-of-memory error instead.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use wasm_bindgen::prelude::*;

/// The size of the last allocation that failed; 0 when none did.
static FAILED: AtomicUsize = AtomicUsize::new(0);

struct Remembering;

impl Remembering {
    fn check(pointer: *mut u8, size: usize) -> *mut u8 {
        if pointer.is_null() {
            FAILED.store(size.max(1), Ordering::Relaxed);
        }
        pointer
    }
}

// SAFETY: every call is forwarded unchanged to `System`; only null results are noted.
unsafe impl GlobalAlloc for Remembering {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check(System.alloc(layout), layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::check(System.alloc_zeroed(layout), layout.size())
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check(System.realloc(pointer, layout, new_size), new_size)
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Remembering = Remembering;

/// The size in bytes of an allocation that failed since the last call, if one did.
#[wasm_bindgen(js_name = takeOutOfMemory)]
pub fn take_out_of_memory() -> Option<f64> {
    match FAILED.swap(0, Ordering::Relaxed) {
        0 => None,
        size => Some(size as f64),
    }
}

/// The bytes of memory the module holds now (its linear memory only grows).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
