// SPDX-License-Identifier: GPL-2.0

//! Another correct solution of the errors lab, written differently from the reference: the
//! failure mode stays a number checked against a table, the steps are small functions chained
//! with `?`, and the buffer size is computed in `usize`.

use kernel::prelude::*;

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: LabErrors,
    name: "lab_errors",
    authors: ["Rust Kernel Module Lab"],
    description: "Fails init on purpose with the error code the fail parameter names",
    license: "GPL",
    params: {
        fail: i32 {
            default: 0,
            description: "Failure to provoke: 0 none, 1 EINVAL, 2 ENOMEM, 3 ENODEV, 4 EOVERFLOW",
        },
    },
}

/// The modes `fail` accepts, by number.
const MODES: [&str; 5] = ["none", "einval", "enomem", "enodev", "eoverflow"];

/// Checks `fail` against [`MODES`]; an unknown number is the loader's mistake: `EINVAL`.
fn mode(fail: i32) -> Result<usize> {
    match usize::try_from(fail) {
        Ok(m) if m < MODES.len() => Ok(m),
        _ => {
            pr_err!(
                "fail={} rejected, valid values: 0={} 1={} 2={} 3={} 4={}\n",
                fail,
                MODES[0],
                MODES[1],
                MODES[2],
                MODES[3],
                MODES[4]
            );
            Err(EINVAL)
        }
    }
}

/// Stands for a C function: 0 or a negative errno.
fn probe(mode: usize) -> kernel::ffi::c_int {
    match mode {
        3 => ENODEV.to_errno(),
        _ => 0,
    }
}

fn devices(mode: usize) -> Result<usize> {
    kernel::error::to_result(probe(mode))?;
    match mode {
        1 => Err(EINVAL),
        _ => Ok(4),
    }
}

fn bytes(devices: usize, mode: usize) -> Result<usize> {
    let each = if mode == 4 { usize::MAX / 3 } else { 4096 };
    devices.checked_mul(each).ok_or(EOVERFLOW)
}

fn prepare(mode: usize) -> Result<KVec<u8>> {
    let n = devices(mode)?;
    let want = match mode {
        2 => 1usize << 40,
        _ => bytes(n, mode)?,
    };
    let buf = KVec::with_capacity(want, GFP_KERNEL | __GFP_NOWARN)?;
    pr_info!("prepared {} bytes for {} devices\n", want, n);
    Ok(buf)
}

struct LabErrors {
    _buf: KVec<u8>,
}

impl kernel::Module for LabErrors {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let m = mode(module_parameters::fail.value())?;
        let buf = prepare(m).inspect_err(|err| {
            pr_err!("cannot start: {:?} = {}\n", err, err.to_errno());
        })?;
        lab::loaded();
        Ok(LabErrors { _buf: buf })
    }
}

impl Drop for LabErrors {
    fn drop(&mut self) {
        lab::unloaded();
    }
}
