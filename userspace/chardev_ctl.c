// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_ctl: the ioctls of /dev/lab_chardev (chardev/lab_chardev.rs), from the shell.
 *
 *   chardev_ctl stats              prints "bytes_read=R bytes_written=W opens=O", the device's
 *                                  counters (LAB_CHARDEV_STATS)
 *   chardev_ctl reset              zeroes them (LAB_CHARDEV_RESET); prints 0
 *   chardev_ctl mine [FD]          LAB_CHARDEV_MINE on FD (an open file inherited from the
 *                                  shell, e.g. 3 after exec 3<>/dev/lab_chardev), else on its
 *                                  own: prints "open=N bytes_read=R bytes_written=W", that
 *                                  open file's own counters
 *
 * The ABI is userspace/lab_chardev.h. A failed ioctl prints the errno's name (e.g. ENOTTY)
 * and exits 1; usage or set-up errors exit 2. Bad input and concurrency are
 * chardev_stress's job (userspace/chardev_stress.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lab_chardev.h"

#define DEV "/dev/lab_chardev"

typedef unsigned long long ull;

/* What a failed call prints: the errno's name, what a test compares against. */
static int failed(void)
{
	const char *name = strerrorname_np(errno);

	if (name)
		printf("%s\n", name);
	else
		printf("errno %d\n", errno);
	return 1;
}

static int stats(int fd)
{
	struct lab_chardev_stats s;

	if (ioctl(fd, LAB_CHARDEV_STATS, &s) < 0)
		return failed();
	printf("bytes_read=%llu bytes_written=%llu opens=%llu\n",
	       (ull)s.bytes_read, (ull)s.bytes_written, (ull)s.opens);
	return 0;
}

static int reset(int fd)
{
	if (ioctl(fd, LAB_CHARDEV_RESET) < 0)
		return failed();
	printf("0\n");
	return 0;
}

/* LAB_CHARDEV_MINE on fd: that open file's own counters. */
static int mine(int fd)
{
	struct lab_chardev_mine m;

	if (ioctl(fd, LAB_CHARDEV_MINE, &m) < 0)
		return failed();
	printf("open=%llu bytes_read=%llu bytes_written=%llu\n",
	       (ull)m.open, (ull)m.bytes_read, (ull)m.bytes_written);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: chardev_ctl stats|reset|mine [FD]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;
	char *end;
	int fd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	if (!strcmp(cmd, "mine") && argc == 3) {
		errno = 0;
		fd = strtol(argv[2], &end, 0);
		if (errno || end == argv[2] || *end) {
			fprintf(stderr, "chardev_ctl: not a number: %s\n", argv[2]);
			return 2;
		}
		return mine(fd);
	}
	if (argc != 2)
		usage();
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		perror(DEV);
		return 2;
	}
	if (!strcmp(cmd, "stats"))
		return stats(fd);
	if (!strcmp(cmd, "reset"))
		return reset(fd);
	if (!strcmp(cmd, "mine"))
		return mine(fd);
	usage();
	return 2;
}
