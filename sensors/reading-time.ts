/**
 * The earliest time a reading may carry, one rule for every parser that takes a time from the
 * message (SenML `bt`/`t`, The Things Stack `received_at`, ChirpStack `time`).
 *
 * Why a bound at all: a time JavaScript can hold may still be one PostgreSQL's timestamptz cannot
 * (before 4713 BC), which would fail the whole batch at write time as 'storage_error'; and any
 * absurdly old time (year 1, 1900, a SenML "relative" time counted from a clock never set) is no
 * reading, only a reading stored at the wrong place in its sensor's history. Why 2000-01-01: no
 * sensor this hub reads (LoRaWAN, SenML — RFC 8428 is of 2018) can have measured anything before;
 * and it leaves room below for every history the hub itself writes or imports through MQTT (the
 * demo's is 90 days, tests and benchmarks from 2001 on).
 */
import { MessageRejection } from './rejection.ts'

/** 2000-01-01T00:00:00Z, seconds since the epoch. */
export const EARLIEST_READING_TIME = 946_684_800
const EARLIEST_READING_TEXT = '2000-01-01T00:00:00Z'

/** The Date range, ±8.64e15 ms: a time outside it cannot be printed as a date. */
const DATE_LIMIT = 8.64e12

/** A time for a refusal's detail: ISO 8601 when a Date can hold it, else in seconds. */
export function describeTime(seconds: number): string {
  return Math.abs(seconds) <= DATE_LIMIT ? new Date(seconds * 1000).toISOString() : `${seconds} s`
}

/**
 * Refuses a reading time before EARLIEST_READING_TIME ('timestamp_too_old'); `what` names it in
 * the detail ('"time"', 'record 2: time'). Returns the time, for use in an expression.
 */
export function requireNotTooOld(seconds: number, what: string): number {
  if (seconds < EARLIEST_READING_TIME) {
    throw new MessageRejection('timestamp_too_old', `${what} ${describeTime(seconds)} is before ${EARLIEST_READING_TEXT}, the earliest a reading may be`)
  }
  return seconds
}
