// SPDX-License-Identifier: GPL-2.0

//! Module parameters: values given on the `insmod` command line, and values that stay
//! readable, or writable, under `/sys/module/lab_params/parameters/`.
//!
//! Two kinds, side by side:
//!
//! - the `params:` block of [`module!`]: `my_param` (`i32`), `my_bool` (`bool`) and `my_count`
//!   (`u32`). Set at load time only, as `name=value`; invisible in sysfs. Read with
//!   `module_parameters::NAME.value()`.
//! - [`param::sysfs_params!`] (in `common/param.rs`): `threshold` (`i32`, `0644`: root may
//!   change it at run time) and `slots` (`u32`, `0444`: set at load time, read-only after).
//!   Read with `NAME.get()`, which always sees the latest write.
//!
//! A value the type cannot hold, or that is not a number, makes `insmod` fail with `EINVAL`;
//! so does a bad write to the sysfs file, which keeps the old value. A value the type holds
//! but the module cannot use is the module's own to refuse: `init` fails with `EINVAL` when
//! `slots` is not 1 to 64.
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_params my_param=-5 my_bool=y && dmesg | tail -n 6
//! lab_params: my_param = -5
//! lab_params: my_bool = true
//! lab_params: my_count = 3
//! lab_params: threshold = 10 (sysfs, 0644)
//! lab_params: slots = 4 (sysfs, 0444)
//! lab_params: loaded
//! # echo 7 > /sys/module/lab_params/parameters/threshold
//! # rmmod lab_params && dmesg | tail -n 3
//! lab_params: at unload: threshold = 7
//! lab_params: at unload: slots = 4
//! lab_params: unloaded
//! ```

use kernel::prelude::*;

#[path = "../common/lab.rs"]
mod lab;
// TODO 2: include the lab's sysfs parameters, common/param.rs, as `mod param` (#[path]).
#[path = "../common/param.rs"]
mod param;
// TODO 2 end

module! {
    type: LabParams,
    name: "lab_params",
    authors: ["Rust Kernel Module Lab"],
    description: "Module parameters: load-time (module! params) and sysfs (0644, 0444)",
    license: "GPL",
    // TODO 1: declare my_param (i32, 42), my_bool (bool, false), my_count (u32, 3), described.
    params: {
        my_param: i32 {
            default: 42,
            description: "An i32 set at load time (default 42)",
        },
        my_bool: bool {
            default: false,
            description: "A bool set at load time: y/n, 1/0 (default n)",
        },
        my_count: u32 {
            default: 3,
            description: "A u32 set at load time (default 3)",
        },
    },
    // TODO 1 end
}

// TODO 2: declare threshold (i32, 10, 0644) and slots (u32, 4, 0444), see common/param.rs.
param::sysfs_params! {
    threshold: i32 {
        default: 10,
        perm: 0o644,
        description: "An int, root may change it in sysfs at run time (default 10)",
    },
    slots: u32 {
        default: 4,
        perm: 0o444,
        description: "A uint set at load time (1 to 64), read-only in sysfs (default 4)",
    },
}
// TODO 2 end

/// The module's state: none; the parameters are statics.
struct LabParams;

impl kernel::Module for LabParams {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // TODO 3: refuse slots outside 1 to 64: log an error naming slots and the range; EINVAL.
        // Checked first, so that a refused load logs nothing else.
        let n = slots.get();
        if !(1..=64).contains(&n) {
            pr_err!("slots = {n} is out of range: 1 to 64\n");
            return Err(EINVAL);
        }
        // TODO 3 end; skeleton: lab::todo(3);
        // TODO 1: log each load-time parameter's value at info level ("my_param = 42" …).
        pr_info!("my_param = {}\n", module_parameters::my_param.value());
        pr_info!("my_bool = {}\n", module_parameters::my_bool.value());
        pr_info!("my_count = {}\n", module_parameters::my_count.value());
        // TODO 1 end; skeleton: lab::todo(1);
        // TODO 2: log threshold and slots at info level, read with .get().
        pr_info!("threshold = {} (sysfs, 0644)\n", threshold.get());
        pr_info!("slots = {} (sysfs, 0444)\n", slots.get());
        // TODO 2 end; skeleton: lab::todo(2);
        lab::loaded();
        Ok(LabParams)
    }
}

impl Drop for LabParams {
    fn drop(&mut self) {
        // TODO 2: log threshold and slots again at info level, as rmmod finds them.
        // What a sysfs write changed while the module was loaded shows here.
        pr_info!("at unload: threshold = {}\n", threshold.get());
        pr_info!("at unload: slots = {}\n", slots.get());
        // TODO 2 end; skeleton: lab::todo(2);
        lab::unloaded();
    }
}
