// Package faulttest holds the publishing engine's fault tests. They build
// the herald binary once, run real `herald serve` processes against the
// fake platform running out of process (`herald dev fake-platform`), inject
// faults, and judge the outcome only by what the platform received (its
// ledger: every X-Herald-Key once) and what the database says (no target
// left publishing). Every process runs with Herald's default timing (the
// 5-minute lease, the default call timeout, backoff and heartbeat): no
// HERALD_* timing variable is set. The package has no code of its own;
// each test proves:
//
//   - TestKillDuringBurst: `kill -9` of the serving process three times
//     during a burst, against a platform that honours idempotency keys and
//     against one that only lists recent posts, loses and duplicates
//     nothing, and after the last restart the backlog is published within
//     2 s of /readyz answering 200 (the requirement; the test
//     reports the measured time): the restarted process holds the data
//     folder's lock, so it takes over every lease left behind at once.
//   - TestAcceptThenTimeOut: with 30 % of posts accepted and then left
//     without an answer (the connection closed), nothing is published
//     twice when the platform deduplicates or can be searched; when it can
//     do neither, the targets become unconfirmed (a person decides)
//     instead of being sent again, well within a minute.
//   - TestRateLimitStorm: under storms of 429 with Retry-After, Herald
//     sends an account nothing more once it knows the account is limited
//     until the platform's reset (checked against the platform's log of
//     429s), and still publishes everything exactly once.
//   - TestTwoInstancesOneKilled (PostgreSQL): two instances share one
//     database; one is killed with SIGKILL mid-burst and the other, seeing
//     its heartbeat stop, takes over its leases: nothing lost or
//     duplicated, and the killed instance's targets are published within
//     5 s of the kill (the requirement; the test reports the time).
//   - TestConnectionsCut (PostgreSQL): every database connection of the
//     instance is terminated repeatedly mid-burst (as a database restart
//     would): Herald reconnects and finishes, nothing lost or duplicated;
//     a claim committed just before its connection was cut is taken over
//     at once rather than when its lease ends.
//   - TestDaylightSavingInstants: posts scheduled at local times around
//     daylight-saving changes in America/New_York and Europe/Paris (shifted
//     to fall seconds from now, keeping their real spacing) go out at the
//     stored UTC instant, not an hour or a minute off.
//
// The PostgreSQL tests run when HERALD_TEST_POSTGRES_URL is set, each in a
// schema of its own.
package faulttest
