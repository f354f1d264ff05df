//! Keeping key material out of freed memory, in wasm builds.
//!
//! Types holding secrets zeroize themselves on drop, but libraries keep intermediate copies (`rsa` 0.10 leaves
//! the Montgomery parameters of the primes and `qinv` unwiped; parsers copy text), and stack frames
//! keep whatever they computed. Two mechanisms close those gaps for the whole module, whatever a dependency
//! does:
//! - [`ZeroizingAllocator`], the global allocator of the wasm build: every heap block is wiped when freed (and
//!   so when moved by a `realloc`), before it goes back to the allocator;
//! - [`wipe_stack`], called by the wasm boundary after every export that touched a private key: it overwrites
//!   the shadow-stack area below the export's frame, where the deeper calls that handled the key kept their
//!   locals.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};

/// How much stack below the caller [`wipe_stack`] overwrites: more than the deepest key operation uses.
const STACK_WIPE_BYTES: usize = 128 * 1024;

/// The system allocator, wiping every block as it is freed.
pub struct ZeroizingAllocator;

// SAFETY: every method forwards to `System` with the arguments it received, so `System`'s guarantees hold;
// `dealloc` additionally writes zeros over exactly the block being freed, which the caller owns until then.
unsafe impl GlobalAlloc for ZeroizingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` was allocated by this allocator with `layout`, so it is valid for
        // writes of `layout.size()` bytes and not used by anyone else any more.
        unsafe {
            wipe(ptr, layout.size());
            System.dealloc(ptr, layout);
        }
    }
    // `realloc` keeps the default implementation: allocate, copy, then `dealloc` (which wipes) the old block.
}

/// Overwrite the stack below the caller's frame with zeros (writes that cannot be optimised away: see `wipe`).
#[inline(never)]
pub fn wipe_stack() {
    let mut area = core::mem::MaybeUninit::<[u8; STACK_WIPE_BYTES]>::uninit();
    // SAFETY: `area` is a local of exactly this size, valid for writes.
    unsafe { wipe(area.as_mut_ptr().cast(), STACK_WIPE_BYTES) };
}

/// Write zeros over `len` bytes at `ptr` in one `memory.fill` (bulk memory), then let the pointer escape
/// (`black_box`) so that the compiler must assume the zeros are read and cannot drop the writes as dead
/// stores. Byte-wise volatile writes (`zeroize`) cost a store instruction per byte: 128 KiB of stack and every
/// freed block made them a measurable share of each call.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
#[inline(always)]
unsafe fn wipe(ptr: *mut u8, len: usize) {
    // SAFETY: guaranteed by the caller.
    unsafe { core::ptr::write_bytes(ptr, 0, len) };
    core::hint::black_box(ptr);
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
}
