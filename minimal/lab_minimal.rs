// SPDX-License-Identifier: GPL-2.0

//! The smallest useful Rust kernel module: it logs when it is loaded and when it is unloaded.
//!
//! `module!` declares the module (name, authors, description, licence) and names the type
//! the kernel builds on load: [`Minimal::init`] runs at `insmod`, and dropping the value
//! at `rmmod` runs [`Drop::drop`]. Returning `Err` from `init` would make `insmod` fail.
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_minimal && dmesg | tail -n 2 && rmmod lab_minimal && dmesg | tail -n 1
//! lab_minimal: Hello from a minimal Rust module (built-in: false)
//! lab_minimal: loaded
//! lab_minimal: unloaded
//! ```

use kernel::prelude::*;

// The lab's shared helpers (`common/lab.rs`) are compiled into each topic as a module of its
// own crate: `#[path]` names the file, relative to this one. A module is one crate, built from
// one file; this is how it shares code without a library crate. `minimal` needs from it only
// what its skeleton uses (`make skels`): the placeholder of an open exercise.
#[path = "../common/lab.rs"]
mod lab;

module! {
    type: Minimal,
    name: "lab_minimal",
    authors: ["Rust Kernel Module Lab"],
    description: "Minimal Rust module: logs on load and unload",
    license: "GPL",
}

/// The module's state: none. The kernel keeps this value alive until `rmmod`.
struct Minimal;

impl kernel::Module for Minimal {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // TODO 1: greet with pr_info! (a line with "Hello"), saying whether the module is built in.
        // `cfg!(MODULE)` is set by kbuild for a loadable module (`obj-m`), unset when built in.
        pr_info!(
            "Hello from a minimal Rust module (built-in: {})\n",
            !cfg!(MODULE)
        );
        // TODO 1 end; skeleton: lab::todo(1);
        pr_info!("loaded\n");
        Ok(Minimal)
    }
}

impl Drop for Minimal {
    fn drop(&mut self) {
        // TODO 2: say goodbye with pr_info! when rmmod drops the module: a line with "unloaded".
        pr_info!("unloaded\n");
        // TODO 2 end; skeleton: lab::todo(2);
    }
}
