// SPDX-License-Identifier: GPL-2.0

//! Module parameters that also appear in sysfs, under `/sys/module/<name>/parameters/`:
//! [`sysfs_params!`].
//!
//! # Why this is not in Linux 7.3
//!
//! The `params:` block of `module!` (`rust/kernel/module_param.rs`) registers every parameter
//! with `perm: 0` and no `get` operation: the value can be set on the `insmod` command line
//! and never again. Its storage is a set-once cell whose reader may borrow the value (`&T`) for
//! as long as it likes; a sysfs write while such a borrow is alive would be a data race.
//! Making them writable needs a design for readers (upstream notes that a held
//! `kernel_param_lock` guard would have to be passed in), which has not been merged yet.
//!
//! # How this closes the gap, soundly
//!
//! Only integers, each kept in an [`Atomic`]: module code reads a copy with one atomic load
//! ([`SysfsParam::get`]), so no reference into the value exists for a write to race with. The
//! kernel's own machinery does the rest: [`sysfs_params!`] places one C `struct kernel_param`
//! per parameter in the `__param` section, exactly as `module!` does for its parameters, but
//! with the permission given (checked at compile time like C's `VERIFY_OCTAL_PERMISSIONS`) and
//! with `set`/`get` operations defined here. `set` parses with the kernel's C `kstrtoint` or
//! `kstrtouint` (the parsers of C's `param_ops_int`/`param_ops_uint`, so `echo 7 >` with its
//! trailing newline works) and answers `EINVAL` for anything it refuses, out of range
//! included; `get` prints the value and a newline. The kernel calls both with
//! `kernel_param_lock` held and removes the sysfs files before the module's memory goes away.
//!
//! A topic includes this file as the module `param` (the macro names its items through
//! `crate::param`):
//!
//! ```ignore
//! #[path = "../common/param.rs"]
//! mod param;
//!
//! param::sysfs_params! {
//!     threshold: i32 {
//!         default: 10,
//!         perm: 0o644,
//!         description: "Writable at run time",
//!     },
//! }
//!
//! let now = threshold.get();
//! ```

use core::fmt::Write;
use kernel::{
    bindings,
    error::to_result,
    page::PAGE_SIZE,
    prelude::*,
    str::Formatter,
    sync::atomic::{Atomic, AtomicType, Relaxed},
};

/// Keeps [`SysfsValue`] implemented only here: the operations below trust each implementation.
mod sealed {
    pub(crate) trait Sealed {}
}

/// An integer type a sysfs parameter can have.
pub(crate) trait SysfsValue:
    sealed::Sealed + AtomicType + Copy + core::fmt::Display + 'static
{
    /// The type `modinfo` shows (`parmtype=name:TYPE`): C's name for it.
    const PARMTYPE: &'static str;

    /// Parses what was written: `Err` refuses it, the old value stays.
    fn parse(text: &CStr) -> Result<Self>;

    /// `atomic.load(Relaxed)` (the kernel's atomics have it for each type, not generically).
    fn load(atomic: &Atomic<Self>) -> Self;

    /// `atomic.store(value, Relaxed)`.
    fn store(atomic: &Atomic<Self>, value: Self);
}

/// Implements [`SysfsValue`] for `$ty`, C's `$c` parsed by `$kstrto`.
macro_rules! sysfs_value {
    ($ty:ty, $c:literal, $kstrto:ident) => {
        impl sealed::Sealed for $ty {}
        impl SysfsValue for $ty {
            const PARMTYPE: &'static str = $c;

            fn parse(text: &CStr) -> Result<Self> {
                let mut value = 0;
                // SAFETY: `text` is NUL-terminated and lives across the call; `value` is a
                // valid integer of the type the parser writes.
                to_result(unsafe { bindings::$kstrto(text.as_char_ptr(), 0, &mut value) })?;
                Ok(value)
            }

            fn load(atomic: &Atomic<Self>) -> Self {
                atomic.load(Relaxed)
            }

            fn store(atomic: &Atomic<Self>, value: Self) {
                atomic.store(value, Relaxed)
            }
        }
    };
}
sysfs_value!(i32, "int", kstrtoint);
sysfs_value!(u32, "uint", kstrtouint);

/// A parameter's value. Declared by [`sysfs_params!`], read with [`SysfsParam::get`].
pub(crate) struct SysfsParam<T: SysfsValue> {
    value: Atomic<T>,
}

impl<T: SysfsValue> SysfsParam<T> {
    /// A parameter holding `default` until `insmod` or a sysfs write sets it.
    pub(crate) const fn new(default: T) -> Self {
        Self {
            value: Atomic::new(default),
        }
    }

    /// The current value: the last one set, at load time or through sysfs.
    pub(crate) fn get(&self) -> T {
        T::load(&self.value)
    }
}

/// The parameter's `kernel_param_ops.set`: parses `val` and stores it, or returns `-EINVAL`.
///
/// # Safety
///
/// `val` is NULL or a NUL-terminated string, and `kp` points to a `kernel_param` made by
/// [`KernelParam::new::<T>`], both valid for reads during the call.
unsafe extern "C" fn set<T: SysfsValue>(
    val: *const c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: `val` is not NULL, so by this function's contract a NUL-terminated string.
    let text = unsafe { CStr::from_char_ptr(val) };
    let Ok(value) = T::parse(text) else {
        // Out of range (`ERANGE` from the parser) is a bad value as well.
        return EINVAL.to_errno();
    };
    // SAFETY: by this function's contract, `kp` was made by `KernelParam::new::<T>`.
    T::store(&unsafe { param::<T>(kp) }.value, value);
    0
}

/// The parameter's `kernel_param_ops.get`: prints the value and a newline into `buf`.
///
/// # Safety
///
/// `buf` is valid for writes of `PAGE_SIZE` bytes (sysfs hands `get` a page) and `kp` is as for
/// [`set`], both during the call.
unsafe extern "C" fn get<T: SysfsValue>(
    buf: *mut c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // SAFETY: by this function's contract, `kp` was made by `KernelParam::new::<T>`.
    let value = unsafe { param::<T>(kp) }.get();
    // SAFETY: by this function's contract, `buf` is a page nobody else uses during the call.
    let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), PAGE_SIZE) };
    let mut f = Formatter::new(page);
    match writeln!(f, "{value}") {
        // At most 12 bytes: fits in a `c_int`.
        Ok(()) => f.bytes_written() as c_int,
        Err(_) => ENOSPC.to_errno(),
    }
}

/// The [`SysfsParam`] a `kernel_param` made by [`KernelParam::new::<T>`] points to.
///
/// # Safety
///
/// `kp` points to a `kernel_param` made by [`KernelParam::new::<T>`], valid for reads.
unsafe fn param<T: SysfsValue>(kp: *const bindings::kernel_param) -> &'static SysfsParam<T> {
    // SAFETY: `kp` is valid for reads; `KernelParam::new::<T>` set `arg`, the union's only
    // member it uses, to a `&'static SysfsParam<T>`.
    unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<SysfsParam<T>>() }
}

/// The operations of every parameter of type `T`. Only [`KernelParam::new::<T>`] uses them,
/// together with a [`SysfsParam<T>`]: what [`set`] and [`get`] rely on.
struct Ops<T>(T);

impl<T: SysfsValue> Ops<T> {
    const OPS: bindings::kernel_param_ops = bindings::kernel_param_ops {
        flags: 0,
        set: Some(set::<T>),
        get: Some(get::<T>),
        free: None,
    };
}

/// One parameter's entry in the `__param` section, which the module loader reads.
#[repr(transparent)]
pub(crate) struct KernelParam(bindings::kernel_param);

// SAFETY: The kernel only reads the entry; the value it points to is an `Atomic`, and its name
// and operations are immutable statics.
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// The entry for parameter `name` of `module`, permission `perm`, stored in `param`.
    ///
    /// Fails to compile (when evaluated in a static) for a permission C's
    /// `VERIFY_OCTAL_PERMISSIONS` refuses: above 0777, world-writable, or readable or writable
    /// by group or others but not by the owner.
    pub(crate) const fn new<T: SysfsValue>(
        name: &'static CStr,
        module: *mut bindings::module,
        perm: u16,
        param: &'static SysfsParam<T>,
    ) -> Self {
        assert!(perm <= 0o777, "permission above 0777");
        assert!(
            (perm >> 6) & 4 >= (perm >> 3) & 4,
            "group can read, owner cannot"
        );
        assert!((perm >> 3) & 4 >= perm & 4, "others can read, group cannot");
        assert!(
            (perm >> 6) & 2 >= (perm >> 3) & 2,
            "group can write, owner cannot"
        );
        assert!(perm & 2 == 0, "world-writable");
        Self(bindings::kernel_param {
            // `as_char_ptr` is not a `const fn`; this is the same pointer, cast to `c_char`.
            #[allow(clippy::disallowed_methods)]
            name: name.as_ptr().cast(),
            mod_: module,
            ops: &Ops::<T>::OPS,
            perm,
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: core::ptr::from_ref(param).cast_mut().cast(),
            },
        })
    }
}

/// `"KEY=NAME:VALUE\0"` as the byte array of a `.modinfo` entry, `N` bytes long.
pub(crate) const fn modinfo<const N: usize>(key: &str, name: &str, value: &str) -> [u8; N] {
    let parts = [
        key.as_bytes(),
        b"=",
        name.as_bytes(),
        b":",
        value.as_bytes(),
        b"\0",
    ];
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[n] = parts[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "modinfo entry length");
    out
}

/// The length of [`modinfo`]'s entry.
pub(crate) const fn modinfo_len(key: &str, name: &str, value: &str) -> usize {
    key.len() + name.len() + value.len() + 3
}

/// Declares module parameters that appear in `/sys/module/<module>/parameters/` with the
/// given permission (`0o644`: root may write, `0o444`: read-only), like C's `module_param`
/// with `MODULE_PARM_DESC`. Each `NAME: TYPE` (`i32` or `u32`) becomes a
/// `static NAME: SysfsParam<TYPE>`, settable as `NAME=VALUE` at load time too, listed by
/// `modinfo` with its description. Loadable modules only.
macro_rules! sysfs_params {
    ($($name:ident: $ty:ty {
        default: $default:expr,
        perm: $perm:expr,
        description: $description:literal $(,)?
    }),* $(,)?) => {
        #[cfg(not(MODULE))]
        compile_error!("sysfs_params!: loadable modules only");

        $(
            #[allow(non_upper_case_globals)]
            pub(crate) static $name: $crate::param::SysfsParam<$ty> =
                $crate::param::SysfsParam::new($default);

            const _: () = {
                const NAME: &str = ::core::stringify!($name);
                const TYPE: &str = <$ty as $crate::param::SysfsValue>::PARMTYPE;
                const TYPE_LEN: usize = $crate::param::modinfo_len("parmtype", NAME, TYPE);
                const DESC_LEN: usize = $crate::param::modinfo_len("parm", NAME, $description);

                #[link_section = "__param"]
                #[used(compiler)]
                static PARAM: $crate::param::KernelParam = $crate::param::KernelParam::new(
                    ::kernel::c_str!(::core::stringify!($name)),
                    // Safe: only the address of the module's `struct module` is taken.
                    &raw mut ::kernel::bindings::__this_module,
                    $perm,
                    &$name,
                );

                #[link_section = ".modinfo"]
                #[used(compiler)]
                static PARMTYPE: [u8; TYPE_LEN] = $crate::param::modinfo("parmtype", NAME, TYPE);

                #[link_section = ".modinfo"]
                #[used(compiler)]
                static PARM: [u8; DESC_LEN] = $crate::param::modinfo("parm", NAME, $description);
            };
        )*
    };
}
pub(crate) use sysfs_params;
