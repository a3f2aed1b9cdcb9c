// SPDX-License-Identifier: GPL-2.0

//! A second solution of the params lab sheet, worded and structured unlike the reference: the
//! grader must give it full marks too (make test's grade-alt-params run).

use kernel::prelude::*;

#[path = "../common/lab.rs"]
mod lab;
#[path = "../common/param.rs"]
mod param;

module! {
    type: AltParams,
    name: "lab_params",
    authors: ["Rust Kernel Module Lab"],
    description: "Module parameters: load-time (module! params) and sysfs (0644, 0444)",
    license: "GPL",
    params: {
        my_count: u32 {
            default: 3,
            description: "How many (unsigned)",
        },
        my_bool: bool {
            default: false,
            description: "A switch",
        },
        my_param: i32 {
            default: 42,
            description: "Any signed number",
        },
    },
}

param::sysfs_params! {
    slots: u32 {
        default: 4,
        perm: 0o444,
        description: "Slot count, fixed once loaded",
    },
    threshold: i32 {
        default: 10,
        perm: 0o644,
        description: "Tunable at run time",
    },
}

/// The values `slots` may take.
const SLOT_RANGE: core::ops::RangeInclusive<u32> = 1..=64;

/// `slots` as the module can use it, or `EINVAL` with the reason logged.
fn checked_slots() -> Result<u32> {
    let wanted = slots.get();
    if SLOT_RANGE.contains(&wanted) {
        Ok(wanted)
    } else {
        pr_err!(
            "refusing slots={wanted}: allowed {}..={}\n",
            SLOT_RANGE.start(),
            SLOT_RANGE.end()
        );
        Err(EINVAL)
    }
}

/// Logs the two sysfs parameters as they are now, each line tagged with `when`.
fn show_sysfs(when: &str) {
    pr_info!("[{when}] threshold -> {}\n", threshold.get());
    pr_info!("[{when}] slots -> {}\n", slots.get());
}

struct AltParams {
    slots: u32,
}

impl kernel::Module for AltParams {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let slots_ok = checked_slots()?;
        pr_info!("param my_param: {}\n", module_parameters::my_param.value());
        pr_info!("param my_bool: {}\n", module_parameters::my_bool.value());
        pr_info!("param my_count: {}\n", module_parameters::my_count.value());
        show_sysfs("init");
        lab::loaded();
        Ok(AltParams { slots: slots_ok })
    }
}

impl Drop for AltParams {
    fn drop(&mut self) {
        show_sysfs("exit");
        // 0444: nothing can have changed it since init checked it.
        if self.slots != slots.get() {
            pr_warn!("slots changed while loaded\n");
        }
        lab::unloaded();
    }
}
