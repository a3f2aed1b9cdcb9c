// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_ctl: talks to /dev/lab_chardev (chardev/lab_chardev.rs) through its ioctls.
 *
 *   chardev_ctl stats      prints "bytes_read=R bytes_written=W opens=O"
 *   chardev_ctl reset      zeroes the counters
 *   chardev_ctl badcmd     an unknown ioctl number: expects ENOTTY
 *   chardev_ctl badptr     LAB_CHARDEV_STATS to the address 1: expects EFAULT
 *   chardev_ctl badwrite   write(2) from the address 1: expects EFAULT
 *
 * The ABI: _IOR('L', 1, struct lab_chardev_stats) copies three u64 counters out;
 * _IO('L', 2) resets them. Exit status 0 when the call did what is expected, 1 otherwise.
 * The bad* commands print the errno's name they got.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct lab_chardev_stats {
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t opens;
};

#define LAB_CHARDEV_STATS _IOR('L', 1, struct lab_chardev_stats)
#define LAB_CHARDEV_RESET _IO('L', 2)
#define DEV "/dev/lab_chardev"

static const char *errname(int e)
{
	switch (e) {
	case 0: return "OK";
	case ENOTTY: return "ENOTTY";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	default: return strerror(e);
	}
}

/* Prints what the call gave and whether it was the expected errno. */
static int expect(long ret, int want)
{
	int got = ret < 0 ? errno : 0;

	printf("%s\n", errname(got));
	return got == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct lab_chardev_stats s;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: chardev_ctl stats|reset|badcmd|badptr|badwrite\n");
		return 2;
	}
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		perror(DEV);
		return 2;
	}
	if (!strcmp(argv[1], "stats")) {
		if (ioctl(fd, LAB_CHARDEV_STATS, &s) < 0) {
			perror("LAB_CHARDEV_STATS");
			return 1;
		}
		printf("bytes_read=%llu bytes_written=%llu opens=%llu\n",
		       (unsigned long long)s.bytes_read, (unsigned long long)s.bytes_written,
		       (unsigned long long)s.opens);
		return 0;
	}
	if (!strcmp(argv[1], "reset"))
		return expect(ioctl(fd, LAB_CHARDEV_RESET), 0);
	if (!strcmp(argv[1], "badcmd"))
		return expect(ioctl(fd, _IO('L', 99)), ENOTTY);
	if (!strcmp(argv[1], "badptr"))
		return expect(ioctl(fd, LAB_CHARDEV_STATS, (void *)1), EFAULT);
	if (!strcmp(argv[1], "badwrite")) {
		/* An address no process has mapped; volatile keeps the compiler from judging it. */
		void *volatile bad = (void *)1;

		return expect(write(fd, bad, 8), EFAULT);
	}
	fprintf(stderr, "chardev_ctl: unknown command %s\n", argv[1]);
	return 2;
}
