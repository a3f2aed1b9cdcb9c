// SPDX-License-Identifier: GPL-2.0

//! Kernel error codes in Rust: `Result`, `?`, and what `insmod` shows when `init` fails.
//!
//! A kernel function reports failure as a negative errno (`-EINVAL`). In Rust it returns
//! `Result<T>` whose error is a [`kernel::error::Error`] holding that errno; `?` passes it up,
//! and when `init` returns it the module is not loaded and `insmod` prints the errno's text
//! (`Invalid argument`). The parameter `fail` picks a failure to provoke:
//!
//! | `fail` | where it fails | errno | `insmod` says |
//! | --- | --- | --- | --- |
//! | 0 | nowhere: the module loads | | |
//! | 1 | a check of the request | `EINVAL` | Invalid argument |
//! | 2 | an allocation | `ENOMEM` | Cannot allocate memory |
//! | 3 | a C-style function returning `-ENODEV` | `ENODEV` | No such device |
//! | 4 | checked arithmetic that overflows | `EOVERFLOW` | Value too large for defined data type |
//!
//! Try it in `make shell`: `insmod /lib/modules/$(uname -r)/extra/lab_errors.ko fail=3`, then
//! `dmesg | tail -n 3`.

use kernel::ffi::c_int;
use kernel::prelude::*;

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: Errors,
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

/// The failures `fail` can ask for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fail {
    None,
    Einval,
    Enomem,
    Enodev,
    Eoverflow,
}

impl Fail {
    fn from_param(code: i32) -> Result<Self> {
        Ok(match code {
            0 => Fail::None,
            1 => Fail::Einval,
            2 => Fail::Enomem,
            3 => Fail::Enodev,
            4 => Fail::Eoverflow,
            _ => {
                // TODO 1: refuse an unknown mode: an err-level line listing the valid ones, EINVAL.
                const VALID: &str = "0 none, 1 einval, 2 enomem, 3 enodev, 4 eoverflow";
                pr_err!("fail={code} is unknown; valid: {VALID}\n");
                return Err(EINVAL);
                // TODO 1 end; skeleton: return lab::todo_err(1);
            }
        })
    }
}

/// A function in the C style: 0 on success, a negative errno on failure, as most kernel C
/// functions (and every FFI call into them) report it.
fn c_style_probe(fail: Fail) -> c_int {
    if fail == Fail::Enodev {
        ENODEV.to_errno() // -19
    } else {
        0
    }
}

/// How many devices there are: `Result<i32>` carries either the count or an errno.
/// [`to_result`](kernel::error::to_result) turns the C-style return value into a `Result`, `?`
/// returns its error.
fn device_count(fail: Fail) -> Result<i32> {
    let ret = c_style_probe(fail);
    // TODO 2: turn the C-style return value into a Result (to_result) and pass its error up (?).
    kernel::error::to_result(ret)?;
    // TODO 2 end; skeleton: let _ = ret;
    // TODO 1: fail=1 asks for an invalid request: return the errno that says so.
    if fail == Fail::Einval {
        return Err(EINVAL);
    }
    // TODO 1 end
    Ok(4)
}

/// Bytes for `count` devices: the multiplication is checked, an overflow becomes `EOVERFLOW`
/// instead of a wrapped (and wrong) size.
fn buffer_size(count: i32, fail: Fail) -> Result<usize> {
    let per_device: i32 = if fail == Fail::Eoverflow {
        i32::MAX
    } else {
        4096
    };
    // TODO 3: multiply with checked_mul: an overflow must be EOVERFLOW, never a wrapped size.
    let bytes = count.checked_mul(per_device).ok_or(EOVERFLOW)?;
    // TODO 3 end; skeleton: let _ = (count, per_device); let bytes: i32 = lab::todo_default(3);
    usize::try_from(bytes).map_err(|_| EOVERFLOW)
}

/// Sets the module up; every step may fail, and `?` hands the first failure to `init`.
fn set_up(fail: Fail) -> Result<KVec<u8>> {
    let count = device_count(fail)?;
    let mut size = buffer_size(count, fail)?;
    if fail == Fail::Enomem {
        size = 1 << 40; // 1 TiB: the allocator refuses, quietly thanks to __GFP_NOWARN
    }
    // TODO 2: allocate the buffer; a failed allocation (AllocError) goes up as ENOMEM with ?.
    let buffer = KVec::with_capacity(size, GFP_KERNEL | __GFP_NOWARN)?;
    // TODO 2 end; skeleton: let buffer: KVec<u8> = lab::todo_default(2);
    pr_info!("{count} devices, a buffer of {size} bytes\n");
    Ok(buffer)
}

struct Errors {
    _buffer: KVec<u8>,
}

impl kernel::Module for Errors {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let fail = Fail::from_param(module_parameters::fail.value())?;
        match set_up(fail) {
            Ok(buffer) => {
                lab::loaded();
                Ok(Errors { _buffer: buffer })
            }
            Err(e) => {
                // TODO 2: log at err level the error's name (e.g. ENODEV) and its errno number.
                // {:?} prints the errno's name (CONFIG_SYMBOLIC_ERRNAME), to_errno() its value.
                pr_err!(
                    "init failed: {e:?} (errno {}), fail={fail:?}\n",
                    e.to_errno()
                );
                // TODO 2 end; skeleton: lab::todo(2);
                Err(e)
            }
        }
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        lab::unloaded();
    }
}
