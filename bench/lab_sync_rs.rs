// SPDX-License-Identifier: GPL-2.0

//! `lab_sync_rs`: the Rust side of `make bench`'s lock rows, for `make bench` only (never a
//! topic). [`lab_sync_c.c`](lab_sync_c.c) beside it is the C side; the two do the same operation
//! through the same interface, so that `labbench lock` drives both identically.
//!
//! Writing `N mutex` or `N spinlock` to `/sys/kernel/debug/lab_sync_rs/counters` does `N`
//! increments in the writer's process, each under the named lock: a `Mutex` for the `mutex`
//! count, a `SpinLockIrq` for the `spinlock` count (interrupts off while held, as the topic
//! `sync` must have it because its timer takes that lock in interrupt context; the C side uses
//! `spin_lock_irq_disable`). `N W LOCK` first waits on a `CondVar` until `W` writers have
//! arrived, so that the two-worker rows start together. Reading gives `mutex=… spinlock=…`,
//! which `labbench` checks against every increment it asked for.
//!
//! What is taught lives in `sync/lab_sync.rs`; this file has only what the lock rows time, one
//! loop per lock so that no branch sits inside the timed loop. Try it in `make shell` after
//! `make bench-modules` (the VM of `make shell` does not carry bench/; `scripts/vm shell --file
//! build/bench-modules/lab_sync_rs.ko:/lab_sync_rs.ko` does):
//!
//! ```text
//! # insmod /lab_sync_rs.ko
//! # F=/sys/kernel/debug/lab_sync_rs/counters
//! # echo "5000 2 mutex" > $F & echo "5000 2 mutex" > $F & wait; echo "300 spinlock" > $F; cat $F
//! mutex=10000 spinlock=300
//! ```

use core::fmt;
use kernel::debugfs::{Dir, File};
use kernel::prelude::*;
use kernel::sync::{new_condvar, new_mutex, new_spinlock_irq, CondVar, Mutex, SpinLockIrq};
use kernel::uaccess::UserSliceReader;

module! {
    type: SyncBench,
    name: "lab_sync_rs",
    authors: ["Rust Kernel Module Lab"],
    description: "Rust side of make bench's Mutex and SpinLockIrq rows (C side: lab_sync_c)",
    license: "GPL",
}

/// Largest `N` a single write may ask for, as in the topic.
const MAX_ITERATIONS: u32 = 1_000_000;
/// Largest batch a writer may wait for.
const MAX_BATCH: u32 = 64;

/// The start gate: writers of a batch wait here until the batch is complete.
struct Gate {
    arrived: u32,
    generation: u64,
    /// Set at unload: a batch that is still filling will never start.
    closing: bool,
}

/// Which lock a write times.
#[derive(Clone, Copy)]
enum Lock {
    Mutex,
    SpinLock,
}

#[pin_data]
struct Shared {
    #[pin]
    mutex: Mutex<u64>,
    #[pin]
    spinlock: SpinLockIrq<u64>,
    #[pin]
    gate: Mutex<Gate>,
    #[pin]
    batch_complete: CondVar,
}

impl Shared {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            mutex <- new_mutex!(0),
            spinlock <- new_spinlock_irq!(0),
            gate <- new_mutex!(Gate {
                arrived: 0,
                generation: 0,
                closing: false,
            }),
            batch_complete <- new_condvar!(),
        })
    }

    /// What a batch times: `n` increments under one lock. One loop per lock, as in C, so that
    /// the timed loop has no branch besides its own.
    fn run(&self, n: u32, lock: Lock) {
        match lock {
            Lock::Mutex => {
                for _ in 0..n {
                    *self.mutex.lock() += 1;
                }
            }
            Lock::SpinLock => {
                for _ in 0..n {
                    *self.spinlock.lock() += 1;
                }
            }
        }
    }

    /// Waits until `batch` writers (this one included) have arrived; `ERESTARTSYS` on a
    /// signal, `ENODEV` at unload, so that a batch that never fills hangs neither its writers
    /// nor `rmmod`. The same gate as the topic's.
    fn wait_for_batch(&self, batch: u32) -> Result {
        let mut gate = self.gate.lock();
        let generation = gate.generation;
        gate.arrived += 1;
        if gate.arrived >= batch {
            gate.arrived = 0;
            gate.generation += 1;
            self.batch_complete.notify_all();
            return Ok(());
        }
        while gate.generation == generation {
            if gate.closing {
                gate.arrived -= 1;
                return Err(ENODEV);
            }
            if self.batch_complete.wait_interruptible(&mut gate) && gate.generation == generation {
                gate.arrived -= 1;
                return Err(ERESTARTSYS);
            }
        }
        Ok(())
    }
}

/// Reading the file: the two counts.
fn show(shared: &Shared, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mutex = *shared.mutex.lock();
    let spinlock = *shared.spinlock.lock();
    writeln!(f, "mutex={mutex} spinlock={spinlock}")
}

/// Parses a decimal number in `lo..=hi`.
fn number(word: Option<&str>, lo: u32, hi: u32) -> Result<u32> {
    let n: u32 = word.ok_or(EINVAL)?.parse().map_err(|_| EINVAL)?;
    if (lo..=hi).contains(&n) {
        Ok(n)
    } else {
        Err(EINVAL)
    }
}

/// Writing `N [W] mutex|spinlock`: one batch, in the writer's own process.
fn write(shared: &Shared, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 32];
    let len = reader.len();
    if len > buf.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut buf[..len])?;
    let text = core::str::from_utf8(&buf[..len]).map_err(|_| EINVAL)?;
    let mut words = text.split_whitespace().peekable();
    let n = number(words.next(), 1, MAX_ITERATIONS)?;
    let batch = match words.peek() {
        Some(w) if w.starts_with(|c: char| c.is_ascii_digit()) => {
            number(words.next(), 1, MAX_BATCH)?
        }
        _ => 1,
    };
    let lock = match words.next() {
        Some("mutex") => Lock::Mutex,
        Some("spinlock") => Lock::SpinLock,
        _ => return Err(EINVAL),
    };
    if words.next().is_some() {
        return Err(EINVAL);
    }
    if batch > 1 {
        shared.wait_for_batch(batch)?;
    }
    shared.run(n, lock);
    Ok(())
}

struct SyncBench {
    /// Dropped first (fields drop in order): removing the file waits for every writer still
    /// inside it, then drops the counts.
    counters: Pin<KBox<File<Shared>>>,
    _dir: Dir,
}

impl kernel::Module for SyncBench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let dir = Dir::new(c"lab_sync_rs");
        let counters = KBox::pin_init(
            dir.read_write_callback_file(c"counters", Shared::new(), &show, &write),
            GFP_KERNEL,
        )?;
        Ok(SyncBench {
            counters,
            _dir: dir,
        })
    }
}

impl Drop for SyncBench {
    fn drop(&mut self) {
        // Writers waiting for a batch that will never fill are sent away before the file's
        // removal waits for them.
        self.counters.gate.lock().closing = true;
        self.counters.batch_complete.notify_all();
    }
}
