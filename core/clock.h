/*
 * clock: monotonic milliseconds and sleeping, for durations, lock waits and
 * retries (exec.c and the dialects).
 */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC: only differences mean anything. */
long	clock_ms(void);

/* Sleep ms milliseconds, resuming after signals. */
void	clock_sleep_ms(long ms);

#endif
