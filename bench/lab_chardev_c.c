// SPDX-License-Identifier: GPL-2.0
/*
 * lab_chardev_c: the C twin of chardev/lab_chardev.rs, for `make bench` only.
 *
 * The same semantics as the Rust module, on /dev/lab_chardev_c: one content of at most
 * CAPACITY bytes shared by every open file behind a mutex, the greeting until written; a
 * write replaces it (more than CAPACITY: -EFBIG, nothing changed; copied from user space
 * into a staging buffer first, so a bad pointer changes nothing) and resets the file offset;
 * the same ioctls and counters; each open file's own state (its number, its bytes read and
 * written) allocated at open, freed at release; open, release and (debug level, as Rust's
 * pr_debug! prints with the lab's debug assertions) each write logged. It goes through the same kernel paths as
 * the Rust abstractions (read_iter/write_iter, copy_to_iter/copy_from_iter), so the
 * benchmark compares the languages, not two different driver designs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

/* The ioctl ABI, the same file the user-space programs use (bench/Kbuild's include path). */
#include "lab_chardev.h"

#define CAPACITY 4096
#define HELLO "Hello from C!\n"

/* One open file's own state (file->private_data). */
struct lab_open {
	u64 number;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
};

static DEFINE_MUTEX(content_lock);
static struct {
	u8 data[CAPACITY];
	size_t len;
	u8 staged[CAPACITY]; /* a write lands here first: one whose copy faults changes nothing */
	struct lab_chardev_stats stats;
	u64 opened; /* opens since load: the next open's number */
} content = { .data = HELLO, .len = sizeof(HELLO) - 1 };

static int lab_open(struct inode *inode, struct file *file)
{
	struct lab_open *this = kzalloc(sizeof(*this), GFP_KERNEL);

	if (!this)
		return -ENOMEM;
	mutex_lock(&content_lock);
	content.opened++;
	content.stats.opens++;
	this->number = content.opened;
	mutex_unlock(&content_lock);
	file->private_data = this;
	pr_info("open\n");
	return 0;
}

static int lab_release(struct inode *inode, struct file *file)
{
	pr_info("release\n");
	kfree(file->private_data);
	return 0;
}

/* IovIterDest::simple_read_from_buffer(), as the Rust module's read uses it, with its EFAULT. */
static ssize_t lab_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	loff_t pos = iocb->ki_pos;
	size_t n = 0;

	if (pos < 0)
		return -EINVAL;
	mutex_lock(&content_lock);
	if (pos < content.len) {
		n = copy_to_iter(content.data + pos, content.len - pos, to);
		/* Nothing copied although there was something to copy: the buffer faulted. */
		if (n == 0 && iov_iter_count(to)) {
			mutex_unlock(&content_lock);
			return -EFAULT;
		}
		iocb->ki_pos = pos + n;
	}
	content.stats.bytes_read += n;
	mutex_unlock(&content_lock);
	atomic64_add(n, &((struct lab_open *)iocb->ki_filp->private_data)->bytes_read);
	return n;
}

static ssize_t lab_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	size_t len = iov_iter_count(from);
	struct lab_open *this;

	if (len > CAPACITY)
		return -EFBIG;
	mutex_lock(&content_lock);
	if (copy_from_iter(content.staged, len, from) != len) {
		mutex_unlock(&content_lock);
		return -EFAULT;
	}
	memcpy(content.data, content.staged, len);
	content.len = len;
	content.stats.bytes_written += len;
	mutex_unlock(&content_lock);
	this = iocb->ki_filp->private_data;
	atomic64_add(len, &this->bytes_written);
	iocb->ki_pos = 0;
	printk(KERN_DEBUG pr_fmt("write: %zu bytes (open %llu)\n"), len, this->number);
	return len;
}

static long lab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lab_chardev_stats stats;
	struct lab_open *this = file->private_data;
	struct lab_chardev_mine mine;

	switch (cmd) {
	case LAB_CHARDEV_STATS:
		mutex_lock(&content_lock);
		stats = content.stats;
		mutex_unlock(&content_lock);
		/* Copied without holding the lock: the copy may fault and sleep. */
		if (copy_to_user((void __user *)arg, &stats, sizeof(stats)))
			return -EFAULT;
		return 0;
	case LAB_CHARDEV_RESET:
		mutex_lock(&content_lock);
		memset(&content.stats, 0, sizeof(content.stats));
		mutex_unlock(&content_lock);
		return 0;
	case LAB_CHARDEV_MINE:
		mine.open = this->number;
		mine.bytes_read = atomic64_read(&this->bytes_read);
		mine.bytes_written = atomic64_read(&this->bytes_written);
		if (copy_to_user((void __user *)arg, &mine, sizeof(mine)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations lab_fops = {
	.owner = THIS_MODULE,
	.open = lab_open,
	.release = lab_release,
	.read_iter = lab_read_iter,
	.write_iter = lab_write_iter,
	.unlocked_ioctl = lab_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice lab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lab_chardev_c",
	.fops = &lab_fops,
};

static int __init lab_init(void)
{
	int ret = misc_register(&lab_misc);

	if (ret)
		return ret;
	pr_info("/dev/lab_chardev_c: %d bytes\n", CAPACITY);
	pr_info("loaded\n");
	return 0;
}

static void __exit lab_exit(void)
{
	misc_deregister(&lab_misc);
	pr_info("unloaded\n");
}

module_init(lab_init);
module_exit(lab_exit);
MODULE_DESCRIPTION("C twin of lab_chardev for make bench");
MODULE_LICENSE("GPL");
