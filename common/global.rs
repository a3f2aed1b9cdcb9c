// SPDX-License-Identifier: GPL-2.0

//! A module-wide `Mutex` that file operations can reach.
//!
//! Why this exists: in 7.3 `MiscDevice::open` gets only the `MiscDeviceRegistration`, not the
//! module's own data, so state shared by every open file (a device's content, its counters)
//! must live in a `static`. The kernel's `global_lock!` gives a static `Mutex`, but its
//! `init()` is `unsafe` (call once, before any use), which a topic module must not write. This
//! wrapper makes that call safe: [`global_mutex!`] hides the lock in a module of its own, with
//! `init()` that initialises it at most once and `lock()` that refuses (`ENODEV`) until it has.
//!
//! ```ignore
//! #[path = "../common/global.rs"]
//! #[macro_use]
//! mod global;
//! global_mutex!(CONTENT: Content = Content::new());
//! // in init:       CONTENT::init();
//! // anywhere else: let mut content = CONTENT::lock()?;
//! ```

/// Declares `mod $name` with `init()` and `lock()` around a static `Mutex<$ty>` set to `$value`
/// (a constant expression).
macro_rules! global_mutex {
    ($name:ident: $ty:ty = $value:expr;) => {
        #[allow(non_snake_case)]
        mod $name {
            use super::*;
            use kernel::sync::atomic::{Acquire, Atomic, Full, Release};

            kernel::sync::global_lock! {
                // SAFETY: `init` below is the only caller of `LOCK.init()`; it calls it at most
                // once (`STATE` 0 -> 1 succeeds once), and `lock` does not touch `LOCK` before
                // that call returned (`STATE` is 2 only afterwards).
                unsafe(uninit) static LOCK: Mutex<$ty> = $value;
            }

            /// 0: not initialised, 1: being initialised, 2: ready.
            static STATE: Atomic<i32> = Atomic::new(0);

            /// Initialises the lock; call it from the module's `init`. Later calls do nothing.
            pub(crate) fn init() {
                if STATE.cmpxchg(0, 1, Full).is_ok() {
                    // SAFETY: only the caller that moved `STATE` from 0 to 1 gets here, once, and
                    // nobody locks before `STATE` is 2.
                    unsafe { LOCK.init() };
                    STATE.store(2, Release);
                }
            }

            /// Locks it; `ENODEV` before `init` ran.
            pub(crate) fn lock() -> Result<impl core::ops::DerefMut<Target = $ty>> {
                if STATE.load(Acquire) != 2 {
                    return Err(ENODEV);
                }
                Ok(LOCK.lock())
            }
        }
    };
}
