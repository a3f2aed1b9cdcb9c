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
        // `cfg!(MODULE)` is set by kbuild for a loadable module (`obj-m`), unset when built in.
        pr_info!(
            "Hello from a minimal Rust module (built-in: {})\n",
            !cfg!(MODULE)
        );
        lab::loaded();
        Ok(Minimal)
    }
}

impl Drop for Minimal {
    fn drop(&mut self) {
        lab::unloaded();
    }
}
