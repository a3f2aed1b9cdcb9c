// SPDX-License-Identifier: GPL-2.0

//! Checker probe, never a topic: leaks `COUNT` heap objects on purpose.
//!
//! With `CONFIG_DEBUG_KMEMLEAK` a scan after unload must list every one of them as an
//! unreferenced object; the stress suite fails if it does not. kmemleak is conservative: a
//! stale copy of a pointer hides the object it points to. `kernel/debug.config` boots with
//! `slab_debug=Z`, which removes the main source of such copies (SLUB's per-CPU sheaves), and
//! this probe proves it: without it, only a few of the `COUNT` objects are reported.

use kernel::prelude::*;

module! {
    type: CheckLeak,
    name: "lab_check_leak",
    authors: ["Rust Kernel Module Lab"],
    description: "Checker probe: leaks heap objects on purpose",
    license: "GPL",
}

const COUNT: usize = 32;

struct CheckLeak;

impl kernel::Module for CheckLeak {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        for i in 0..COUNT {
            // The bug, on purpose: leak() gives up ownership, nothing will ever free it.
            let leaked = KBox::leak(KBox::new([0xa5u8; 512], GFP_KERNEL)?);
            leaked[0] = i as u8;
        }
        pr_info!("leaked {COUNT} objects of 512 bytes\n");
        Ok(CheckLeak)
    }
}
