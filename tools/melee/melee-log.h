/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* melee's lines in the system log (LOG_AUTHPRIV, "melee[PID]"). */
#ifndef MELEE_LOG_H
#define MELEE_LOG_H

#include <syslog.h>

/* One line at priority `prio` (LOG_INFO, LOG_NOTICE...) of facility
 * LOG_AUTHPRIV, as syslog(3) would send it to /dev/log but without its
 * timestamp: every syslog daemon stamps a local message that has none
 * with the time it arrived (journald and rsyslog's imuxsock ignore the
 * sender's by default), and syslog(3)'s formatting of the local time
 * (tzset reading /etc/localtime, then strftime) cost melee 40-50 us, half
 * its start-up beyond chroot's.  Nothing is reported when no daemon
 * listens, as syslog(3) without LOG_CONS. */
void melee_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
