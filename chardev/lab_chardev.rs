// SPDX-License-Identifier: GPL-2.0

//! A character device a user can open, read, write and `ioctl`: `/dev/lab_chardev`.
//!
//! A misc device (major 10, a minor the kernel picks) with two kinds of state:
//! - shared by every open file, behind a `Mutex`: one content of at most [`CAPACITY`] bytes,
//!   and the device's counters;
//! - per open file, in the [`LabChardev`] value `open` returns (`MiscDevice::Ptr`, here a
//!   `KBox`): which open it was (1st, 2nd, … since load), and the bytes read and written
//!   through this file alone. The kernel's file offset (`Kiocb::ki_pos`) is per open file too.
//!
//! - `read` returns `Hello from Rust!\n` until something is written, then what was last
//!   written, from this file's offset on (`cat` ends, `dd skip=` works);
//! - `write` replaces the whole content and returns the count, logged at debug level (`dmesg`
//!   shows it, the console does not); more than [`CAPACITY`] bytes fails with `EFBIG` ("File
//!   too large") and changes nothing. The offset of the file written through goes back to 0, so
//!   a read on it sees the new content from its start;
//! - `ioctl` `LAB_CHARDEV_STATS` copies the device's counters (bytes read, bytes written,
//!   opens) to user space, `LAB_CHARDEV_RESET` zeroes them, `LAB_CHARDEV_MINE` copies this open
//!   file's own (its open number, bytes read, bytes written); any other command is `ENOTTY`, a
//!   bad pointer `EFAULT`. `userspace/chardev_ctl.c` calls them.
//!
//! Try it in `make shell`: `modprobe lab_chardev; cat /dev/lab_chardev;
//! echo hi > /dev/lab_chardev; cat /dev/lab_chardev; chardev_ctl stats; dmesg | tail`, and one
//! open file of its own: `exec 3<>/dev/lab_chardev; echo hello >&3; cat <&3; chardev_ctl mine 3`.

use kernel::fs::{File, Kiocb};
use kernel::ioctl::{_IO, _IOR};
use kernel::iov::{IovIterDest, IovIterSource};
use kernel::miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration};
use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};
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

/// `_IOR('L', 1, struct lab_chardev_stats)`, `_IO('L', 2)` and
/// `_IOR('L', 3, struct lab_chardev_mine)`: the C side of this ABI is
/// `userspace/lab_chardev.h` (the programs and the C twin include it); change both together.
const LAB_CHARDEV_STATS: u32 = _IOR::<[u64; 3]>('L' as u32, 1);
const LAB_CHARDEV_RESET: u32 = _IO('L' as u32, 2);
const LAB_CHARDEV_MINE: u32 = _IOR::<[u64; 3]>('L' as u32, 3);

/// What every open file shares.
struct Content {
    data: [u8; CAPACITY],
    len: usize,
    /// Where a write lands first, so that a write whose copy faults changes nothing.
    staged: [u8; CAPACITY],
    stats: Stats,
    /// Opens since load, never reset: numbers each open file.
    opened: u64,
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
            opened: 0,
            stats: Stats {
                bytes_read: 0,
                bytes_written: 0,
                opens: 0,
            },
        }
    }
}

global_mutex!(CONTENT: Content = Content::new(););

/// One open file's own state, made by `open` and dropped at `release`. The processes sharing
/// this open file (after `fork`, or `dup`) may call in at once: atomics, no lock needed.
struct LabChardev {
    /// Which open this is: 1 for the first since load, and so on.
    number: u64,
    bytes_read: Atomic<u64>,
    bytes_written: Atomic<u64>,
}

/// Copies three counters to the user's `arg` (24 bytes). Called without holding the lock: the
/// copy may fault and sleep.
fn copy_out(arg: usize, values: [u64; 3]) -> Result<isize> {
    let mut bytes = [0u8; 24];
    for (chunk, value) in bytes.chunks_exact_mut(8).zip(values) {
        chunk.copy_from_slice(&value.to_ne_bytes());
    }
    UserSlice::new(UserPtr::from_addr(arg), bytes.len())
        .writer()
        .write_slice(&bytes)?;
    Ok(0)
}

#[vtable]
impl MiscDevice for LabChardev {
    type Ptr = KBox<Self>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let mut this = KBox::new(
            LabChardev {
                number: 0,
                bytes_read: Atomic::new(0),
                bytes_written: Atomic::new(0),
            },
            GFP_KERNEL,
        )?;
        let mut content = CONTENT::lock()?;
        content.opened += 1;
        content.stats.opens += 1;
        this.number = content.opened;
        drop(content);
        pr_info!("open\n");
        Ok(this)
    }

    fn release(device: KBox<Self>, _file: &File) {
        pr_info!("release\n");
        drop(device);
    }

    fn read_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let this = kiocb.file();
        let wanted = iov.len();
        let mut content = CONTENT::lock()?;
        let len = content.len;
        let pos = kiocb.ki_pos();
        // TODO 1: copy content.data[..len] from the file offset on; a 0 before the end is EFAULT.
        // Copies from the file offset on and advances it; 0 at the end, which ends `cat`.
        let read = iov.simple_read_from_buffer(kiocb.ki_pos_mut(), &content.data[..len])?;
        // It also gives 0 when the user's buffer faulted before the first byte: that is
        // `EFAULT`, not an end of file the caller would wrongly believe.
        if read == 0 && wanted > 0 && usize::try_from(pos).is_ok_and(|p| p < len) {
            return Err(EFAULT);
        }
        // TODO 1 end; skeleton: let _ = (wanted, pos, len, &content.data, kiocb.ki_pos_mut()); let read: usize = lab::todo_err(1)?;
        content.stats.bytes_read += read as u64;
        this.bytes_read.add(read as u64, Relaxed);
        Ok(read)
    }

    fn write_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let this = kiocb.file();
        let len = iov.len();
        // TODO 2: refuse a write of more than CAPACITY bytes with EFBIG ("File too large").
        if len > CAPACITY {
            return Err(EFBIG);
        }
        // TODO 2 end
        let mut guard = CONTENT::lock()?;
        // Disjoint borrows of two fields need the plain `&mut Content`, not the guard.
        let content = &mut *guard;
        // TODO 2: copy the user's bytes to content.staged (short: EFAULT), then to data and len.
        // Copy from user space into the staging buffer first: a bad pointer then changes
        // nothing. A `Mutex` holder may sleep, as a copy from user space can (page faults).
        if iov.copy_from_iter(&mut content.staged[..len]) != len {
            return Err(EFAULT);
        }
        content.data[..len].copy_from_slice(&content.staged[..len]);
        content.len = len;
        // TODO 2 end; skeleton: let _ = &content.staged; lab::todo_err(2)?;
        content.stats.bytes_written += len as u64;
        drop(guard);
        this.bytes_written.add(len as u64, Relaxed);
        // The whole content was replaced: a read on this file starts from its beginning.
        *kiocb.ki_pos_mut() = 0;
        // Debug level: a process writing in a loop must not flood the console.
        pr_debug!("write: {len} bytes (open {})\n", this.number);
        Ok(len)
    }

    fn ioctl(device: &LabChardev, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            LAB_CHARDEV_STATS => {
                // TODO 3: copy the counters out to arg (copy_out), the lock released first.
                let stats = CONTENT::lock()?.stats;
                copy_out(arg, [stats.bytes_read, stats.bytes_written, stats.opens])
                // TODO 3 end; skeleton: let s = CONTENT::lock()?.stats; let _ = (s.bytes_read, s.bytes_written, s.opens); lab::todo_err(3)
            }
            LAB_CHARDEV_RESET => {
                CONTENT::lock()?.stats = Stats {
                    bytes_read: 0,
                    bytes_written: 0,
                    opens: 0,
                };
                Ok(0)
            }
            LAB_CHARDEV_MINE => copy_out(
                arg,
                [
                    device.number,
                    device.bytes_read.load(Relaxed),
                    device.bytes_written.load(Relaxed),
                ],
            ),
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
        try_pin_init!(Self {
            _miscdev <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"lab_chardev",
            }),
        })
        // Logged once the device is registered: `loaded` means init succeeded.
        .pin_chain(|_| {
            pr_info!(
                "/dev/lab_chardev: {CAPACITY} bytes, reads \"Hello from Rust!\" until written\n"
            );
            lab::loaded();
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for ChardevModule {
    fn drop(self: Pin<&mut Self>) {
        lab::unloaded();
    }
}
