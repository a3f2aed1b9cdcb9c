// SPDX-License-Identifier: GPL-2.0
/*
 * labrecv: the lab VM's receiver of the modules built beside its boot (make test T=<topic>:
 * scripts/vm --late, scripts/guest/init with LAB_LATE=1).
 *
 *   labrecv PORT ROOT
 *
 * Sets PORT (ttyS2) raw at 115200 baud and its receive FIFO's trigger to 14 bytes of 16, asks
 * for the modules ("@@lab-init" and "@@lab-await-modules taint=T", each a line on PORT, T the
 * kernel's taint flags: scripts/vm saves no boot that has any), reads the host's answer, a
 * line "SIZE" and then SIZE bytes of tar.gz, and writes the files it holds under ROOT, into
 * directories that exist: the modules, depmod's index of them and the command to run
 * (lib/modules/<release>/..., lab/cmd). Exits 1, saying why, when the answer is not whole
 * within 60 s of its line or is not a tar.gz of plain files with relative names. scripts/vm
 * may save the VM while this waits for its line, and resume it there in the next make test
 * T=<topic> (a saved boot): what differs between two loops comes after it.
 *
 * Why a program: this used to be the init's shell, with stty, timeout, head and tar, each a
 * fork and an exec of busybox, 2 MB, on the debug kernel under emulation, beside the init's own
 * set-up on the VM's two CPUs: the learner's loop waited for it. Here it is one process. The
 * pace of the transfer is the guest's: an interrupt each time the UART's FIFO reaches its
 * trigger; 14 bytes, not the driver's 8, take half the interrupts (the timeout that flushes a
 * partial FIFO is 4 characters long at 115200 baud): sync's 22 KB in 0.27-0.34 s, not 0.49-0.73.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "lab_port.h"

static const char *dir;

static void fail(const char *what)
{
	fprintf(stderr, "labrecv: %s\n", what);
	exit(1);
}

/* readn FD BUF N DEADLINE: N bytes from FD by DEADLINE (CLOCK_MONOTONIC seconds; 0: none). */
static void readn(int fd, unsigned char *buf, size_t n, time_t deadline)
{
	while (n) {
		if (deadline) {
			struct timespec now;
			struct pollfd p = { .fd = fd, .events = POLLIN };

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec >= deadline)
				fail("the modules did not come whole within 60 s");
			if (poll(&p, 1, (deadline - now.tv_sec) * 1000) < 0 && errno != EINTR)
				fail("poll");
			if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		ssize_t r = read(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("the port closed before the modules came whole");
		buf += r;
		n -= r;
	}
}

/* The tar stream, as it inflates: a 512-byte header, then its file's data, padded to 512. */
static unsigned char block[512];
static size_t have;	/* bytes of block[] filled */
static unsigned long long left;	/* bytes of the current file still to come */
static size_t pad;	/* padding after it */
static int out = -1, ended;

static void header(void)
{
	char name[101], size[13], path[4200];
	unsigned long long n;
	char *end;

	if (!block[0]) {
		ended = 1;	/* the two zero blocks that end the archive */
		return;
	}
	memcpy(name, block, 100);
	name[100] = 0;
	memcpy(size, block + 124, 12);
	size[12] = 0;
	n = strtoull(size, &end, 8);
	/* Plain files, named relative to ROOT and staying under it: what scripts/vm's tar of
	 * the --late modules holds. */
	if ((block[156] != '0' && block[156]) || !name[0] || name[0] == '/' ||
	    !strcmp(name, "..") || !strncmp(name, "../", 3) || strstr(name, "/../") ||
	    (strlen(name) >= 3 && !strcmp(name + strlen(name) - 3, "/..")) || end == size)
		fail("not a tar of plain files with relative names");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* (Not through a link: /bin/sh is one, to busybox.) */
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (out < 0) {
		fprintf(stderr, "labrecv: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	left = n;
	pad = (512 - n % 512) % 512;
	if (!left) {
		close(out);
		out = -1;
	}
}

static void untar(const unsigned char *p, size_t n)
{
	while (n && !ended) {
		if (left) {
			size_t k = n < left ? n : left;

			if (write(out, p, k) != (ssize_t)k)
				fail("cannot write a module");
			p += k, n -= k, left -= k;
			if (!left) {
				close(out);
				out = -1;
			}
		} else if (pad) {
			size_t k = n < pad ? n : pad;

			p += k, n -= k, pad -= k;
		} else {
			size_t k = sizeof(block) - have < n ? sizeof(block) - have : n;

			memcpy(block + have, p, k);
			p += k, n -= k, have += k;
			if (have == sizeof(block)) {
				have = 0;
				header();
			}
		}
	}
}

int main(int argc, char **argv)
{
	static unsigned char in[65536], inflated[65536];
	char line[64], trig[128];
	unsigned long long size;
	struct timespec now;
	int fd;
	size_t i = 0;
	z_stream z = { 0 };

	if (argc != 3)
		fail("usage: labrecv PORT ROOT");
	dir = argv[2];
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0)
		fail("cannot open the port");
	if (port_raw(fd))
		fail("cannot set the port raw");
	const char *tty = strrchr(argv[1], '/');

	snprintf(trig, sizeof(trig), "/sys/class/tty/%s/rx_trig_bytes", tty ? tty + 1 : argv[1]);
	int tf = open(trig, O_WRONLY);

	if (tf >= 0) {
		(void)!write(tf, "14", 2);
		close(tf);
	}
	/* Asked once the port is open: an 8250 drops what it holds when opened. (@@lab-init: the
	 * kernel booted, scripts/vm stops waiting for it.) */
	char ask[128], taint[32] = "?";
	int tn = open("/proc/sys/kernel/tainted", O_RDONLY);

	if (tn >= 0) {
		ssize_t r = read(tn, taint, sizeof(taint) - 1);

		taint[r > 0 ? r : 0] = 0;
		taint[strcspn(taint, "\n")] = 0;
		close(tn);
	}
	int an = snprintf(ask, sizeof(ask), "@@lab-init\n@@lab-await-modules taint=%s\n", taint);

	if (write(fd, ask, an) != an)
		fail("cannot ask for the modules");
	/* The line comes once the build is done: no deadline (a build that fails stops the VM). */
	do {
		if (i == sizeof(line) - 1)
			fail("no \"SIZE\" line");
		readn(fd, (unsigned char *)line + i, 1, 0);
	} while (line[i++] != '\n');
	line[i] = 0;
	if (sscanf(line, "%llu", &size) != 1)
		fail("no \"SIZE\" line");
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		fail("zlib");
	int zr = Z_OK;

	while (size) {
		size_t k = size < sizeof(in) ? size : sizeof(in);

		readn(fd, in, k, now.tv_sec + 60);
		size -= k;
		z.next_in = in;
		z.avail_in = k;
		/* Until this input is used and no output is pending (an output buffer filled to
		 * the brim may have more to come: Z_BUF_ERROR then says there is none). */
		while (zr == Z_OK) {
			z.next_out = inflated;
			z.avail_out = sizeof(inflated);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				fail("not a gzip stream");
			untar(inflated, sizeof(inflated) - z.avail_out);
			if (z.avail_out && !z.avail_in)
				break;
		}
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;
	}
	if (zr != Z_STREAM_END || left || out >= 0)
		fail("the tar.gz ends early");
	close(fd);
	return 0;
}
