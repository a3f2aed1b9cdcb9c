// SPDX-License-Identifier: GPL-2.0

//! Checker probe, never a topic: takes a `Mutex` (which may sleep) while holding a `SpinLock`.
//!
//! With `CONFIG_DEBUG_ATOMIC_SLEEP` the kernel must answer with
//! `BUG: sleeping function called from invalid context`; the stress suite fails if it does not.

use kernel::prelude::*;
use kernel::sync::{new_mutex, new_spinlock, Mutex, SpinLock};

module! {
    type: CheckSleep,
    name: "lab_check_sleep",
    authors: ["Rust Kernel Module Lab"],
    description: "Checker probe: sleeps under a SpinLock on purpose",
    license: "GPL",
}

struct CheckSleep;

impl kernel::Module for CheckSleep {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let spin: Pin<KBox<SpinLock<u32>>> = KBox::pin_init(new_spinlock!(0), GFP_KERNEL)?;
        let mutex: Pin<KBox<Mutex<u32>>> = KBox::pin_init(new_mutex!(0), GFP_KERNEL)?;
        let mut atomic = spin.lock();
        // The bug, on purpose: mutex_lock() may sleep, and this context must not.
        *mutex.lock() += 1;
        *atomic += 1;
        pr_info!("took a Mutex under a SpinLock\n");
        Ok(CheckSleep)
    }
}
