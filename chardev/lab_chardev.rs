// SPDX-License-Identifier: GPL-2.0

//! A character device a user can open, read, write and `ioctl`: `/dev/lab_chardev`.
//!
//! A misc device (major 10, a minor the kernel picks) with one content shared by every open
//! file, at most [`CAPACITY`] bytes, behind a `Mutex`:
//! - `read` returns `Hello from Rust!\n` until something is written, then what was last
//!   written, from the file offset on (`cat` ends, `dd skip=` works);
//! - `write` replaces the whole content and returns the count; more than [`CAPACITY`] bytes
//!   fails with `EFBIG` ("File too large") and changes nothing;
//! - `ioctl` `LAB_CHARDEV_STATS` copies the counters (bytes read, bytes written, opens) to user
//!   space, `LAB_CHARDEV_RESET` zeroes them; any other command is `ENOTTY`, a bad pointer
//!   `EFAULT`. `userspace/chardev_ctl.c` calls them.
//!
//! Try it in `make shell`: `modprobe lab_chardev; cat /dev/lab_chardev;
//! echo hi > /dev/lab_chardev; cat /dev/lab_chardev; chardev_ctl stats; dmesg | tail`.

use kernel::fs::{File, Kiocb};
use kernel::ioctl::{_IO, _IOR};
use kernel::iov::{IovIterDest, IovIterSource};
use kernel::miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration};
use kernel::prelude::*;
use kernel::uaccess::{UserPtr, UserSlice};

#[path = "../common/lab.rs"]
mod lab;

#[path = "../common/global.rs"]
#[macro_use]
mod global;

module! {
    type: ChardevModule,
    name: "lab_chardev",
    authors: ["Rust Kernel Module Lab"],
    description: "A misc device: read, write, ioctl counters",
    license: "GPL",
}

/// Most bytes the device holds.
const CAPACITY: usize = 4096;
const HELLO: &[u8] = b"Hello from Rust!\n";

/// The counters `LAB_CHARDEV_STATS` copies out: three `u64`, in this order (24 bytes).
#[derive(Clone, Copy)]
struct Stats {
    bytes_read: u64,
    bytes_written: u64,
    opens: u64,
}

/// `_IOR('L', 1, struct lab_chardev_stats)` and `_IO('L', 2)`, as `chardev_ctl.c` defines them.
const LAB_CHARDEV_STATS: u32 = _IOR::<[u64; 3]>('L' as u32, 1);
const LAB_CHARDEV_RESET: u32 = _IO('L' as u32, 2);

/// What every open file shares.
struct Content {
    data: [u8; CAPACITY],
    len: usize,
    /// Where a write lands first, so that a write whose copy faults changes nothing.
    staged: [u8; CAPACITY],
    stats: Stats,
}

impl Content {
    /// The content at load: the greeting.
    const fn new() -> Self {
        let mut data = [0u8; CAPACITY];
        let mut i = 0;
        while i < HELLO.len() {
            data[i] = HELLO[i];
            i += 1;
        }
        Content {
            data,
            len: HELLO.len(),
            staged: [0u8; CAPACITY],
            stats: Stats {
                bytes_read: 0,
                bytes_written: 0,
                opens: 0,
            },
        }
    }
}

global_mutex!(CONTENT: Content = Content::new(););

/// One open file: no state of its own, everything is in `CONTENT`.
struct LabChardev;

#[vtable]
impl MiscDevice for LabChardev {
    type Ptr = KBox<Self>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let this = KBox::new(LabChardev, GFP_KERNEL)?;
        CONTENT::lock()?.stats.opens += 1;
        pr_info!("open\n");
        Ok(this)
    }

    fn release(device: KBox<Self>, _file: &File) {
        pr_info!("release\n");
        drop(device);
    }

    fn read_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let wanted = iov.len();
        let mut content = CONTENT::lock()?;
        let len = content.len;
        let pos = kiocb.ki_pos();
        // Copies from the file offset on and advances it; 0 at the end, which ends `cat`.
        let read = iov.simple_read_from_buffer(kiocb.ki_pos_mut(), &content.data[..len])?;
        // It also gives 0 when the user's buffer faulted before the first byte: that is
        // `EFAULT`, not an end of file the caller would wrongly believe.
        if read == 0 && wanted > 0 && usize::try_from(pos).is_ok_and(|p| p < len) {
            return Err(EFAULT);
        }
        content.stats.bytes_read += read as u64;
        Ok(read)
    }

    fn write_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let len = iov.len();
        if len > CAPACITY {
            return Err(EFBIG);
        }
        let mut guard = CONTENT::lock()?;
        // Disjoint borrows of two fields need the plain `&mut Content`, not the guard.
        let content = &mut *guard;
        // Copy from user space into the staging buffer first: a bad pointer then changes
        // nothing. A `Mutex` holder may sleep, as a copy from user space can (page faults).
        if iov.copy_from_iter(&mut content.staged[..len]) != len {
            return Err(EFAULT);
        }
        content.data[..len].copy_from_slice(&content.staged[..len]);
        content.len = len;
        content.stats.bytes_written += len as u64;
        // The whole content was replaced: a read on this file starts from its beginning.
        *kiocb.ki_pos_mut() = 0;
        Ok(len)
    }

    fn ioctl(_device: &LabChardev, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            LAB_CHARDEV_STATS => {
                let stats = CONTENT::lock()?.stats;
                let mut bytes = [0u8; 24];
                bytes[..8].copy_from_slice(&stats.bytes_read.to_ne_bytes());
                bytes[8..16].copy_from_slice(&stats.bytes_written.to_ne_bytes());
                bytes[16..].copy_from_slice(&stats.opens.to_ne_bytes());
                // Copied without holding the lock: the copy may fault and sleep.
                UserSlice::new(UserPtr::from_addr(arg), bytes.len())
                    .writer()
                    .write_slice(&bytes)?;
                Ok(0)
            }
            LAB_CHARDEV_RESET => {
                CONTENT::lock()?.stats = Stats {
                    bytes_read: 0,
                    bytes_written: 0,
                    opens: 0,
                };
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }
}

#[pin_data(PinnedDrop)]
struct ChardevModule {
    #[pin]
    _miscdev: MiscDeviceRegistration<LabChardev>,
}

impl kernel::InPlaceModule for ChardevModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        CONTENT::init();
        pr_info!("/dev/lab_chardev: {CAPACITY} bytes, reads \"Hello from Rust!\" until written\n");
        lab::loaded();
        try_pin_init!(Self {
            _miscdev <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"lab_chardev",
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for ChardevModule {
    fn drop(self: Pin<&mut Self>) {
        lab::unloaded();
    }
}
