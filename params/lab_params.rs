// SPDX-License-Identifier: GPL-2.0

//! Module parameters: values given at load time, `modprobe lab_params my_param=7`.
//!
//! The `params:` block of `module!` declares each parameter with its type, default and
//! description; `module_parameters::NAME.value()` reads it. `modinfo -p lab_params` lists them.
//! The kernel parses the text with the type's own parser before `init` runs: a value that is not
//! a number, out of the type's range, or empty makes the load fail with `EINVAL`
//! (`Invalid argument`) and `init` never runs.
//!
//! In 7.3 Rust parameters are load-time only: they are not in `/sys/module/lab_params/parameters`
//! (the tutorial's `permissions: 0o644` is gone from the `module!` syntax).
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_params my_param=7 my_bool=y my_count=3 && dmesg | tail -n 4
//! lab_params: my_param = 7
//! lab_params: my_bool = true
//! lab_params: my_count = 3
//! lab_params: loaded
//! ```

use kernel::prelude::*;

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: Params,
    name: "lab_params",
    authors: ["Rust Kernel Module Lab"],
    description: "Load-time module parameters: i32, bool, u32",
    license: "GPL",
    params: {
        my_param: i32 {
            default: 42,
            description: "A signed integer (i32), default 42",
        },
        my_bool: bool {
            default: false,
            description: "A boolean: y/n, 1/0, on/off; default n",
        },
        my_count: u32 {
            default: 1,
            description: "An unsigned integer (u32), default 1",
        },
    },
}

struct Params;

impl kernel::Module for Params {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("my_param = {}\n", module_parameters::my_param.value());
        pr_info!("my_bool = {}\n", module_parameters::my_bool.value());
        pr_info!("my_count = {}\n", module_parameters::my_count.value());
        lab::loaded();
        Ok(Params)
    }
}

impl Drop for Params {
    fn drop(&mut self) {
        lab::unloaded();
    }
}
