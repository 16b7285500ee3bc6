import { test } from '@japa/runner'
import { instantOf, nextDay, wallClock } from '../../web/src/kit/zone.js'

/*
 * The web app's school clock (web/src/kit/zone.ts): what a datetime-local
 * input shows and takes is the tenant's wall clock, whatever the device's
 * zone. Intl only, so it runs here as it runs in the browser.
 */

test.group('Web app: the school clock', () => {
  test('an instant reads as the wall clock of the zone, and back', ({ assert }) => {
    const instant = '2031-03-02T02:30:00.000Z'
    assert.equal(wallClock(instant, 'UTC'), '2031-03-02T02:30')
    assert.equal(wallClock(instant, 'America/New_York'), '2031-03-01T21:30')
    assert.equal(wallClock(instant, 'Asia/Kolkata'), '2031-03-02T08:00')
    assert.equal(wallClock(instant, 'Pacific/Kiritimati'), '2031-03-02T16:30')
    for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Kiritimati'])
      assert.equal(instantOf(wallClock(instant, zone), zone), instant, zone)
  })

  test('a day is its midnight; seconds are kept; malformed values are none', ({ assert }) => {
    assert.equal(instantOf('2031-03-02', 'Asia/Dubai'), '2031-03-01T20:00:00.000Z')
    assert.equal(instantOf('2031-07-01T12:00:45', 'Europe/London'), '2031-07-01T11:00:45.000Z')
    assert.equal(nextDay('2031-12-31'), '2032-01-01')
    assert.isNull(instantOf('tomorrow', 'UTC'))
    assert.isNull(instantOf('2031-03-02 09:00', 'UTC'))
    assert.equal(wallClock(null, 'UTC'), '')
    assert.equal(wallClock('not a date', 'UTC'), '')
  })

  test('across clock changes: summer and winter offsets, a skipped hour moves forward', ({
    assert,
  }) => {
    // New York: UTC-5 in winter, UTC-4 in summer (from 2031-03-09 02:00).
    assert.equal(instantOf('2031-01-15T09:00', 'America/New_York'), '2031-01-15T14:00:00.000Z')
    assert.equal(instantOf('2031-07-15T09:00', 'America/New_York'), '2031-07-15T13:00:00.000Z')
    assert.equal(instantOf('2031-03-09T03:30', 'America/New_York'), '2031-03-09T07:30:00.000Z')
    // 02:30 does not happen that night: the instant an hour on, read as 03:30.
    const skipped = instantOf('2031-03-09T02:30', 'America/New_York')!
    assert.equal(wallClock(skipped, 'America/New_York'), '2031-03-09T03:30')
  })
})
