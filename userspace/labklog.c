// SPDX-License-Identifier: GPL-2.0
/*
 * labklog: the lab VM's copy of the kernel log (scripts/guest/init, when booted with
 * LAB_KMSG=1). Every record of /dev/kmsg, as it reads it ("6,1234,5678901,-;text"), is appended
 * to FILE, which scripts/guest/runs.sh judges, and sent to the host on PORT gzip-compressed:
 * scripts/vm inflates it into its --kmsg file once the VM has stopped.
 *
 *   labklog FILE PORT
 *
 * Why compressed: the port is an emulated 8250 UART, where every byte costs the guest an I/O
 * exit and QEMU a write(2), and an interrupt every 16 bytes. chardev's test logs some 2,400
 * records, 110 KB, during its 4-writer check; sent as they were, the port's work took a
 * quarter of that check's time. Compressed they are about a fifth of that.
 *
 * On PORT: a line "@@lab-kmsg-gz", then one gzip member. It is flushed (a deflate sync point)
 * whenever no record came for 10 ms and at least every 100 ms, so a VM that wedges or panics
 * has sent what was logged until just before (the host inflates what it got). SIGTERM: the
 * records left are copied, the member is finished and sent, and labklog exits; the init then
 * writes its status line after it. FILE never waits for PORT: what the port cannot take yet
 * waits in memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "lab_port.h"

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The compressed bytes the port has not taken yet: pend[head .. len). */
static unsigned char *pend;
static size_t head, len, cap;
/* The port, or -1 once a write to it failed other than for want of room: FILE goes on. */
static int port = -1;

static void queue(const unsigned char *p, size_t n)
{
	if (port < 0)
		return;
	if (head && len + n > cap) {
		memmove(pend, pend + head, len - head);
		len -= head;
		head = 0;
	}
	if (len + n > cap) {
		cap = (len + n) * 2;
		pend = realloc(pend, cap);
		if (!pend) {
			perror("labklog");
			exit(1);
		}
	}
	memcpy(pend + len, p, n);
	len += n;
}

/* put: as much of the queue as the port takes now (non-blocking, until the end). */
static void put(void)
{
	while (port >= 0 && head < len) {
		ssize_t w = write(port, pend + head, len - head);

		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (w <= 0) {
			perror("labklog: the port");
			close(port);
			port = -1;
			return;
		}
		head += w;
	}
	head = len = 0;
}

static z_stream z;

/* squeeze: IN (N bytes) into the gzip member, with FLUSH; the output queued. */
static void squeeze(const void *in, size_t n, int flush)
{
	unsigned char out[16384];

	z.next_in = (unsigned char *)in;
	z.avail_in = n;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		deflate(&z, flush);
		queue(out, sizeof(out) - z.avail_out);
	} while (z.avail_out == 0 || z.avail_in);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Whether records went into the member since its last flush, and whether one of them asked
 * for a flush at once (urgent), and when the last flush was. */
static int dirty, hurry;
static long long flushed;

/* urgent REC: a record to send at once: a warning or worse (a splat's first lines), or one of
 * the harness's marks, which tell the host whose run and exercise the records after are. */
static int urgent(const char *rec)
{
	return atoi(rec) % 8 <= 4 || strstr(rec, ";lab-run: ") || strstr(rec, ";lab: exercise ");
}

/* copy: up to MAX of the records there are, each appended to FILE and put into the member.
 * 1 when MAX were copied (more may be waiting), 0 once none was left. */
static int copy(int kmsg, int file, int max)
{
	/* A record is at most PRINTK_MESSAGE_MAX (2 KiB) and its prefix; a read into a smaller
	 * buffer would lose it (EINVAL). */
	static char rec[8192];

	while (max > 0) {
		ssize_t n = read(kmsg, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE) /* overwritten before it was read: go on */
			continue;
		if (n <= 0)
			return 0; /* EAGAIN: none left */
		rec[n] = '\0';
		if (write(file, rec, n) != n)
			perror("labklog: write");
		squeeze(rec, n, Z_NO_FLUSH);
		dirty = 1;
		hurry |= urgent(rec);
		max--;
	}
	return 1;
}

/* flush: a sync point in the member, so that the host can inflate all of it so far. */
static void flush(void)
{
	squeeze(NULL, 0, Z_SYNC_FLUSH);
	flushed = now_ms();
	dirty = hurry = 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 }, zero = { 0, 0 };
	sigset_t none, term;
	int kmsg, file;

	if (argc != 3) {
		fprintf(stderr, "usage: labklog FILE PORT\n");
		return 2;
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	file = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	port = open(argv[2], O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	/* (labrecv may be setting it raw too, at the same time: either does it before it writes.) */
	if (port >= 0)
		port_raw(port);
	if (kmsg < 0 || file < 0 || port < 0) {
		perror("labklog: open");
		return 2;
	}
	/* windowBits 15 + 16: a gzip member; level 1: the guest's CPU is the scarce thing. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 2;
	/* SIGTERM is let in only while ppoll waits: one that came before the wait ends it. */
	sigemptyset(&none);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	sigaction(SIGTERM, &sa, NULL);
	queue((const unsigned char *)"@@lab-kmsg-gz\n", 14);
	put();
	while (!stop) {
		struct pollfd p[2] = { { kmsg, POLLIN, 0 }, { port, POLLOUT, 0 } };
		/* 256 records at a time: a flood must not hold back the flushes and the port. */
		int more = copy(kmsg, file, 256);

		if (dirty && (hurry || now_ms() - flushed >= 100))
			flush();
		put();
		/* Idle 10 ms with records unflushed: flush then. With more waiting, no wait: only a
		 * SIGTERM let in (a flood must not hold back the end either). */
		if (ppoll(p, head < len ? 2 : 1, more ? &zero : dirty ? &ten_ms : NULL, &none) == 0 &&
		    !more && dirty)
			flush();
	}
	/* SIGTERM: the records left, 4096 at the most, and the member's end. */
	copy(kmsg, file, 4096);
	squeeze(NULL, 0, Z_FINISH);
	/* The rest, blocking now, and out of the UART before the init writes after it. */
	if (port >= 0) {
		fcntl(port, F_SETFL, fcntl(port, F_GETFL) & ~O_NONBLOCK);
		put();
		tcdrain(port);
	}
	return port >= 0 ? 0 : 1;
}
