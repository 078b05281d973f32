// Starts a local Bluesky network for Herald's interop tests: a PLC
// directory, a PDS and an AppView (with the bsync and ozone services the
// AppView needs), all on 127.0.0.1 (see listen-localhost.mjs). It creates
// two accounts with app passwords, prints one JSON line describing the
// network, keeps the AppView indexing (processAll every few hundred ms) and
// runs until it gets SIGINT or SIGTERM, when it stops the servers, drops
// its PostgreSQL schemas and removes its temporary directory.
//
// Environment: DB_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// REDIS_HOST (default 127.0.0.1:6379), HERALD_DEVENV_INFO_FILE (also write
// the JSON line there), HERALD_DEVENV_PROCESS_MS (default 300).
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AtpAgent } from '@atproto/api'
import { TestNetwork } from '@atproto/dev-env'
import pg from 'pg'

const dbUrl = process.env.DB_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
process.env.DB_POSTGRES_URL = dbUrl
process.env.REDIS_HOST = process.env.REDIS_HOST || '127.0.0.1:6379'
const every = Number(process.env.HERALD_DEVENV_PROCESS_MS || 300)

// The AppView, bsync and ozone each make a schema named after this one;
// it must be letters and underscores only. A fresh one per run keeps runs
// apart; it is dropped on exit.
const letters = 'abcdefghijklmnopqrstuvwxyz'
const schema = 'herald_' + Array.from(crypto.randomBytes(10), (b) => letters[b % 26]).join('')
const schemas = ['appview_', 'bsync_', 'ozone_'].map((p) => p + schema)

const log = (msg) => process.stderr.write(`bluesky-devenv: ${msg}\n`)

// The PDS keeps its data and blobs, and the AppView its image cache, in
// the temporary directory: give this run its own and remove it on exit.
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bluesky-devenv-'))
process.env.TMPDIR = runDir

async function dropSchemas() {
  const client = new pg.Client({ connectionString: dbUrl })
  try {
    await client.connect()
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
  } catch (err) {
    log(`dropping schemas failed: ${err.message}`)
  } finally {
    await client.end().catch(() => {})
  }
}

async function account(pdsUrl, name) {
  const agent = new AtpAgent({ service: pdsUrl })
  const handle = `${name}.test`
  const password = `${name}-${crypto.randomBytes(6).toString('hex')}`
  await agent.createAccount({ handle, email: `${name}@herald.test`, password })
  await agent.app.bsky.actor.profile.create(
    { repo: agent.session.did },
    { displayName: name[0].toUpperCase() + name.slice(1), description: 'Herald interop account' },
  )
  const { data } = await agent.com.atproto.server.createAppPassword({ name: 'herald' })
  return { handle, did: agent.session.did, password, app_password: data.password }
}

let network
let stopping = false
let loop

async function stop(code) {
  if (stopping) return
  stopping = true
  log('stopping')
  try {
    await loop
    if (network) await network.close()
  } catch (err) {
    log(`closing failed: ${err.message}`)
  }
  await dropSchemas()
  fs.rmSync(runDir, { recursive: true, force: true })
  process.exit(code)
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

try {
  network = await TestNetwork.create({
    dbPostgresSchema: schema,
    pds: { hostname: 'localhost' },
  })
  const accounts = [await account(network.pds.url, 'alice'), await account(network.pds.url, 'bob')]
  await network.processAll()
  const info = {
    herald_bluesky_devenv: 1,
    pds: network.pds.url,
    plc: network.plc.url,
    appview: network.bsky.url,
    appview_did: network.bsky.ctx.cfg.serverDid,
    schema,
    accounts,
  }
  const line = JSON.stringify(info)
  if (process.env.HERALD_DEVENV_INFO_FILE) fs.writeFileSync(process.env.HERALD_DEVENV_INFO_FILE, line + '\n')
  process.stdout.write(line + '\n')
  loop = (async () => {
    while (!stopping) {
      try {
        await network.processAll(5000)
      } catch (err) {
        log(`processAll: ${err.message}`)
      }
      await new Promise((r) => setTimeout(r, every))
    }
  })()
} catch (err) {
  log(`start failed: ${err.stack || err}`)
  await stop(1)
}
