// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by every topic module of the lab.
//!
//! A topic pulls this file in as a module of its own crate:
//!
//! ```ignore
//! #[path = "../common/lab.rs"]
//! mod lab;
//! ```
//!
//! It is compiled into each topic, so `pr_info!` here prints with that topic's prefix
//! (`lab_minimal: …`): the kernel prefixes every Rust `pr_*!` line with the module's name.

use kernel::prelude::*;

/// Logs the line every topic prints when its `init` succeeded.
///
/// One wording for all topics lets `make demo` and each `test.sh` find it the same way.
pub(crate) fn loaded() {
    pr_info!("loaded\n");
}

/// Logs the line every topic prints from `Drop`, i.e. when `rmmod` unloads it.
pub(crate) fn unloaded() {
    pr_info!("unloaded\n");
}
