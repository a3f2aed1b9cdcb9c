// SPDX-License-Identifier: GPL-2.0
/*
 * lab_sync_c: the C side of `make bench`'s lock rows, for `make bench` only (never a topic).
 * bench/lab_sync_rs.rs is the Rust side: the two do the same operation through the same
 * interface, so that `labbench lock` drives both identically.
 *
 * Writing "N mutex" or "N spinlock" to /sys/kernel/debug/lab_sync_c/counters does N
 * increments in the writer's process, each under the named lock: a mutex for the mutex count,
 * a spinlock taken with interrupts off for the spinlock count (Rust's SpinLockIrq, which the
 * topic sync needs because its timer takes that lock in interrupt context). "N W LOCK" first
 * waits until W writers have arrived, so that the two-worker rows start together. Reading
 * gives "mutex=… spinlock=…", which labbench checks against every increment it asked for.
 * One loop per lock, so that no branch sits inside the timed loop.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#define MAX_ITERATIONS 1000000
#define MAX_BATCH 64

enum lock { LOCK_MUTEX, LOCK_SPINLOCK };

struct shared {
	struct mutex mutex; /* mutex_count */
	u64 mutex_count;
	spinlock_t spinlock; /* spinlock_count; interrupts off while held: Rust's SpinLockIrq */
	u64 spinlock_count;
	struct mutex gate_lock; /* arrived, generation, closing */
	u32 arrived;
	u64 generation;
	bool closing;
	wait_queue_head_t batch_complete;
};

static struct shared *shared;
static struct dentry *dir;

/* What a batch times: n increments under one lock. */
static void run(struct shared *s, u32 n, enum lock lock)
{
	u32 i;

	switch (lock) {
	case LOCK_MUTEX:
		for (i = 0; i < n; i++) {
			mutex_lock(&s->mutex);
			s->mutex_count++;
			mutex_unlock(&s->mutex);
		}
		break;
	case LOCK_SPINLOCK:
		for (i = 0; i < n; i++) {
			spin_lock_irq_disable(&s->spinlock);
			s->spinlock_count++;
			spin_unlock_irq_enable(&s->spinlock);
		}
		break;
	}
}

static bool batch_done(struct shared *s, u64 generation)
{
	return READ_ONCE(s->generation) != generation || READ_ONCE(s->closing);
}

/*
 * Waits until batch writers (this one included) have arrived; -ERESTARTSYS on a signal,
 * -ENODEV at unload, so that a batch that never fills hangs neither its writers nor rmmod.
 */
static int wait_for_batch(struct shared *s, u32 batch)
{
	u64 generation;

	mutex_lock(&s->gate_lock);
	generation = s->generation;
	if (++s->arrived >= batch) {
		s->arrived = 0;
		s->generation++;
		mutex_unlock(&s->gate_lock);
		wake_up_all(&s->batch_complete);
		return 0;
	}
	while (s->generation == generation) {
		int ret;

		if (s->closing) {
			s->arrived--;
			mutex_unlock(&s->gate_lock);
			return -ENODEV;
		}
		mutex_unlock(&s->gate_lock);
		ret = wait_event_interruptible(s->batch_complete, batch_done(s, generation));
		mutex_lock(&s->gate_lock);
		if (ret && s->generation == generation) {
			s->arrived--;
			mutex_unlock(&s->gate_lock);
			return -ERESTARTSYS;
		}
	}
	mutex_unlock(&s->gate_lock);
	return 0;
}

static int counters_show(struct seq_file *m, void *v)
{
	struct shared *s = m->private;
	u64 mutex_count, spinlock_count;

	mutex_lock(&s->mutex);
	mutex_count = s->mutex_count;
	mutex_unlock(&s->mutex);
	spin_lock_irq_disable(&s->spinlock);
	spinlock_count = s->spinlock_count;
	spin_unlock_irq_enable(&s->spinlock);
	seq_printf(m, "mutex=%llu spinlock=%llu\n", mutex_count, spinlock_count);
	return 0;
}

static int counters_open(struct inode *inode, struct file *file)
{
	return single_open(file, counters_show, inode->i_private);
}

/* The next whitespace-separated word of *p, NUL-terminated in place; NULL at the end. */
static char *next_word(char **p)
{
	char *w = skip_spaces(*p);

	if (!*w)
		return NULL;
	*p = w;
	while (**p && !isspace(**p))
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* Writing "N [W] mutex|spinlock": one batch, in the writer's own process. */
static ssize_t counters_write(struct file *file, const char __user *ubuf, size_t count,
			      loff_t *ppos)
{
	struct shared *s = ((struct seq_file *)file->private_data)->private;
	unsigned int n, batch = 1;
	char buf[33], *p = buf, *w;
	enum lock lock;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	w = next_word(&p);
	if (!w || kstrtouint(w, 10, &n) || n < 1 || n > MAX_ITERATIONS)
		return -EINVAL;
	w = next_word(&p);
	if (w && isdigit(*w)) {
		if (kstrtouint(w, 10, &batch) || batch < 1 || batch > MAX_BATCH)
			return -EINVAL;
		w = next_word(&p);
	}
	if (w && !strcmp(w, "mutex"))
		lock = LOCK_MUTEX;
	else if (w && !strcmp(w, "spinlock"))
		lock = LOCK_SPINLOCK;
	else
		return -EINVAL;
	if (next_word(&p))
		return -EINVAL;
	if (batch > 1) {
		ret = wait_for_batch(s, batch);
		if (ret)
			return ret;
	}
	run(s, n, lock);
	return count;
}

static const struct file_operations counters_fops = {
	.owner = THIS_MODULE,
	.open = counters_open,
	.read = seq_read,
	.write = counters_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init lab_init(void)
{
	shared = kzalloc(sizeof(*shared), GFP_KERNEL);
	if (!shared)
		return -ENOMEM;
	mutex_init(&shared->mutex);
	spin_lock_init(&shared->spinlock);
	mutex_init(&shared->gate_lock);
	init_waitqueue_head(&shared->batch_complete);
	dir = debugfs_create_dir("lab_sync_c", NULL);
	debugfs_create_file("counters", 0600, dir, shared, &counters_fops);
	return 0;
}

static void __exit lab_exit(void)
{
	/* Writers waiting for a batch that will never fill are sent away first. */
	mutex_lock(&shared->gate_lock);
	shared->closing = true;
	mutex_unlock(&shared->gate_lock);
	wake_up_all(&shared->batch_complete);
	/* Waits for every writer still inside the file. */
	debugfs_remove(dir);
	kfree(shared);
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_DESCRIPTION("C side of make bench's mutex and spinlock rows (Rust side: lab_sync_rs)");
MODULE_LICENSE("GPL");
