// Preloaded with `node --import`: every server the dev-env starts listens on
// 127.0.0.1 instead of every interface, so nothing is reachable from
// outside this machine. A listen() call that names no host, or a wildcard
// host (0.0.0.0, ::), gets 127.0.0.1; Unix sockets and handles are left
// alone. Outgoing lookups of "localhost" prefer IPv4 to match.
import dns from 'node:dns'
import net from 'node:net'

dns.setDefaultResultOrder('ipv4first')

const LOOPBACK = '127.0.0.1'
const wildcard = (host) => host === undefined || host === null || host === '' || host === '0.0.0.0' || host === '::'
const isPort = (v) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const first = args[0]
  if (first === undefined || typeof first === 'function') {
    // listen() or listen(callback): an ephemeral port on every interface.
    args.splice(0, first === undefined ? 1 : 0, 0, LOOPBACK)
  } else if (isPort(first)) {
    if (typeof args[1] === 'string' || args[1] === null || args[1] === undefined) {
      if (wildcard(args[1])) args[1] = LOOPBACK
    } else {
      args.splice(1, 0, LOOPBACK) // listen(port, backlog?, callback?)
    }
  } else if (typeof first === 'object' && first !== null && !('path' in first) && !('fd' in first) && !('_handle' in first) && !('handle' in first)) {
    if (wildcard(first.host)) args[0] = { ...first, host: LOOPBACK }
  }
  return listen.apply(this, args)
}
