/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lab_port.h: the VM's ttyS2 as labklog and labrecv use it, set by the one that opens it first
 * (the init starts both in the background; neither writes before its own call).
 */
#ifndef LAB_PORT_H
#define LAB_PORT_H

#include <termios.h>

/* port_raw FD: FD's tty raw, 8 bits, no echo, no \n -> \r\n, at 115200 baud (stty raw -echo
 * 115200): the host reads bytes as they were written. 0, or -1 when FD is no tty. */
static inline int port_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	/* Already so (the other one did it): the 8250 is not reprogrammed under what it receives. */
	if (!(t.c_lflag & (ICANON | ECHO | ISIG)) && !(t.c_oflag & OPOST) &&
	    (t.c_cflag & CSIZE) == CS8 && cfgetospeed(&t) == B115200)
		return 0;
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	return tcsetattr(fd, TCSANOW, &t);
}

#endif
