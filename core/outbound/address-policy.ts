/**
 * Which addresses an outbound request (webhook, slash command, interactive action) may reach.
 * Like Mattermost's AllowedUntrustedInternalConnections: public unicast addresses always; loopback,
 * private, link-local (cloud metadata at 169.254.169.254), unique-local, multicast and reserved
 * addresses only when the admin names the host, the address or a CIDR range containing it. Without
 * this an integration URL could be pointed at the server's own network.
 */
import ipaddr from 'ipaddr.js'

export interface AddressPolicy {
  /** Null when `address` (what `host` resolved to) may be reached, else why not. */
  refusal(host: string, address: string): string | null
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

/** Splits the setting (spaces or commas) into host names and CIDR ranges (a bare address is a /32 or /128). */
export function parseAllowList(raw: string): { hosts: Set<string>; ranges: Range[]; problems: string[] } {
  const hosts = new Set<string>()
  const ranges: Range[] = []
  const problems: string[] = []
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    const value = entry.replace(/^\[|\]$/g, '')
    if (value.includes('/')) {
      try {
        const [addr, bits] = ipaddr.parseCIDR(value)
        ranges.push([normalise(addr), addr.kind() === 'ipv6' && normalise(addr).kind() === 'ipv4' ? Math.max(0, bits - 96) : bits])
      } catch {
        problems.push(`"${entry}" is not a CIDR range like 10.0.0.0/8`)
      }
    } else if (ipaddr.isValid(value)) {
      const addr = normalise(ipaddr.parse(value))
      ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128])
    } else if (/^[a-z0-9.-]+$/i.test(value)) {
      hosts.add(value.toLowerCase().replace(/\.$/, ''))
    } else {
      problems.push(`"${entry}" is neither a host name, an IP address nor a CIDR range`)
    }
  }
  return { hosts, ranges, problems }
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it reaches. */
function normalise(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
}

export function createAddressPolicy(allowList: string): AddressPolicy {
  const { hosts, ranges, problems } = parseAllowList(allowList)
  if (problems.length > 0) throw new Error(`ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS: ${problems.join('; ')}`)
  return {
    refusal(host, address) {
      if (!ipaddr.isValid(address)) return `${address} is not an IP address`
      const addr = normalise(ipaddr.parse(address))
      if (addr.range() === 'unicast') return null
      if (hosts.has(host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''))) return null
      if (ranges.some(([base, bits]) => base.kind() === addr.kind() && addr.match(base, bits))) return null
      return `${host} resolves to ${address} (${addr.range()}), which is not allowed: add it to ALLOWED_UNTRUSTED_INTERNAL_CONNECTIONS to reach it`
    },
  }
}
