//! Module-wide state of the shell. `wasm32-unknown-unknown` without the
//! `atomics` feature runs one thread, so a plain static holds it; with
//! `thread_local!` every closure that reached the state cost its own copy of
//! the access code (110 copies, about 20 KB of the module before wasm-opt).

#[cfg(target_feature = "atomics")]
compile_error!("the shell's state assumes one thread: build without the atomics target feature");

/// A value that only the module's one thread touches. `with` has the
/// signature of `LocalKey::with`, so it replaces a `thread_local!`.
pub struct Global<T>(T);

// SAFETY: without the atomics feature, wasm32-unknown-unknown has no threads:
// the value is never reached from two threads.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(value)
    }

    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}
