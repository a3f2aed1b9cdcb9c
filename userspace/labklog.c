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

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The compressed bytes the port has not taken yet. */
static unsigned char *pend;
static size_t pend_len, pend_cap;

static void queue(const unsigned char *p, size_t n)
{
	if (pend_len + n > pend_cap) {
		pend_cap = (pend_len + n) * 2;
		pend = realloc(pend, pend_cap);
		if (!pend) {
			perror("labklog");
			exit(1);
		}
	}
	memcpy(pend + pend_len, p, n);
	pend_len += n;
}

/* put: as much of the queue as the port takes now (it is non-blocking). */
static void put(int port)
{
	while (pend_len) {
		ssize_t w = write(port, pend, pend_len);

		if (w <= 0)
			return; /* EAGAIN: later; an error: kept, not fatal to the copy */
		memmove(pend, pend + w, pend_len - w);
		pend_len -= w;
	}
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

int main(int argc, char **argv)
{
	/* A record is at most 8 KiB less its header (PRINTKRB_RECORD_MAX + prefix). */
	static char rec[8192 + 64];
	struct sigaction sa = { .sa_handler = on_term };
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	sigset_t none, term;
	int kmsg, file, port, dirty = 0;
	long long flushed = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: labklog FILE PORT\n");
		return 2;
	}
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	file = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	port = open(argv[2], O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
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
	put(port);
	for (;;) {
		struct pollfd p[2] = { { kmsg, POLLIN, 0 }, { port, POLLOUT, 0 } };
		ssize_t n;

		/* Every record there is, then the flush if due. */
		while ((n = read(kmsg, rec, sizeof(rec))) != 0) {
			if (n < 0) {
				if (errno == EPIPE) /* overwritten before it was read: go on */
					continue;
				break; /* EAGAIN (none left), EINTR */
			}
			if (write(file, rec, n) != n)
				perror("labklog: write");
			squeeze(rec, n, Z_NO_FLUSH);
			dirty = 1;
		}
		if (stop)
			break;
		if (dirty && now_ms() - flushed >= 100) {
			squeeze(NULL, 0, Z_SYNC_FLUSH);
			flushed = now_ms();
			dirty = 0;
		}
		put(port);
		/* Idle 10 ms with records unflushed: flush then. */
		if (ppoll(p, pend_len ? 2 : 1, dirty ? &ten_ms : NULL, &none) == 0 && dirty) {
			squeeze(NULL, 0, Z_SYNC_FLUSH);
			flushed = now_ms();
			dirty = 0;
		}
	}
	squeeze(NULL, 0, Z_FINISH);
	/* The rest, blocking now, and out of the UART before the init writes after it. */
	fcntl(port, F_SETFL, fcntl(port, F_GETFL) & ~O_NONBLOCK);
	put(port);
	tcdrain(port);
	return pend_len ? 1 : 0;
}
