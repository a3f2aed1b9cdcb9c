// SPDX-License-Identifier: GPL-2.0

//! The kernel's eight log levels, from Rust: one line at each, `pr_emerg!` (0) to `pr_debug!` (7).
//!
//! Every `pr_*!` macro formats like `format!` (`{}`, `{:?}`, `{:#x}`, …), prefixes the line with
//! the module's name and hands it to `printk` at its level. The level travels with the record:
//! `dmesg -r` (or `/dev/kmsg`) shows it as `<0>` … `<7>`, and the console log level
//! (`/proc/sys/kernel/printk`, first number) decides which records also reach the console.
//! Also shown: `pr_cont!` continuing a line into one record, and `pr_info_once!` printing once
//! however often it is reached.
//!
//! `pr_debug!` is compiled in only when `CONFIG_RUST_DEBUG_ASSERTIONS=y` (it tests
//! `cfg!(debug_assertions)`); the lab kernel has it, most distribution kernels do not.
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_printing && dmesg -r | tail -n 12     # all eight levels, <0> … <7>
//! # rmmod lab_printing && modprobe lab_printing level=3 # only the pr_err! line
//! # rmmod lab_printing && modprobe lab_printing level=9 # Invalid argument: 0..7 or -1
//! ```

use kernel::prelude::*;
// TODO 2: pr_cont! and pr_info_once! are not in the prelude: import them from kernel.
use kernel::{pr_cont, pr_info_once};
// TODO 2 end

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: Printing,
    name: "lab_printing",
    authors: ["Rust Kernel Module Lab"],
    description: "One log line at each of the eight printk levels",
    license: "GPL",
    params: {
        level: i32 {
            default: -1,
            description: "Level to print: 0 (emerg) to 7 (debug); -1 prints all eight",
        },
    },
}

/// The names `dmesg` and the kernel's headers give the levels, in level order.
const NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// Prints the line for `level`, through the macro of that level.
fn print_at(level: usize) {
    // TODO 1: print "[N name] …" for level N (name from NAMES) with level N's own pr_*! macro.
    let name = NAMES[level];
    match level {
        0 => pr_emerg!("[0 {name}] pr_emerg!: the system is unusable\n"),
        1 => pr_alert!("[1 {name}] pr_alert!: action must be taken at once\n"),
        2 => pr_crit!("[2 {name}] pr_crit!: a critical condition\n"),
        3 => pr_err!("[3 {name}] pr_err!: an error condition\n"),
        4 => pr_warn!("[4 {name}] pr_warn!: something looks wrong\n"),
        5 => pr_notice!("[5 {name}] pr_notice!: normal but significant\n"),
        6 => pr_info!("[6 {name}] pr_info!: for information\n"),
        _ => pr_debug!("[7 {name}] pr_debug!: for debugging (RUST_DEBUG_ASSERTIONS)\n"),
    }
    // TODO 1 end; skeleton: lab::todo(1); let _ = level;
}

/// What the info level shows besides its own line: formatting, continuation, print-once.
fn print_extras() {
    // TODO 2: 42 "lab" 0xdeadbeef, 7 in 4 columns; pr_cont! "one, two, three"; pr_info_once!.
    let answer = 42;
    let word = "lab";
    let flags: u32 = 0xdead_beef;
    pr_info!("formatting: {answer} {word:?} {flags:#x} {:>4}|\n", 7);

    // Without a trailing newline the record stays open: pr_cont! appends to it.
    pr_info!("continued: one");
    pr_cont!(", two");
    pr_cont!(", three\n");

    for _ in 0..3 {
        pr_info_once!("printed once, although reached 3 times\n");
    }
    // TODO 2 end; skeleton: lab::todo(2);
}

struct Printing;

impl kernel::Module for Printing {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let level = module_parameters::level.value();
        match usize::try_from(level) {
            // The guard keeps `print_at`'s `NAMES[l]` in bounds (Rust would panic, not read past).
            Ok(l) if l < NAMES.len() => print_at(l),
            // TODO 3: any other level but -1 is none: say so at error level, fail with EINVAL.
            _ if level != -1 => {
                pr_err!(
                    "level={level} is not a level: use 0 (emerg) to 7 (debug), or -1 for all\n"
                );
                return Err(EINVAL);
            }
            // TODO 3 end; skeleton: _ if level != -1 => lab::todo(3),
            _ => {
                (0..NAMES.len()).for_each(print_at);
                print_extras();
            }
        }
        lab::loaded();
        Ok(Printing)
    }
}

impl Drop for Printing {
    fn drop(&mut self) {
        lab::unloaded();
    }
}
