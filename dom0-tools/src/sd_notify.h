/* SPDX-License-Identifier: MIT */
#ifndef TSMC_SD_NOTIFY_H
#define TSMC_SD_NOTIFY_H

/* Send one state datagram ("READY=1") to $NOTIFY_SOCKET if it is set.
 * 0 if sent or not under systemd, <0 errno on failure. */
int sd_notify_send(const char *state);

#endif
