// SPDX-License-Identifier: GPL-2.0

//! Allocating memory in a module: every allocation can fail, and `?` turns the failure into
//! `ENOMEM` for `insmod`.
//!
//! [`LabAlloc::init`] makes six allocations, each logged once it succeeded:
//!
//! | what                     | how                                      | flags                         |
//! | ------------------------ | ---------------------------------------- | ----------------------------- |
//! | a small header           | [`KBox::new`]                            | `GFP_KERNEL`                  |
//! | the list of sizes        | [`KVec::with_capacity`] + [`KVec::push`] | `GFP_KERNEL`                  |
//! | a histogram of counters  | [`KBox::zeroed`]                         | `GFP_KERNEL` (+ `__GFP_ZERO`) |
//! | a `buf_size`-byte buffer | [`VVec::from_elem`]                      | `GFP_KERNEL \| __GFP_NOWARN`  |
//! | a lock, pinned           | [`KBox::pin_init`]                       | `GFP_KERNEL`                  |
//! | an event under the lock  | [`KVec::push`] inside the [`SpinLock`]   | `GFP_ATOMIC`                  |
//!
//! `init` runs in process context (the `insmod` task), where sleeping is allowed, hence
//! `GFP_KERNEL`. The buffer's size is chosen by whoever loads the module, megabytes by
//! default: more than `kmalloc` can give (4 MiB of physically contiguous pages at most), and
//! only the CPU touches it, so it is a [`VVec`]: vmalloc maps single pages into one virtually
//! contiguous range. A size that cannot be satisfied is the user's mistake, not a kernel
//! problem, so `__GFP_NOWARN` keeps the allocator from printing its failure report (a
//! warning with a stack trace). Inside a spinlock the task must not sleep, so that allocation
//! uses `GFP_ATOMIC`.
//!
//! No allocation is ever unwrapped: if one fails, `?` returns `ENOMEM` and everything already
//! allocated is freed as its owner goes out of scope. On `rmmod`, dropping [`LabAlloc`] frees
//! it all.
//!
//! Try it in `make shell`:
//!
//! ```text
//! # modprobe lab_alloc buf_size=1048576 && dmesg | tail -n 8
//! lab_alloc: init: buf_size=1048576
//! lab_alloc: KBox::new: header, 16 bytes (GFP_KERNEL)
//! lab_alloc: KVec::with_capacity(6) + push: sizes (GFP_KERNEL)
//! lab_alloc: KBox::zeroed: histogram of 256 counters, all zero: true (GFP_KERNEL | __GFP_ZERO)
//! lab_alloc: VVec::from_elem: buffer, 1048576 bytes (GFP_KERNEL | __GFP_NOWARN)
//! lab_alloc: KBox::pin_init: a spinlock around an empty KVec (GFP_KERNEL)
//! lab_alloc: KVec::push under the spinlock: 1 event (GFP_ATOMIC)
//! lab_alloc: loaded
//! # rmmod lab_alloc; modprobe lab_alloc buf_size=1099511627776
//! modprobe: can't load module lab_alloc (…): Cannot allocate memory
//! ```

use kernel::{
    prelude::*,
    sync::{new_spinlock, SpinLock},
};

#[path = "../common/lab.rs"]
mod lab;

module! {
    type: LabAlloc,
    name: "lab_alloc",
    authors: ["Rust Kernel Module Lab"],
    description: "Allocation: KBox, KVec, zeroed, VVec and GFP_ATOMIC; ENOMEM through ?",
    license: "GPL",
    params: {
        buf_size: u64 {
            default: 8 << 20,
            description: "Bytes in the large buffer (default 8 MiB; 1 TiB makes the load fail)",
        },
    },
}

/// A small fixed-size object, put on the heap with [`KBox::new`].
struct Header {
    /// [`MAGIC`], checked when the header is freed: proof the box held what was put in it.
    magic: u64,
    buf_size: usize,
}

/// "lab alloc", as far as hex digits can spell it.
const MAGIC: u64 = 0x1ab_a110c;

/// Everything `init` allocated. Dropping it (at `rmmod`, or when `init` fails half-way for
/// whatever was already allocated) frees it.
struct LabAlloc {
    header: KBox<Header>,
    sizes: KVec<usize>,
    histogram: KBox<[u32; 256]>,
    buffer: VVec<u8>,
    events: Pin<KBox<SpinLock<KVec<&'static str>>>>,
}

/// How many allocations `init` makes, and so how many sizes it records.
const ALLOCATIONS: usize = 6;

impl kernel::Module for LabAlloc {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let buf_size = usize::try_from(module_parameters::buf_size.value())?;
        pr_info!("init: buf_size={}\n", buf_size);

        // One object whose size is known at compile time: kmalloc, may sleep.
        let header = Header {
            magic: MAGIC,
            buf_size,
        };
        // TODO 1: put the header in a KBox (GFP_KERNEL); ? turns AllocError into ENOMEM.
        let header = KBox::new(header, GFP_KERNEL)?;
        pr_info!(
            "KBox::new: header, {} bytes (GFP_KERNEL)\n",
            size_of::<Header>()
        );
        // TODO 1 end; skeleton: let header = lab::todo_kbox(1, header)?;

        // Room for every size up front, so the pushes below never reallocate; `push` still
        // takes flags because it would have to grow the vector if the capacity ran out.
        // TODO 1: a KVec with room for ALLOCATIONS sizes; push the header's and its own size.
        let mut sizes = KVec::with_capacity(ALLOCATIONS, GFP_KERNEL)?;
        sizes.push(size_of::<Header>(), GFP_KERNEL)?;
        sizes.push(ALLOCATIONS * size_of::<usize>(), GFP_KERNEL)?;
        pr_info!(
            "KVec::with_capacity({}) + push: sizes (GFP_KERNEL)\n",
            ALLOCATIONS
        );
        // TODO 1 end; skeleton: let mut sizes = KVec::new(); let _ = ALLOCATIONS;

        // Counters must start at zero: `zeroed` asks the allocator for zeroed memory
        // (`__GFP_ZERO`) instead of writing the zeros ourselves.
        // TODO 1: a boxed array of 256 u32 counters, zeroed by the allocator; record its size.
        let histogram = KBox::<[u32; 256]>::zeroed(GFP_KERNEL)?;
        sizes.push(size_of::<[u32; 256]>(), GFP_KERNEL)?;
        pr_info!(
            "KBox::zeroed: histogram of {} counters, all zero: {} (GFP_KERNEL | __GFP_ZERO)\n",
            histogram.len(),
            histogram.iter().all(|&c| c == 0)
        );
        // TODO 1 end; skeleton: let histogram = lab::todo_kbox(1, [0u32; 256])?;

        // The size comes from the user and may be more than kmalloc can give: vmalloc. Too
        // big for anything is the user's mistake: ENOMEM, and no allocation-failure report.
        // TODO 2: a VVec of buf_size bytes 0x5a, with flags that fail quietly when it is too big.
        let buffer = VVec::from_elem(0x5a_u8, buf_size, GFP_KERNEL | __GFP_NOWARN)?;
        sizes.push(buf_size, GFP_KERNEL)?;
        pr_info!(
            "VVec::from_elem: buffer, {} bytes (GFP_KERNEL | __GFP_NOWARN)\n",
            buffer.len()
        );
        // TODO 2 end; skeleton: let buffer: VVec<u8> = lab::todo_default(2);

        // A spinlock's critical section must not sleep: GFP_ATOMIC. The `KBox` holding the lock
        // is allocated outside it, with GFP_KERNEL (a lock must be pinned: it cannot move).
        let events = KBox::pin_init(new_spinlock!(KVec::new(), "lab_alloc_events"), GFP_KERNEL)?;
        sizes.push(size_of::<SpinLock<KVec<&str>>>(), GFP_KERNEL)?;
        pr_info!("KBox::pin_init: a spinlock around an empty KVec (GFP_KERNEL)\n");
        // The guard `lock()` returns lives to the end of the statement: the push runs locked.
        // TODO 2: push the event "loaded" while holding the lock, with flags that never sleep.
        events.lock().push("loaded", GFP_ATOMIC)?;
        // TODO 2 end; skeleton: lab::todo(2);
        let count = events.lock().len();
        sizes.push(size_of::<&str>(), GFP_KERNEL)?;
        pr_info!(
            "KVec::push under the spinlock: {} event (GFP_ATOMIC)\n",
            count
        );

        lab::loaded();
        Ok(LabAlloc {
            header,
            sizes,
            histogram,
            buffer,
            events,
        })
    }
}

impl Drop for LabAlloc {
    fn drop(&mut self) {
        // TODO 3: log "freeing:" with what each allocation holds now, checked against init's.
        let intact =
            self.buffer.len() == self.header.buf_size && self.buffer.iter().all(|&b| b == 0x5a);
        let magic_intact = self.header.magic == MAGIC;
        pr_info!(
            "freeing: header magic {:#x} (intact: {}), sizes {:?}, {} counts, buffer of {} bytes intact: {}, events {:?}\n",
            self.header.magic,
            magic_intact,
            &self.sizes[..],
            self.histogram.iter().sum::<u32>(),
            self.header.buf_size,
            intact,
            &self.events.lock()[..]
        );
        // TODO 3 end; skeleton: lab::todo(3); let _ = (self.header.magic, self.header.buf_size, &self.sizes, &self.histogram, &self.buffer, &self.events);
        // The fields are dropped after this, each freeing its allocation: nothing to free here.
        lab::unloaded();
    }
}
