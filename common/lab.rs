// SPDX-License-Identifier: GPL-2.0

//! What the lab adds to the kernel crate for every topic: its log conventions, and the
//! placeholders an unfinished exercise stands on.
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
//!
//! # Exercises and their placeholders
//!
//! Each topic module is the reference solution of its lab sheet (the topic's README). The lines
//! a student writes are marked with Rust line comments, which rustfmt and clippy leave alone:
//!
//! ```ignore
//! // TODO 2: a one-line hint for the student.
//! …the reference solution…
//! // TODO 2 end; skeleton: lab::todo(2);
//! ```
//!
//! `make skels` (scripts/skels) keeps the hint and replaces the lines in between by what follows
//! `skeleton:` (nothing when there is no `; skeleton:` part). The placeholders below make that
//! skeleton build without warnings, load and unload: an unfinished piece logs `TODO n` and goes
//! on harmlessly, or fails the one call that needs it with `ENOSYS`. Never a panic, an oops or a
//! hang, so a learner sees at once which exercise is still open.

// Each topic uses only some of these (its reference none of the placeholders).
#![allow(dead_code)]

use kernel::prelude::*;

/// Logs the line every topic prints once its `init` has succeeded.
///
/// One wording for all topics lets `make demo` find it the same way in each.
pub(crate) fn loaded() {
    pr_info!("loaded\n");
}

/// Logs the line every topic prints from `Drop`, i.e. when `rmmod` unloads it.
pub(crate) fn unloaded() {
    pr_info!("unloaded\n");
}

/// An open exercise where nothing needs its result: logs `TODO n: not done yet` (at warning
/// level, so the console shows it) and lets the caller go on.
pub(crate) fn todo(exercise: u32) {
    pr_warn!("TODO {exercise}: not done yet\n");
}

/// An open exercise whose result a caller needs: logs as [`todo`] does and fails with
/// `ENOSYS` ("Function not implemented"), which `?` hands to the caller (user space sees the
/// errno of its `read`, `write` or `ioctl`).
pub(crate) fn todo_err<T>(exercise: u32) -> Result<T> {
    todo(exercise);
    Err(ENOSYS)
}

/// An open exercise that must produce a value for the module to go on: logs as [`todo`] does
/// and gives `T`'s default (0, `false`, an empty vector …).
pub(crate) fn todo_default<T: Default>(exercise: u32) -> T {
    todo(exercise);
    T::default()
}

/// An open exercise whose allocation the module needs to go on loading: logs as [`todo`] does
/// and boxes `value` itself (`GFP_KERNEL`), so that the skeleton still loads; the exercise's
/// own checks (what `init` logs of each allocation, the fault sweep) still find it open.
pub(crate) fn todo_kbox<T>(exercise: u32, value: T) -> Result<KBox<T>> {
    todo(exercise);
    Ok(KBox::new(value, GFP_KERNEL)?)
}
