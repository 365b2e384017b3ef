import { describe, expect, it } from 'vitest'
import { isValidTopicFilter, matchesAny, topicMatches } from './mqtt-topic-filter.ts'

describe('MQTT topic filters', () => {
  it.each([
    // filter, topic, matches — the examples of MQTT 3.1.1 §4.7 and the edges
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['#', 'a/b/c', true],
    ['#', '/', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['+/tennis/#', 'sport/tennis', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a/b/', false],
    ['a/b', 'A/b', false],
    ['territoire/senml/dev-a', 'territoire/senml/dev-b', false],
    ['territoire/senml/dev-a', 'territoire/senml/dev-a/x', false],
    ['application/+/device/0011223344556677/event/up', 'application/app/device/0011223344556677/event/up', true],
    ['application/+/device/0011223344556677/event/up', 'application/app/device/8899aabbccddeeff/event/up', false],
    ['v3/+/devices/+/up', 'v3/app@ttn/devices/eui-0011223344556677/up', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['a/#', 'a/+', false], // a topic name has no wildcard
  ])('%s against %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected)
  })

  it.each([
    ['a/b', true], ['#', true], ['a/#', true], ['+', true], ['a/+/c', true], ['/', true], ['+/+', true],
    ['', false], ['a/#/c', false], ['a#', false], ['a/b#', false], ['a+', false], ['a/+b/c', false], ['##', false], ['a\u0000b', false],
  ])('%j is a valid filter: %s', (filter, valid) => {
    expect(isValidTopicFilter(filter)).toBe(valid)
  })

  it('matches any of several filters', () => {
    expect(matchesAny(['a/+', 'b/#'], 'b/c/d')).toBe(true)
    expect(matchesAny(['a/+', 'b/#'], 'c')).toBe(false)
    expect(matchesAny([], 'a')).toBe(false)
  })
})
