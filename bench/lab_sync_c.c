// SPDX-License-Identifier: GPL-2.0
/*
 * lab_sync_c: the C twin of sync/lab_sync.rs, for `make bench` only.
 *
 * The same workload on /sys/kernel/debug/lab_sync_c/counters: writing "N [W] [mutex|spinlock]"
 * does N increments in the writer's process, each taking the mutex (for value) and then the
 * spinlock (for counter), or only the one named; W > 1 first waits until W writers arrived.
 * Reading gives "mutex=… spinlock=… runs=…". The load does `iterations` increments itself.
 * The spinlock is taken with interrupts off, as the Rust SpinLockIrq does (its count is also
 * the Rust module's timer's, in interrupt context). The Rust module's `timer` file is not timed
 * and has no twin here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

static unsigned int iterations = 10000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "Increments the load itself does (1..=1000000)");

enum locks { LOCKS_BOTH, LOCKS_MUTEX, LOCKS_SPINLOCK };

struct shared {
	struct mutex data_lock; /* value, runs */
	u64 value;
	u64 runs;
	spinlock_t counter_lock; /* interrupts off while held: Rust's SpinLockIrq (the timer's count) */
	u64 counter;
	struct mutex gate_lock; /* arrived, generation, closing */
	u32 arrived;
	u64 generation;
	bool closing;
	wait_queue_head_t batch_complete;
};

static struct shared *shared;
static struct dentry *dir;

static void run(struct shared *s, u32 n, enum locks locks)
{
	u32 i;

	switch (locks) {
	case LOCKS_BOTH:
		for (i = 0; i < n; i++) {
			mutex_lock(&s->data_lock);
			s->value++;
			mutex_unlock(&s->data_lock);
			spin_lock_irq_disable(&s->counter_lock);
			s->counter++;
			spin_unlock_irq_enable(&s->counter_lock);
		}
		break;
	case LOCKS_MUTEX:
		for (i = 0; i < n; i++) {
			mutex_lock(&s->data_lock);
			s->value++;
			mutex_unlock(&s->data_lock);
		}
		break;
	case LOCKS_SPINLOCK:
		for (i = 0; i < n; i++) {
			spin_lock_irq_disable(&s->counter_lock);
			s->counter++;
			spin_unlock_irq_enable(&s->counter_lock);
		}
		break;
	}
	mutex_lock(&s->data_lock);
	s->runs++;
	mutex_unlock(&s->data_lock);
}

static bool batch_done(struct shared *s, u64 generation)
{
	return READ_ONCE(s->generation) != generation || READ_ONCE(s->closing);
}

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

static void totals(struct shared *s, u64 *value, u64 *counter, u64 *runs)
{
	mutex_lock(&s->data_lock);
	*value = s->value;
	*runs = s->runs;
	mutex_unlock(&s->data_lock);
	spin_lock_irq_disable(&s->counter_lock);
	*counter = s->counter;
	spin_unlock_irq_enable(&s->counter_lock);
}

static int counters_show(struct seq_file *m, void *v)
{
	u64 value, counter, runs;

	totals(m->private, &value, &counter, &runs);
	seq_printf(m, "mutex=%llu spinlock=%llu runs=%llu\n", value, counter, runs);
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

static ssize_t counters_write(struct file *file, const char __user *ubuf, size_t count,
			      loff_t *ppos)
{
	struct shared *s = ((struct seq_file *)file->private_data)->private;
	enum locks locks = LOCKS_BOTH;
	unsigned int n, batch = 1;
	char buf[33], *p = buf, *w;
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
	if (w) {
		if (!strcmp(w, "mutex"))
			locks = LOCKS_MUTEX;
		else if (!strcmp(w, "spinlock"))
			locks = LOCKS_SPINLOCK;
		else
			return -EINVAL;
		if (next_word(&p))
			return -EINVAL;
	}
	if (batch > 1) {
		ret = wait_for_batch(s, batch);
		if (ret)
			return ret;
	}
	run(s, n, locks);
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
	u64 value, counter, runs;

	if (iterations < 1 || iterations > MAX_ITERATIONS) {
		pr_err("iterations=%u is out of range: use 1 to %u\n", iterations, MAX_ITERATIONS);
		return -EINVAL;
	}
	shared = kzalloc(sizeof(*shared), GFP_KERNEL);
	if (!shared)
		return -ENOMEM;
	mutex_init(&shared->data_lock);
	spin_lock_init(&shared->counter_lock);
	mutex_init(&shared->gate_lock);
	init_waitqueue_head(&shared->batch_complete);
	run(shared, iterations, LOCKS_BOTH);
	totals(shared, &value, &counter, &runs);
	pr_info("load run: %u increments: mutex=%llu spinlock=%llu runs=%llu\n", iterations, value,
		counter, runs);
	dir = debugfs_create_dir("lab_sync_c", NULL);
	debugfs_create_file("counters", 0600, dir, shared, &counters_fops);
	pr_info("write N (or N W) to /sys/kernel/debug/lab_sync_c/counters from several processes\n");
	pr_info("loaded\n");
	return 0;
}

static void __exit lab_exit(void)
{
	u64 value, counter, runs;

	mutex_lock(&shared->gate_lock);
	shared->closing = true;
	mutex_unlock(&shared->gate_lock);
	wake_up_all(&shared->batch_complete);
	/* Waits for every writer still inside the file. */
	debugfs_remove(dir);
	totals(shared, &value, &counter, &runs);
	pr_info("final: mutex=%llu spinlock=%llu runs=%llu\n", value, counter, runs);
	kfree(shared);
	pr_info("unloaded\n");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_DESCRIPTION("C twin of lab_sync for make bench");
MODULE_LICENSE("GPL");
