// SPDX-License-Identifier: GPL-2.0

//! Locks under real contention: a `Mutex` and a spinlock counting the same increments, from
//! processes and from a timer in interrupt context.
//!
//! The state lives in one [`Shared`] value behind an [`Arc`]: the module holds one reference,
//! each debugfs file under `/sys/kernel/debug/lab_sync/` another, the running timer one more.
//! Every process writing `N` to `counters` is a worker: it does `N` increments, each taking the
//! `Mutex` (for `SharedData::value`) and then the spinlock (for the count), so two writers on the
//! VM's two CPUs really fight for both locks. `N W` first waits on a `CondVar` until `W`
//! writers have arrived, so a batch starts together. Reading the file gives the totals:
//! `mutex=… spinlock=… runs=…`; both counts must equal the sum of every `N` written. Any other
//! write is `EINVAL`. (`make bench` times these two locks against C with a Rust and a C module
//! of its own in `bench/`, so that this one carries the lesson alone.)
//!
//! A second file, `timer`, brings in a context that cannot sleep: writing `N` to it arms an
//! hrtimer whose callback runs in hard interrupt context every [`TICK`] (the lab kernel has
//! high-resolution timers; without them, at most once a timer interrupt) and adds one to
//! the same spinlock-protected count, `N` times, while writers may be running; reading it gives
//! `ticks=… left=… interleaved=…` (`interleaved`: ticks that found writers had moved the count
//! since the previous tick). The spinlock count is then the sum of every `N` written to
//! `counters` plus the ticks.
//!
//! Which lock: a `Mutex` holder may sleep (allocate with `GFP_KERNEL`, copy from user space,
//! wait), so it only fits process context; the timer callback cannot take it. A `SpinLock`
//! holder must not sleep: the CPU spins until the lock is free, so it is for short sections and
//! for contexts that cannot sleep (interrupt handlers such as the timer's, `GFP_ATOMIC` paths).
//! Because the timer takes the count's lock in an interrupt, every other holder must keep
//! interrupts off while holding it (`SpinLockIrq`): an interrupt on the CPU that holds it would
//! otherwise spin forever on a lock its own CPU can never release. Sleeping while holding a
//! spinlock is a bug the lab kernel reports (`BUG: sleeping function called from invalid
//! context`), as is a lock taken with interrupts on that an interrupt also takes (lockdep's
//! `inconsistent lock state`).
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_sync
//! # F=/sys/kernel/debug/lab_sync/counters
//! # echo 50000 > $F & echo 50000 > $F & wait; cat $F
//! mutex=110000 spinlock=110000 runs=3        (the load's own run: 10000)
//! # echo 200 > /sys/kernel/debug/lab_sync/timer; sleep 2; cat /sys/kernel/debug/lab_sync/timer $F
//! ticks=200 left=0 interleaved=0                (no writer ran between two ticks)
//! mutex=110000 spinlock=110200 runs=3
//! ```

use core::fmt;
use kernel::debugfs::{Dir, File};
use kernel::impl_has_hr_timer;
use kernel::prelude::*;
use kernel::sync::{
    new_condvar, new_mutex, new_spinlock_irq, Arc, ArcBorrow, CondVar, Mutex, SpinLockIrq,
};
use kernel::time::hrtimer::{
    ArcHrTimerHandle, HrTimer, HrTimerCallback, HrTimerCallbackContext, HrTimerPointer,
    HrTimerRestart, RelativeMode,
};
use kernel::time::{Delta, Monotonic};
use kernel::uaccess::UserSliceReader;

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: SyncModule,
    name: "lab_sync",
    authors: ["Rust Kernel Module Lab"],
    description: "Mutex and SpinLock counting under contention from several processes",
    license: "GPL",
    params: {
        iterations: u32 {
            default: 10000,
            description: "Increments the load itself does (1..=1000000)",
        },
    },
}

/// Largest `N` a single write or the load may ask for: bounded, so one write cannot keep a
/// CPU busy for minutes under emulation.
const MAX_ITERATIONS: u32 = 1_000_000;
/// Largest batch a writer may wait for.
const MAX_BATCH: u32 = 64;
/// Most ticks one write to `timer` may ask for.
const MAX_TICKS: u32 = 100_000;
/// The timer's period.
const TICK: Delta = Delta::from_micros(100);

/// What the `Mutex` protects: the tutorial's shared data, plus how many runs finished.
struct SharedData {
    value: u64,
    runs: u64,
}

/// The start gate: writers of a batch wait here until the batch is complete.
struct Gate {
    arrived: u32,
    generation: u64,
    /// Set at unload: a batch that is still filling will never start.
    closing: bool,
}

/// What the spinlock protects: the count, and the timer's bookkeeping beside it.
struct Counter {
    count: u64,
    ticks: u64,
    /// Ticks still to come; 0 when the timer is stopped.
    left: u32,
    /// Ticks that found the count moved by someone else since the previous tick.
    interleaved: u64,
    count_after_tick: u64,
}

/// Everything the workers and the timer share: the tutorial's module struct with a `Mutex` and
/// a `SpinLock` as fields, behind an [`Arc`] because the debugfs files and the running timer
/// each hold a reference of their own.
#[pin_data]
struct Shared {
    #[pin]
    data: Mutex<SharedData>,
    /// Interrupts off while held: the timer callback takes it in interrupt context.
    #[pin]
    counter: SpinLockIrq<Counter>,
    #[pin]
    gate: Mutex<Gate>,
    #[pin]
    batch_complete: CondVar,
    #[pin]
    timer: HrTimer<Shared>,
    /// The running timer's handle: dropping it cancels the timer and releases the `Arc`
    /// it holds. Taken at unload.
    #[pin]
    ticker: Mutex<Option<ArcHrTimerHandle<Shared>>>,
}

impl Shared {
    fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            data <- new_mutex!(SharedData { value: 0, runs: 0 }),
            counter <- new_spinlock_irq!(Counter {
                count: 0,
                ticks: 0,
                left: 0,
                interleaved: 0,
                count_after_tick: 0,
            }),
            gate <- new_mutex!(Gate {
                arrived: 0,
                generation: 0,
                closing: false,
            }),
            batch_complete <- new_condvar!(),
            timer <- HrTimer::new(),
            ticker <- new_mutex!(None),
        })
    }

    /// One worker's run: `n` increments, each under both locks in turn. Each guard is dropped
    /// at the end of its statement, so no increment holds both locks at once.
    fn run(&self, n: u32) {
        // TODO 1: n times: data.value += 1 under the Mutex, counter.count under the spinlock.
        for _ in 0..n {
            self.data.lock().value += 1;
            self.counter.lock().count += 1;
        }
        self.data.lock().runs += 1;
        // TODO 1 end; skeleton: let _ = n; lab::todo(1);
    }

    /// Waits until `batch` writers (this one included) have arrived. A signal (Ctrl-C) ends
    /// the wait with `ERESTARTSYS`, unloading the module with `ENODEV`: a batch that never
    /// fills cannot hang its writers, nor `rmmod`.
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
        // TODO 2: wait on batch_complete until the generation moves; signal/closing: leave.
        while gate.generation == generation {
            if gate.closing {
                gate.arrived -= 1;
                return Err(ENODEV);
            }
            // A signal that comes with the batch's start is too late: this writer was counted
            // (and `arrived` reset), so it runs.
            if self.batch_complete.wait_interruptible(&mut gate) && gate.generation == generation {
                gate.arrived -= 1;
                return Err(ERESTARTSYS);
            }
        }
        // TODO 2 end; skeleton: let _ = (generation, gate.closing); lab::todo_err(2)?;
        Ok(())
    }

    /// Sends the writers waiting for a batch away (see [`Shared::wait_for_batch`]).
    fn close_gate(&self) {
        self.gate.lock().closing = true;
        self.batch_complete.notify_all();
    }

    fn totals(&self) -> (u64, u64, u64) {
        let (value, runs) = {
            let data = self.data.lock();
            (data.value, data.runs)
        };
        (value, self.counter.lock().count, runs)
    }

    /// Stops the timer for good and drops the reference it held (at unload).
    fn stop_timer(&self) {
        drop(self.ticker.lock().take());
    }
}

impl HrTimerCallback for Shared {
    type Pointer<'a> = Arc<Self>;

    /// Runs in hard interrupt context (softirq on PREEMPT_RT): no sleeping, so no `Mutex`.
    fn run(this: ArcBorrow<'_, Self>, mut ctx: HrTimerCallbackContext<'_, Self>) -> HrTimerRestart {
        let mut counter = this.counter.lock();
        // TODO 3: count the tick (count, ticks, left, interleaved); no Mutex in an interrupt.
        if counter.count != counter.count_after_tick {
            counter.interleaved += 1;
        }
        counter.count += 1;
        counter.ticks += 1;
        counter.left -= 1;
        counter.count_after_tick = counter.count;
        // TODO 3 end; skeleton: let _ = counter.count_after_tick; counter.left = 0; lab::todo(3);
        if counter.left == 0 {
            return HrTimerRestart::NoRestart;
        }
        drop(counter);
        ctx.forward_now(TICK);
        HrTimerRestart::Restart
    }
}

impl_has_hr_timer! {
    // Not `RelativeHardMode`: on PREEMPT_RT a spinlock may sleep, and a timer of this mode then
    // runs in a thread, where it may.
    impl HasHrTimer<Self> for Shared { mode: RelativeMode<Monotonic>, field: self.timer }
}

/// Reading the file: the totals.
fn show(shared: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (mutex, spinlock, runs) = shared.totals();
    writeln!(f, "mutex={mutex} spinlock={spinlock} runs={runs}")
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

/// What a process wrote to one of the files, as text: at most `buf.len()` bytes, or `EINVAL`.
fn read_text<'a>(reader: &mut UserSliceReader, buf: &'a mut [u8]) -> Result<&'a str> {
    let len = reader.len();
    if len > buf.len() {
        return Err(EINVAL);
    }
    reader.read_slice(&mut buf[..len])?;
    core::str::from_utf8(&buf[..len]).map_err(|_| EINVAL)
}

/// Writing `N` or `N W` to the file: a worker run, in the writer's own process.
fn write(shared: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 32];
    let text = read_text(reader, &mut buf)?;
    let mut words = text.split_whitespace();
    let n = number(words.next(), 1, MAX_ITERATIONS)?;
    let batch = match words.next() {
        None => 1,
        word => number(word, 1, MAX_BATCH)?,
    };
    if words.next().is_some() {
        return Err(EINVAL);
    }
    if batch > 1 {
        shared.wait_for_batch(batch)?;
    }
    shared.run(n);
    Ok(())
}

/// Arms the timer for `n` ticks; `EBUSY` while it is still ticking.
fn arm_timer(shared: &Arc<Shared>, n: u32) -> Result {
    // Held throughout: one arming at a time.
    let mut ticker = shared.ticker.lock();
    {
        let mut counter = shared.counter.lock();
        if counter.left > 0 {
            return Err(EBUSY);
        }
        counter.left = n;
        counter.count_after_tick = counter.count;
    }
    // The old handle names the same timer: dropped after the new start, it would cancel it.
    drop(ticker.take());
    *ticker = Some(shared.clone().start(TICK));
    Ok(())
}

/// Reading `timer`: what the timer did.
fn show_timer(shared: &Arc<Shared>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (ticks, left, interleaved) = {
        let counter = shared.counter.lock();
        (counter.ticks, counter.left, counter.interleaved)
    };
    writeln!(f, "ticks={ticks} left={left} interleaved={interleaved}")
}

/// Writing `N` to `timer`: `N` ticks, one every [`TICK`].
fn write_timer(shared: &Arc<Shared>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 16];
    let text = read_text(reader, &mut buf)?;
    let mut words = text.split_whitespace();
    let n = number(words.next(), 1, MAX_TICKS)?;
    if words.next().is_some() {
        return Err(EINVAL);
    }
    arm_timer(shared, n)
}

struct SyncModule {
    shared: Arc<Shared>,
    /// The files; `None` once `drop` removed them.
    counters: Option<Pin<KBox<File<Arc<Shared>>>>>,
    timer: Option<Pin<KBox<File<Arc<Shared>>>>>,
    _dir: Dir,
}

impl kernel::Module for SyncModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let iterations = module_parameters::iterations.value();
        if !(1..=MAX_ITERATIONS).contains(&iterations) {
            pr_err!("iterations={iterations} is out of range: use 1 to {MAX_ITERATIONS}\n");
            return Err(EINVAL);
        }
        let shared = Arc::pin_init(Shared::new(), GFP_KERNEL)?;
        shared.run(iterations);
        let (mutex, spinlock, runs) = shared.totals();
        pr_info!(
            "load run: {iterations} increments: mutex={mutex} spinlock={spinlock} runs={runs}\n"
        );

        let dir = Dir::new(c"lab_sync");
        let counters = KBox::pin_init(
            dir.read_write_callback_file(c"counters", shared.clone(), &show, &write),
            GFP_KERNEL,
        )?;
        let timer = KBox::pin_init(
            dir.read_write_callback_file(c"timer", shared.clone(), &show_timer, &write_timer),
            GFP_KERNEL,
        )?;
        pr_info!(
            "write N (or N W) to /sys/kernel/debug/lab_sync/counters from several processes\n"
        );
        lab::loaded();
        Ok(SyncModule {
            shared,
            counters: Some(counters),
            timer: Some(timer),
            _dir: dir,
        })
    }
}

impl Drop for SyncModule {
    fn drop(&mut self) {
        // Removing a file waits for every writer still inside it (debugfs counts them), so
        // unload waits for all workers and the totals below are final. Writers waiting for a
        // batch that will never fill are sent away first. Then nobody can arm the timer: stop
        // it, which also drops the reference to `shared` it held.
        self.shared.close_gate();
        self.counters = None;
        self.timer = None;
        self.shared.stop_timer();
        let (mutex, spinlock, runs) = self.shared.totals();
        pr_info!("final: mutex={mutex} spinlock={spinlock} runs={runs}\n");
        lab::unloaded();
    }
}
