/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl ABI of /dev/lab_chardev, written once for C: the user-space programs
 * (userspace/chardev_ctl.c, userspace/chardev_stress.c) and the C twin
 * (bench/lab_chardev_c.c, through bench/Kbuild's include path) all include this file.
 * chardev/lab_chardev.rs defines the same numbers and layouts in Rust: a change here must be
 * made there too, and the other way round.
 *
 * Only <linux/types.h> and <linux/ioctl.h>, the kernel's UAPI headers, so that the same file
 * compiles in the kernel and in user space.
 */
#ifndef LAB_CHARDEV_H
#define LAB_CHARDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The device's counters, since load or the last LAB_CHARDEV_RESET. */
struct lab_chardev_stats {
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 opens;
};

/* One open file's own: its number (1st, 2nd, ... open since load) and its bytes. */
struct lab_chardev_mine {
	__u64 open;
	__u64 bytes_read;
	__u64 bytes_written;
};

#define LAB_CHARDEV_STATS _IOR('L', 1, struct lab_chardev_stats) /* copy the counters out */
#define LAB_CHARDEV_RESET _IO('L', 2)                             /* zero them */
#define LAB_CHARDEV_MINE _IOR('L', 3, struct lab_chardev_mine)   /* this open file's own */

#endif /* LAB_CHARDEV_H */
